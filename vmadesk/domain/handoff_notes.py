"""The structured per-item note of a handoff, after I-PASS.

I-PASS (illness severity, patient summary, action list, situation awareness and contingency
planning, synthesis by receiver) is the handoff format with the best evidence in hospitals;
here severity becomes a work :class:`Priority` and the receiver's synthesis is the
acknowledgement, which lives with the handoff rather than the note.

Construction does not validate, so a form can hold a half-written draft; :meth:`validate`
says what is wrong, naming the field, and :meth:`HandoffNote.from_dict` validates because a
note read back from a packet must be complete.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vmadesk.domain.instants import as_utc
from vmadesk.domain.vocabulary import Priority

SUMMARY_MAX_CHARS = 200

# Whole words, so "verify" or "thenceforth" do not pass for a contingency.
_IF = re.compile(r"\bif\b", re.IGNORECASE)
_THEN = re.compile(r"\bthen\b", re.IGNORECASE)


@dataclass(frozen=True)
class ActionStep:
    """One thing the receiver has to do.

    Attributes:
        text: What to do, one line.
        due: By when, if it has a time (timezone-aware).
    """

    text: str
    due: datetime | None = None

    def validate(self, field_name: str = "action") -> None:
        """Raise ValueError naming ``field_name`` if the step is incomplete."""
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError(f"{field_name}.text: describe what to do")
        if _is_multiline(self.text):
            raise ValueError(f"{field_name}.text: must be a single line")
        if self.due is not None:
            try:
                as_utc(self.due, f"{field_name}.due")
            except TypeError as exc:
                raise ValueError(str(exc)) from exc

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict; ``due`` as an ISO string in UTC, or None."""
        return {
            "text": self.text,
            "due": None if self.due is None else as_utc(self.due, "due").isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActionStep:
        """Build from the output of :meth:`to_dict` (not validated; see HandoffNote)."""
        due_raw = data.get("due")
        return cls(
            text=data["text"],
            due=None if due_raw is None else datetime.fromisoformat(due_raw),
        )


@dataclass(frozen=True)
class HandoffNote:
    """One item's note in a handoff.

    Attributes:
        priority: How closely the receiver must watch the item.
        summary: One line, at most 200 characters, saying where the item stands.
        actions: What the receiver has to do, in order.
        contingency: What to do if something happens, worded "if … then …". May be empty
            only for routine items.
    """

    priority: Priority
    summary: str
    actions: tuple[ActionStep, ...] = ()
    contingency: str = ""

    def validate(self) -> None:
        """Raise ValueError with a message naming the first field that is wrong.

        Raises:
            ValueError: If the priority is unknown, the summary empty, multi-line or too
                long, an action incomplete, or the contingency missing (non-routine items)
                or not of the form "if … then …".
        """
        if not isinstance(self.priority, Priority):
            try:
                Priority(self.priority)
            except ValueError:
                raise ValueError(
                    f"priority: must be one of {', '.join(Priority)}, got {self.priority!r}"
                ) from None
        if not isinstance(self.summary, str) or not self.summary.strip():
            raise ValueError("summary: say in one line where the item stands")
        if _is_multiline(self.summary):
            raise ValueError("summary: must be a single line (no line breaks)")
        if len(self.summary) > SUMMARY_MAX_CHARS:
            raise ValueError(
                f"summary: {len(self.summary)} characters, at most {SUMMARY_MAX_CHARS} allowed"
            )
        if not isinstance(self.actions, tuple):
            raise ValueError("actions: must be a tuple of ActionStep")
        for index, step in enumerate(self.actions):
            if not isinstance(step, ActionStep):
                raise ValueError(f"actions[{index}]: must be an ActionStep, got {step!r}")
            step.validate(f"actions[{index}]")
        self._validate_contingency()

    def _validate_contingency(self) -> None:
        if not isinstance(self.contingency, str):
            raise ValueError("contingency: must be text")
        text = self.contingency.strip()
        if not text:
            if Priority(self.priority) is Priority.ROUTINE:
                return
            raise ValueError(
                f'contingency: required for {Priority(self.priority)} items (write "if … then …")'
            )
        if not (_IF.search(text) and _THEN.search(text)):
            raise ValueError('contingency: must read "if … then …" (both words needed)')

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {
            "priority": Priority(self.priority).value,
            "summary": self.summary,
            "actions": [step.to_dict() for step in self.actions],
            "contingency": self.contingency,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HandoffNote:
        """Build from the output of :meth:`to_dict` and validate.

        Raises:
            ValueError: If a key is missing, a value malformed, or the note invalid.
        """
        try:
            note = cls(
                priority=Priority(data["priority"]),
                summary=data["summary"],
                actions=tuple(ActionStep.from_dict(step) for step in data.get("actions", ())),
                contingency=data.get("contingency", ""),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed handoff note: {exc!r}") from exc
        note.validate()
        return note


def _is_multiline(text: str) -> bool:
    """Whether ``text`` has any line break (``splitlines`` knows every Unicode one)."""
    return bool(text) and text.splitlines() != [text]
