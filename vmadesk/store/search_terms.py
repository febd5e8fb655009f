"""What a VMA types in the search box, as words the items' search text can match.

The search text holds names, reason words and a phone number's digits. A phone number is
typed however it was read out or shown — ``(415) 555-0111``, ``415-555-0111``,
``415.555.0111``, ``+14155550111`` — so a run of digits and separators becomes its digits,
and a long one keeps its last ten (the number without a country code or trunk prefix, which
every way of writing it ends with). A name is typed as shown, "Chavez, Kevin": punctuation
between words separates them.
"""

from __future__ import annotations

import re

#: A phone number as typed: digits with spaces, dashes, dots, slashes or brackets between
#: them, at least seven digits in all.
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-]*\d\)?")
#: Dates look like numbers too; they stay as typed (a date of birth is searched as a date).
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}")
_MIN_PHONE_DIGITS = 7
#: A number's national part; longer digit runs carry a country code or trunk prefix first.
_NATIONAL_DIGITS = 10
#: Characters that separate words as a VMA reads them ("Chavez, Kevin"; "refill;").
_SEPARATORS = re.compile(r"[,;:()\"\s]+")


def _phone_digits(match: re.Match[str]) -> str:
    digits = "".join(c for c in match.group() if c.isdigit())
    if len(digits) < _MIN_PHONE_DIGITS or _DATE.fullmatch(match.group().strip()):
        return match.group()
    return f" {digits[-_NATIONAL_DIGITS:]} "


def search_words(text: str) -> list[str]:
    """The lower-cased words of a search, phone numbers as their digits."""
    joined = _PHONE.sub(_phone_digits, text.lower())
    return [w for w in (w.strip(".-'") for w in _SEPARATORS.split(joined)) if w]
