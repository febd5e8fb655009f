"""Payer programs, request urgency and submission channels of a prior authorization.

The program sets the payer's clock (:mod:`vmadesk.domain.payer_clock`); each vocabulary is a
code that may cross to the hub, with a ``label`` in words for the screen.
"""

from __future__ import annotations

import re
from enum import StrEnum


class PayerProgram(StrEnum):
    """The kind of coverage; it sets the payer's clock and the appeal window."""

    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    CHIP = "chip"
    EXCHANGE = "exchange"
    COMMERCIAL = "commercial"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The program in words."""
        return _PROGRAM_LABELS[self]


_PROGRAM_LABELS = {
    PayerProgram.MEDICARE_ADVANTAGE: "Medicare Advantage",
    PayerProgram.MEDICAID: "Medicaid",
    PayerProgram.CHIP: "CHIP",
    PayerProgram.EXCHANGE: "Exchange plan",
    PayerProgram.COMMERCIAL: "Commercial",
    PayerProgram.OTHER: "Other",
}

# Words an export writes for a program, folded to lower-case letters; first match wins, so
# "Medicaid Managed Care" is Medicaid and "Medicare Advantage" is not plain Medicare.
_PROGRAM_WORDS: tuple[tuple[re.Pattern[str], PayerProgram], ...] = tuple(
    (re.compile(pattern), program)
    for pattern, program in (
        (r"\bchip\b|\bchildren s health|\bschip\b", PayerProgram.CHIP),
        (r"medicaid|\bmcd\b", PayerProgram.MEDICAID),
        (r"medicare advantage|\bpart c\b|\bma(?:pd)?\b|medicare (?:hmo|ppo|replacement)",
         PayerProgram.MEDICARE_ADVANTAGE),
        (r"exchange|marketplace|\baca\b|\bqhp\b|obamacare", PayerProgram.EXCHANGE),
        (r"commercial|employer|\bppo\b|\bhmo\b|\bepo\b|\bpos\b|private", PayerProgram.COMMERCIAL),
        (r"\bother\b|medicare|tricare|\bva\b|workers|auto", PayerProgram.OTHER),
    )
)  # fmt: skip
PROGRAM_HINT = "Medicare Advantage, Medicaid, CHIP, Exchange, Commercial, Other"


def read_program(text: str) -> PayerProgram:
    """Read a program as exports write it (``"Medicaid MCO"``, ``"MA"``, ``"Marketplace"``).

    Traditional Medicare (fee-for-service) needs no PA for most services and is not among
    the programs with their own clock: it reads as "other".

    Raises:
        ValueError: Not a program we recognise (the message lists the words, not the cell).
    """
    folded = " ".join(re.findall(r"[a-z0-9]+", text.casefold()))
    for code in PayerProgram:
        if folded == code.value.replace("_", " "):
            return code
    for pattern, program in _PROGRAM_WORDS:
        if pattern.search(folded):
            return program
    raise ValueError(f"not a recognised payer program (expected one of: {PROGRAM_HINT})")


class PaUrgency(StrEnum):
    """How fast the payer must answer."""

    STANDARD = "standard"
    EXPEDITED = "expedited"

    @property
    def label(self) -> str:
        """The urgency in words."""
        return self.value.capitalize()


class PaChannel(StrEnum):
    """How the request reaches the payer."""

    PORTAL = "portal"
    FAX = "fax"
    PHONE = "phone"
    X12_278 = "x12_278"
    FHIR_PAS = "fhir_pas"

    @property
    def label(self) -> str:
        """The channel in words."""
        return {
            PaChannel.PORTAL: "Payer portal",
            PaChannel.FAX: "Fax",
            PaChannel.PHONE: "Phone",
            PaChannel.X12_278: "Electronic request (X12 278)",
            PaChannel.FHIR_PAS: "Electronic request (FHIR PAS)",
        }[self]
