"""The words an import's counts are shown in, the same in the terminal and in the dialog.

Counts and reason codes only (no PHI). Every count is of items (see
:mod:`vmadesk.services.import_report`): the wording says so once, because an appointment
is two items and "created 5, skipped 5" for five appointments surprises otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Said once under the counts.
ITEMS_NOTE = "Counts are of work items: each appointment is a confirmation and an eligibility item."
#: What "missing" means, for the line that lists them.
MISSING_TEXT = "Open items on days this full export covers that it no longer lists (not deleted)"
_REASON_WORDS = {
    "unchanged": "unchanged",
    "already_closed": "already worked",
    "cancelled": "cancelled, nothing open",
    "fulfilled": "visit already took place",
    "inactive_status": "not an active booking",
    "past": "already past",
    "outside_window": "outside the confirmation window",
    "beyond_eligibility_horizon": "beyond the eligibility horizon",
    "already_confirmed": "already confirmed",
    "recently_verified": "coverage recently verified",
    "confirmed_by_source": "confirmed in the practice system",
    "appointment_cancelled": "appointment cancelled",
    "appointment_noshow": "no-show",
    "entered_in_error": "entered in error",
    "other_practice": "imported for another practice",
}


def reasons_text(reasons: Mapping[str, int]) -> str:
    """``"4 unchanged, 2 already past"``: each reason code's count, then the code in words."""
    return ", ".join(
        f"{n} {_REASON_WORDS.get(code, code.replace('_', ' '))}" for code, n in reasons.items() if n
    )


def counts_text(summary: Mapping[str, int], *, heading: bool = False) -> str:
    """``"created 4, updated 3 (1 reopened), closed 1, skipped 3, missing 0"``.

    Args:
        summary: The counts (a report's or a plan's summary).
        heading: ``"Created 4 · Updated 3 (1 reopened) · …"`` instead, for a line of its own.
    """
    parts = []
    for key in ("created", "updated", "closed", "skipped", "missing"):
        text = f"{key.capitalize() if heading else key} {summary[key]}"
        if key == "updated" and summary.get("reopened"):
            # Closed work coming back deserves a look (an older export imported late?).
            text += f" ({summary['reopened']} reopened)"
        parts.append(text)
    return (" · " if heading else ", ").join(parts)
