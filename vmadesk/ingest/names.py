"""Person names written as one string: ``"Last, First M"`` or ``"First Last"``."""

from __future__ import annotations


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
