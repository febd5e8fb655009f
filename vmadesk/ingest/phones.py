"""Phone numbers to E.164, keeping what the file said beside it."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

# libphonenumber refuses longer input anyway; cutting early keeps a hostile cell cheap.
_MAX_PHONE_CHARS = 64


# Exports repeat numbers (households, practices' own lines, re-imports): parsing costs
# ~70 µs, a cache hit ~0.1 µs. The cache lives in process memory only, like the batch.
@lru_cache(maxsize=16384)
def to_e164(raw: str | None, region: str) -> str | None:
    """Normalise a phone number as written in an export.

    Args:
        raw: The number as the file wrote it, e.g. ``"(212) 555-0134"``.
        region: ISO 3166 region for numbers written without a country code, e.g. ``"US"``.

    Returns:
        The E.164 form (``"+12125550134"``), or None when the text is not a valid number;
        a bad phone is not an import error (the VMA can still read the raw text).
    """
    if not raw or len(raw) > _MAX_PHONE_CHARS:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_raw(raw: str | None) -> str | None:
    """Strip a raw phone cell; blank becomes None."""
    if raw is None:
        return None
    raw = raw.strip()
    return raw or None


def phone_key(e164: str | None, raw: str | None) -> str:
    """A phone number folded for matching the same caller across exports (never shown).

    Args:
        e164: The number's E.164 form, when it is a valid number.
        raw: The number as written.

    Returns:
        The E.164 form, else the digits of ``raw`` (``"ask front desk"`` has none: ``""``).
    """
    if e164:
        return e164
    return "".join(c for c in raw or "" if c.isdigit())
