"""A date typed into a search box, however a VMA writes it (to find a patient by birth date)."""

from __future__ import annotations

from datetime import date, datetime

#: The ways a date of birth is typed or read out: ISO, US numeric, and with a month name.
_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%m.%d.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
)


def typed_date(text: str) -> date | None:
    """The date ``text`` spells, or None when it is not a date.

    Args:
        text: What was typed, e.g. ``1947-10-13``, ``10/13/1947`` or ``13 Oct 1947``.

    Returns:
        The date, when the whole text is one (commas ignored); None otherwise.
    """
    cleaned = " ".join(text.replace(",", " ").split())
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None
