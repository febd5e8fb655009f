import pytest

from tests.services.helpers import NOW, MovableClock, callback, practice
from vmadesk.domain.vocabulary import EscalationCategory, Urgency
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import EscalationService, Sbar
from vmadesk.store import escalations


def test_lifecycle_and_clinical_guard(new_profile):
    svc = EscalationService(new_profile.conn, vma="ana.r", clock=MovableClock(NOW))
    item = callback(new_profile.conn, practice(new_profile.conn))
    with pytest.raises(ActionRefused, match="red-flag"):
        svc.raise_(
            item, EscalationCategory.CLINICAL_CONCERN, Urgency.IMMEDIATE, Sbar("Reports chest pain")
        )
    with pytest.raises(ActionRefused, match="situation"):
        svc.raise_(item, EscalationCategory.OTHER, Urgency.ROUTINE, Sbar("  "))
    esc = svc.raise_(
        item,
        EscalationCategory.CLINICAL_CONCERN,
        Urgency.IMMEDIATE,
        Sbar("Reports chest pain", request="Nurse call back"),
        red_flags_confirmed=True,
    )
    routine = svc.raise_(item, EscalationCategory.OTHER, Urgency.ROUTINE, Sbar("Form"))
    assert [e.id for e in svc.listing()] == [esc, routine]  # most urgent first
    svc.acknowledge(esc)
    with pytest.raises(ActionRefused):
        svc.acknowledge(esc)
    with pytest.raises(ActionRefused, match="resolution"):
        svc.resolve(esc, "")
    svc.resolve(esc, "referred_to_clinician", "Nurse called")
    assert escalations.get(new_profile.conn, esc).state == "resolved"
    assert escalations.latest_states(new_profile.conn, [item]) == {item: "raised"}
    assert [e.id for e in svc.listing()] == [routine]
