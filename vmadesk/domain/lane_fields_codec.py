"""The prior-authorization and referral fields as the JSON object ``items.lane_fields_json`` holds.

One place turns :class:`~vmadesk.domain.prior_auth_rules.PriorAuthFields` and
:class:`~vmadesk.domain.referral_rules.ReferralFields` into plain JSON values (ISO dates and
instants, codes as strings) and back, so the store, a handoff's sealed payload and the forms
agree. Reading back validates again: a stored object that no longer passes is refused with a
message naming the field, never the value.
"""

from __future__ import annotations

import json
from dataclasses import fields as dc_fields
from datetime import date, datetime
from typing import Any

from vmadesk.domain.medical_codes import ServiceLine
from vmadesk.domain.prior_auth_rules import PriorAuthFields
from vmadesk.domain.referral_rules import ReferralFields

_DATES = frozenset(
    {"service_from", "service_to", "valid_from", "valid_to", "visit_on", "report_received_on"}
)
_INSTANTS = frozenset({"submitted_at", "appeal_deadline", "sent_at", "appointment_at"})


def _plain(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "services":
        return [{"code": s.code, "units": s.units} for s in value]
    if name == "diagnoses":
        return list(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value) if not isinstance(value, int) else value


def to_json(values: PriorAuthFields | ReferralFields) -> str:
    """The fields as a compact JSON object (None values left out)."""
    out = {}
    for f in dc_fields(values):
        value = _plain(f.name, getattr(values, f.name))
        if value is not None:
            out[f.name] = value
    return json.dumps(out, sort_keys=True, separators=(",", ":"))


def _typed(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "services":
        return tuple(ServiceLine(str(s["code"]), int(s["units"])) for s in value)
    if name == "diagnoses":
        return tuple(value)
    if name in _DATES:
        return date.fromisoformat(value)
    if name in _INSTANTS:
        return datetime.fromisoformat(value)
    return value


def _read(kind: type, text: str | None) -> Any:
    try:
        raw = json.loads(text or "{}")
        if not isinstance(raw, dict):
            raise ValueError("lane fields: not an object")
        known = {f.name for f in dc_fields(kind)}
        return kind(**{k: _typed(k, v) for k, v in raw.items() if k in known})
    except (TypeError, KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"lane fields: malformed ({type(exc).__name__})") from None


def prior_auth_from_json(text: str | None) -> PriorAuthFields:
    """The prior-authorization fields stored as ``text``.

    Raises:
        ValueError: Missing or malformed fields (the message names the field).
    """
    return _read(PriorAuthFields, text)


def referral_from_json(text: str | None) -> ReferralFields:
    """The referral fields stored as ``text``.

    Raises:
        ValueError: Missing or malformed fields (the message names the field).
    """
    return _read(ReferralFields, text)
