"""Money amounts as a VMA types them ("25", "$1,250.5") and as the store keeps them ("25.00").

Copay and deductible are amounts, not free text: a figure that does not read as an amount is
refused with a message saying what was expected, before anything is written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: What an amount field accepts while typing: an optional "$", digits with optional thousands
#: commas, up to two decimals.
AMOUNT_PATTERN = r"\$?\s*(\d{1,3}(,\d{3})+|\d{0,9})(\.\d{0,2})?"
_AMOUNT = re.compile(rf"^{AMOUNT_PATTERN}$")
#: Largest amount accepted (a deductible above this is a typing slip).
MAX_AMOUNT = Decimal("1000000")


def parse_amount(text: str) -> Decimal:
    """An amount typed by a VMA, as a Decimal with two places.

    Raises:
        ValueError: The text is not an amount; the message says what is expected.
    """
    cleaned = text.strip()
    if not cleaned or not _AMOUNT.match(cleaned) or not any(c.isdigit() for c in cleaned):
        raise ValueError("enter an amount in dollars, e.g. 25 or 1,250.00")
    try:
        value = Decimal(cleaned.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        raise ValueError("enter an amount in dollars, e.g. 25 or 1,250.00") from None
    if value >= MAX_AMOUNT:
        raise ValueError("the amount is too large (under 1,000,000)")
    return value.quantize(Decimal("0.01"))


def format_amount(value: Decimal) -> str:
    """How the store keeps an amount: plain digits and two decimals ("1250.00")."""
    return f"{value:.2f}"
