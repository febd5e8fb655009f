"""The shapes of the codes a prior authorization carries: CPT, HCPCS, ICD-10-CM, reason codes.

Only the *shape* is checked (a code set's content is licensed and changes every year): a
cell in the wrong column or a typo is caught, a retired code is the payer's to refuse.
Messages never quote the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CodeSystem(StrEnum):
    """Which procedure code set a service code belongs to."""

    CPT = "cpt"
    HCPCS = "hcpcs"


_CPT = re.compile(r"\d{5}|\d{4}[A-Z]")  # Category I; Category II (…F) and III (…T)
_HCPCS = re.compile(r"[A-Z]\d{4}")  # HCPCS Level II
# ICD-10-CM: letter, digit, letter-or-digit, then up to four more after the dot.
_ICD10 = re.compile(r"([A-Z]\d[0-9A-Z])(?:\.?([0-9A-Z]{1,4}))?")
_REASON_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,11}")


def service_code_system(code: str) -> CodeSystem:
    """Tell a CPT code (``99213``, ``0001F``, ``0042T``) from a HCPCS one (``J1745``).

    Raises:
        ValueError: Neither shape.
    """
    text = code.strip().upper()
    if _CPT.fullmatch(text):
        return CodeSystem.CPT
    if _HCPCS.fullmatch(text):
        return CodeSystem.HCPCS
    raise ValueError(
        "not a CPT code (5 digits, or 4 digits and a letter) or a HCPCS code "
        "(a letter and 4 digits)"
    )


def normalise_icd10(code: str) -> str:
    """An ICD-10-CM code in its usual shape, upper case with the dot (``m17.11`` → ``M17.11``).

    Raises:
        ValueError: Not shaped like an ICD-10-CM code.
    """
    found = _ICD10.fullmatch(code.strip().upper())
    if found is None:
        raise ValueError("not an ICD-10 diagnosis code (e.g. M17.11)")
    return f"{found[1]}.{found[2]}" if found[2] else found[1]


@dataclass(frozen=True)
class ServiceLine:
    """One service asked for: its code and how many units.

    Raises:
        ValueError: A code of neither shape, a system that does not match the code, or
            fewer than one unit.
    """

    code: str
    units: int = 1
    system: CodeSystem | None = None

    def __post_init__(self) -> None:
        code = self.code.strip().upper() if isinstance(self.code, str) else ""
        detected = service_code_system(code)
        if self.system is not None and CodeSystem(self.system) is not detected:
            raise ValueError(
                f"service code does not have the shape of a {self.system.upper()} code"
            )
        if isinstance(self.units, bool) or not isinstance(self.units, int) or self.units < 1:
            raise ValueError("units must be a whole number of at least 1")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "system", detected)


def reason_code(value: str) -> str:
    """A payer's reason code (X12 HCR, CARC, or the payer's own), upper case.

    Raises:
        ValueError: Not letters, digits and dashes of at most 12 characters.
    """
    code = value.strip().upper()
    if not _REASON_CODE.fullmatch(code):
        raise ValueError("not a payer reason code (letters, digits and dashes, up to 12)")
    return code


#: One service in a typed list: ``97110``, ``97110 x12``, ``J1745 (3)``, ``E0601 units 1``.
_LISTED_SERVICE = re.compile(r"([A-Za-z0-9]{5})(?:\s*(?:[xX*:]|\(|units?)\s*(\d{1,4})\)?)?")
#: Between services: ``;`` ``,`` ``|``, a line break, two spaces, or a space before the next code.
_SERVICE_SEPARATOR = re.compile(r"[;,|\n]+|\s{2,}|\s+(?=[A-Za-z0-9]{5}\b)")
SERVICE_LIST_EXAMPLE = "e.g. 97110, or 97110 x12; 97140 x4"


def split_service_list(text: str) -> list[tuple[str, int | None]]:
    """The services of a typed list, each a code and its units when given.

    Raises:
        ValueError: A part is not a service code with optional units (the message shows the
            expected form, never the text).
    """
    out: list[tuple[str, int | None]] = []
    for part in (p.strip() for p in _SERVICE_SEPARATOR.split(text) if p and p.strip()):
        found = _LISTED_SERVICE.fullmatch(part)
        if found is None:
            raise ValueError(f"not a service code with optional units ({SERVICE_LIST_EXAMPLE})")
        out.append((found[1], int(found[2]) if found[2] else None))
    return out
