"""Person names written as one string: ``"Last, First M"`` or ``"First Last"``."""

from __future__ import annotations

import unicodedata


def split_name(text: str) -> tuple[str, str]:
    """Split a one-string person name into (family, given).

    A comma means ``"Last, First M"`` (the order EHR reports and FHIR displays use);
    otherwise the last word is the family name (``"Mary Ann Smith"``). One word is taken
    as the family name.

    Args:
        text: The name as written.

    Returns:
        ``(family, given)``, each stripped, given possibly empty.
    """
    text = " ".join(text.split())
    if "," in text:
        family, _, given = text.partition(",")
        return family.strip(), given.strip()
    words = text.split(" ")
    if len(words) == 1:
        return words[0], ""
    return words[-1], " ".join(words[:-1])


def name_key(family: str, given: str) -> str:
    """A name folded for matching the same person across exports (never shown).

    Case, accents, blanks and punctuation are dropped (``"O'Brien, José"`` matches
    ``"OBRIEN, Jose"``), and the family and given names stay apart.

    Args:
        family: The family name.
        given: The given name(s), possibly empty.

    Returns:
        ``"family|given"`` in lower-case letters and digits.
    """
    return f"{fold(family)}|{fold(given)}"


def fold(text: str) -> str:
    """Text folded for matching: lower-case letters and digits, accents and the rest dropped."""
    # NFKD splits "é" into "e" and a combining accent, which isalnum() then drops, so a
    # file re-saved without accents (cp1252 → ASCII) still names the same person.
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if c.isalnum())
