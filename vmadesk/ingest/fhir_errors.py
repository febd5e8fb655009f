"""A FHIR validation failure in words a VMA can act on, naming the element but no value.

pydantic reports every invalid element, in the model's field order (R4B's models list
``end`` before ``start``). The user is told about the first one *in the file's own order*,
with a reason in plain words: never pydantic's internal error code, never the value.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

_EXAMPLE = "e.g. 2026-11-24T09:30:00-05:00"
_DATETIME = f"not a valid date-time ({_EXAMPLE})"
_DATE = "not a valid date (YYYY-MM-DD)"
#: A date or time written as a JSON number (FHIR writes them as strings).
NOT_A_TIME_STRING = f"expected a date or date-time string ({_EXAMPLE})"
# pydantic error types, in words; anything else reads "not a valid value for this element".
_REASONS = {
    "missing": "required element is missing",
    "extra_forbidden": "holds an element that FHIR R4 does not define here",
    "string_type": "expected a string",
    "list_type": "expected an array",
    "model_type": "expected an object",
    "dict_type": "expected an object",
    "bool_type": "expected true or false",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "decimal_type": "expected a number",
    "decimal_parsing": "expected a number",
    "float_type": "expected a number",
    "value_error": "value does not have the FHIR format for this element",
    "literal_error": "value is not one allowed here",
    "enum": "value is not one allowed here",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "timezone_aware": f"date-time has no time zone offset ({_EXAMPLE})",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "time_parsing": "not a valid time (hh:mm:ss)",
}
_FALLBACK = "not a valid value for this element"
_SAFE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# A date-time with a time but no offset: FHIR's instant (Appointment.start/end) needs one.
_NO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


#: pydantic's names for a model as a whole: no element of the file.
_INTERNAL_PARTS = frozenset({"root", "__root__"})


def json_path(loc: tuple[Any, ...]) -> str | None:
    """Turn a pydantic ``loc`` into a JSON path like ``participant[0].actor``.

    The parts are the models' own element names (a key the model does not know is dropped
    by the caller: it is the file's text). None when the problem is the resource as a whole.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _SAFE_KEY.fullmatch(part) and part not in _INTERNAL_PARTS:
            out += f".{part}" if out else part
        # other parts are pydantic's union/validator tags: not worth showing
    return out or None


def first_problem(
    exc: ValidationError, raw: Any = None, *, skip: int = 0
) -> tuple[str | None, str]:
    """The first invalid element in the file's order: (JSON path, reason in words).

    Args:
        exc: The validation failure.
        raw: The resource as parsed from JSON (orders the errors, and tells a missing time
            zone from other bad date-times); None when not at hand.
        skip: Leading ``loc`` parts to drop (a Bundle's ``entry, N`` when the location names
            the entry already).
    """
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    located = [(tuple(e["loc"])[skip:], e["type"]) for e in errors]
    if isinstance(raw, dict):
        order = {key: i for i, key in enumerate(raw)}
        located.sort(key=lambda e: order.get(e[0][0], len(order)) if e[0] else -1)
    loc, kind = located[0]
    if kind == "extra_forbidden" and loc:
        # The unknown key is the file's own text (it may be a patient's name): the message
        # names the element that holds it instead.
        loc = loc[:-1]
    reason = _REASONS.get(kind, _FALLBACK)
    value = _value_at(raw, loc)
    if kind == "value_error" and isinstance(value, str) and _NO_OFFSET.fullmatch(value):
        reason = _REASONS["timezone_aware"]
    return json_path(loc), reason


def _value_at(raw: Any, loc: tuple[Any, ...]) -> Any:
    """The raw value at ``loc`` (used only to choose the words; never shown)."""
    node = raw
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return None
        node = node[part]
    return node
