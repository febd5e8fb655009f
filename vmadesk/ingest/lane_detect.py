"""Which lane a prior-authorization or referral file feeds, and reading it with the right reader.

:func:`detect_lane_kind` answers None for anything else (appointment reports, callback
lists, appointment FHIR), so :mod:`vmadesk.ingest.detect` can ask it first and fall back to
its own readers unchanged. It reads resource types and header names only, never a value.
"""

from __future__ import annotations

import csv
import re

from vmadesk.domain.referral_rules import ReferralDirection
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_lane_common import match_columns
from vmadesk.ingest.csv_mapping import sniff_delimiter
from vmadesk.ingest.csv_prior_auth import PA_SYNONYMS, read_prior_auth_csv
from vmadesk.ingest.csv_referrals import REFERRAL_SYNONYMS, read_referrals_csv
from vmadesk.ingest.fhir_prior_auth import read_prior_auth_fhir
from vmadesk.ingest.fhir_referrals import read_referrals_fhir
from vmadesk.ingest.lane_records import LaneBatch, LaneKind

_TYPE = re.compile(r'"resourceType"\s*:\s*"(ClaimResponse|ServiceRequest|Claim)"')
_PREAUTH = re.compile(r'"use"\s*:\s*"preauthorization"')
# Columns only a PA worklist has, beside its service codes.
_PA_ONLY = frozenset({"pa_id", "auth_number", "payer_reference", "units_approved", "units_used",
                      "valid_to", "denial_reason", "appeal_deadline", "program"})  # fmt: skip
# Columns only a referral worklist has, beside its reason and date.
_REFERRAL_ONLY = frozenset({"referral_id", "referred_to", "referred_to_org", "referred_by",
                            "direction", "report_on"})  # fmt: skip


def _format(text: str) -> str:
    """Like ``detect.sniff_format`` (not imported: detect.py may call this module)."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "fhir"
    return "xml" if head == "<" else "csv"


def detect_lane_kind(text: str) -> LaneKind | None:
    """``"prior_auth"``, ``"referrals"``, or None when the file is neither.

    FHIR: a Claim or ClaimResponse with ``use = preauthorization`` is a PA file (a PAS
    bundle may also carry ServiceRequests as supporting information); else ServiceRequests
    are referrals. CSV: the header row names the lane's own columns.
    """
    kind = _format(text)
    if kind == "fhir":
        types = set(_TYPE.findall(text))
        if types & {"Claim", "ClaimResponse"} and _PREAUTH.search(text):
            return "prior_auth"
        return "referrals" if "ServiceRequest" in types else None
    if kind != "csv":
        return None
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        headers = next(csv.reader([first], delimiter=sniff_delimiter(text)), [])
    except csv.Error:
        return None
    pa = match_columns(headers, PA_SYNONYMS)
    if "services" in pa and _PA_ONLY & pa.keys():
        return "prior_auth"
    ref = match_columns(headers, REFERRAL_SYNONYMS)
    if {"reason", "sent"} <= ref.keys() and _REFERRAL_ONLY & ref.keys():
        return "referrals"
    return None


def read_lane_file(
    text: str, ctx: ReadContext, direction: ReferralDirection = ReferralDirection.OUTGOING
) -> LaneBatch:
    """Read a PA or referral file with the reader its kind and format need.

    Args:
        text: The decoded file.
        ctx: Read options.
        direction: For referrals without a direction of their own (FHIR, or a CSV with no
            Direction column).

    Raises:
        IngestError: Not a PA or referral file, or the reader refused it.
    """
    kind = detect_lane_kind(text)
    if kind is None:
        raise ctx.error("not a prior authorization or referral worklist")
    fhir = _format(text) == "fhir"
    if kind == "prior_auth":
        return read_prior_auth_fhir(text, ctx) if fhir else read_prior_auth_csv(text, ctx)
    if fhir:
        return read_referrals_fhir(text, ctx, direction)
    return read_referrals_csv(text, ctx, direction)
