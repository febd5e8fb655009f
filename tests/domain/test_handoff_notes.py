import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import Priority

DUE = datetime(2025, 10, 14, 15, 0, tzinfo=ZoneInfo("America/New_York"))


def note(**changes: object) -> HandoffNote:
    base: dict[str, object] = {
        "priority": Priority.HIGH,
        "summary": "Eligibility pending: payer portal down since 10:00",
        "actions": (ActionStep("Retry the payer portal", DUE), ActionStep("Update the item")),
        "contingency": "If the portal is still down at 15:00, then call the payer line",
    }
    return HandoffNote(**(base | changes))  # type: ignore[arg-type]


def test_valid_note_passes() -> None:
    note().validate()


def test_round_trip_through_json() -> None:
    original = note()
    data = json.loads(json.dumps(original.to_dict()))
    assert data["actions"][0]["due"] == "2025-10-14T19:00:00+00:00"
    assert data["actions"][1]["due"] is None
    restored = HandoffNote.from_dict(data)
    assert restored == original  # aware datetimes compare by instant
    assert restored.actions[0].due is not None
    assert restored.actions[0].due.tzinfo is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": ""}, "^summary: say in one line"),
        ({"summary": "   "}, "^summary: say in one line"),
        ({"summary": "line one\nline two"}, "^summary: must be a single line"),
        ({"summary": "trailing break\n"}, "^summary: must be a single line"),
        ({"summary": "sep\u2028arator"}, "^summary: must be a single line"),
        ({"summary": "x" * 201}, "^summary: 201 characters, at most 200"),
        ({"priority": "urgent"}, "^priority: must be one of"),
        ({"actions": (ActionStep(""),)}, r"^actions\[0\]\.text"),
        (
            {"actions": (ActionStep("ok"), ActionStep("a\nb"))},
            r"^actions\[1\]\.text: must be a single",
        ),
        ({"actions": (ActionStep("ok", datetime(2025, 10, 14, 15)),)}, r"^actions\[0\]\.due"),
        ({"actions": ("call back",)}, r"^actions\[0\]: must be an ActionStep"),
        ({"contingency": ""}, "^contingency: required for high items"),
        ({"contingency": "call the payer line"}, "^contingency: must read"),
        ({"contingency": "if the portal is down, call"}, "^contingency: must read"),
        ({"contingency": "verify, then call"}, "^contingency: must read"),
    ],
)
def test_invalid_notes_name_the_field(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        note(**changes).validate()


def test_summary_of_exactly_200_chars_is_fine() -> None:
    note(summary="x" * 200).validate()


def test_contingency_words_are_case_insensitive() -> None:
    note(contingency="IF no answer by noon THEN leave a voicemail").validate()


def test_empty_contingency_only_for_routine() -> None:
    note(priority=Priority.ROUTINE, contingency="").validate()
    with pytest.raises(ValueError, match="required for watch items"):
        note(priority=Priority.WATCH, contingency="  ").validate()
    # A routine note that does give a contingency must still word it properly.
    with pytest.raises(ValueError, match=r"^contingency"):
        note(priority=Priority.ROUTINE, contingency="call later").validate()


def test_from_dict_validates_and_reports_malformed() -> None:
    data = note().to_dict()
    with pytest.raises(ValueError, match=r"^summary"):
        HandoffNote.from_dict(data | {"summary": ""})
    with pytest.raises(ValueError, match="malformed"):
        HandoffNote.from_dict({"priority": "high"})
    with pytest.raises(ValueError, match="is not a valid Priority"):
        HandoffNote.from_dict(data | {"priority": "urgent"})


@given(
    summary=st.text(min_size=1, max_size=200).filter(lambda s: s.strip() and s.splitlines() == [s]),
    priority=st.sampled_from(list(Priority)),
    due=st.one_of(
        st.none(),
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ),
    ),
)
def test_round_trip_property(summary: str, priority: Priority, due: datetime | None) -> None:
    original = HandoffNote(
        priority, summary, (ActionStep("Call back", due),), "if busy then retry at 14:00"
    )
    original.validate()
    assert HandoffNote.from_dict(json.loads(json.dumps(original.to_dict()))) == original
