"""The wire schema has no free-text field: every string is a vocabulary or a pattern."""

from __future__ import annotations

import inspect
import re
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from vmadesk import wire
from vmadesk.sync.pseudonym import pseudonym

#: String formats that pydantic parses into typed values (not free text).
PARSED_FORMATS = {"date-time"}


def wire_models() -> list[type[BaseModel]]:
    found = [
        obj
        for _, obj in inspect.getmembers(wire, inspect.isclass)
        if issubclass(obj, BaseModel)
        and obj.__module__.startswith(f"{wire.__name__}.")
        and obj is not wire.Wire
    ]
    assert set(found) == set(wire.ALL_MODELS), "add new models to wire.ALL_MODELS"
    return found


def walk(schema: object, path: str, defs: dict, problems: list[str]) -> None:  # type: ignore[type-arg]
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            walk(item, f"{path}[{i}]", defs, problems)
        return
    if not isinstance(schema, dict):
        return
    types = schema.get("type")
    is_string = types == "string" or (isinstance(types, list) and "string" in types)
    if is_string and not (
        "enum" in schema
        or "const" in schema
        or "pattern" in schema
        or schema.get("format") in PARSED_FORMATS
    ):
        problems.append(path)
    if schema.get("type") == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        if extra is not False and "propertyNames" not in schema:
            problems.append(f"{path} (free-form keys)")
    for key, value in schema.items():
        if key in ("$defs", "enum", "const", "default", "examples"):
            continue
        walk(value, f"{path}.{key}", defs, problems)


@pytest.mark.parametrize("model", wire_models(), ids=lambda m: m.__name__)
def test_no_free_text_string(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    problems: list[str] = []
    walk(schema, model.__name__, schema.get("$defs", {}), problems)
    for name, sub in schema.get("$defs", {}).items():
        walk(sub, name, {}, problems)
    assert problems == [], f"string fields without enum/const/pattern: {problems}"


@pytest.mark.parametrize("model", wire_models(), ids=lambda m: m.__name__)
def test_models_are_strict_closed_frozen(model: type[BaseModel]) -> None:
    config = model.model_config
    assert config.get("extra") == "forbid"
    assert config.get("strict") is True
    assert config.get("frozen") is True


def test_walker_catches_free_text() -> None:
    class Bad(wire.Wire):
        note: str

    problems: list[str] = []
    walk(Bad.model_json_schema(), "Bad", {}, problems)
    assert problems == ["Bad.properties.note"]


def test_messages_are_versioned() -> None:
    for model in (wire.Summary, wire.ItemEvent, wire.EscalationRaised, wire.Batch, wire.Claim):
        assert model.model_fields["schema_version"].default == 1


def test_patterns() -> None:
    assert re.fullmatch(wire.UUID4_PATTERN, str(uuid.uuid4()))
    assert not re.fullmatch(wire.UUID4_PATTERN, str(uuid.uuid1()))
    assert re.fullmatch(wire.HANDLE_PATTERN, "ana.b-2")
    for bad in ("Ana", "a", "john smith", "x" * 33, "-a"):
        assert not re.fullmatch(wire.HANDLE_PATTERN, bad)
    import base64

    assert re.fullmatch(wire.PUBLIC_KEY_PATTERN, base64.b64encode(bytes(range(32))).decode())
    assert not re.fullmatch(wire.PUBLIC_KEY_PATTERN, base64.b64encode(bytes(31)).decode())


def test_rejects_free_text_and_unknown_fields() -> None:
    good = {
        "kind": "item_event",
        "pseudonym": pseudonym(b"q" * 32, "ehr", "1"),
        "lane": "callback",
        "event": "attempt",
        "outcome": "no_answer",
        "seconds_from_due": -60,
        "attempt_count": 1,
    }
    wire.ItemEvent.model_validate_json(__import__("json").dumps(good))
    for change in (
        {"note": "called Mrs Smith"},
        {"outcome": "Mrs Smith was upset"},
        {"pseudonym": "Smith"},
        {"seconds_from_due": 1.5},
        {"seconds_from_due": "60"},
        {"attempt_count": -1},
    ):
        with pytest.raises(ValidationError):
            wire.ItemEvent.model_validate_json(__import__("json").dumps({**good, **change}))
    with pytest.raises(ValidationError):
        wire.Summary(  # naive datetimes are refused
            interval_start=datetime(2025, 1, 1),
            interval_end=datetime(2025, 1, 2),
            audit_head=wire.AuditHead(seq=1, hash="0" * 64),
        )
    now = datetime.now(UTC)
    with pytest.raises(ValidationError):
        wire.Summary(
            interval_start=now,
            interval_end=now.replace(year=now.year - 1),
            audit_head=wire.AuditHead(seq=1, hash="0" * 64),
        )
