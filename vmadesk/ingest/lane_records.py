"""Plain records for the prior-authorization and referral lanes, as the readers produce them.

Like :mod:`vmadesk.ingest.records`: frozen dataclasses with no behaviour. The lane fields are
the domain's own validated dataclasses, so a record that exists is a valid item; the patient
is the appointment import's :class:`~vmadesk.ingest.records.PatientRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.domain.referral_rules import ReferralFields, ReferralState
from vmadesk.ingest.errors import IngestWarning
from vmadesk.ingest.records import PatientRecord

LaneKind = Literal["prior_auth", "referrals"]


@dataclass(frozen=True, slots=True)
class PriorAuthRecord:
    """One prior authorization request (and the payer's answer, when the file had one).

    ``source_system`` and ``source_id`` identify the request across imports (idempotency);
    ``location_in_file`` is ``"entry 3"`` or ``"row 7"``.
    """

    source_system: str
    source_id: str
    patient: PatientRecord
    state: PaState
    fields: PriorAuthFields
    location_in_file: str


@dataclass(frozen=True, slots=True)
class ReferralRecord:
    """One referral, outgoing or incoming (``fields.direction``)."""

    source_system: str
    source_id: str
    patient: PatientRecord
    state: ReferralState
    fields: ReferralFields
    location_in_file: str


@dataclass(frozen=True, slots=True)
class LaneBatch:
    """Everything one prior-authorization or referral file held, read in full.

    ``full_export`` as in :class:`~vmadesk.ingest.records.ImportBatch`; ``warnings`` are
    PHI-free (file, location, field).
    """

    source_system: str
    kind: LaneKind
    prior_auths: tuple[PriorAuthRecord, ...]
    referrals: tuple[ReferralRecord, ...]
    file_name: str
    full_export: bool
    warnings: tuple[IngestWarning, ...] = ()

    @property
    def count(self) -> int:
        """How many records the file held."""
        return len(self.prior_auths) + len(self.referrals)
