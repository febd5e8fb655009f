"""Work done offline on an item another VMA came to hold goes to that holder; nothing is lost.

Real consoles over a loopback hub (SQLite, and PostgreSQL when ``VMADESK_TEST_PG_URL`` is
set). ana works an item while her console is offline; meanwhile ben takes it over (or a
supervisor gives it to ben). Her calls, notes and escalation (with its SBAR text) must reach
ben's console, her console must show who holds it and refuse further work on it, and a call she
logs afterwards from a dialog left open must still reach ben, once.
"""

from __future__ import annotations

import pytest

from tests.support.consoles import TEAM_SECRET, Console
from vmadesk import wire
from vmadesk.domain.vocabulary import EscalationCategory, Outcome, Urgency
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import Sbar
from vmadesk.services.held_by_others import held_by_others
from vmadesk.services.held_elsewhere import conflict_words, held_elsewhere
from vmadesk.services.sync_service import sync_once, takeover
from vmadesk.store import history, items
from vmadesk.sync.item_events import item_pseudonym
from vmadesk.sync.worker import read_status
from vmadesk.ui.widgets.sync_indicator import status_text


def calls_by(console: Console, item_id: int, author: str) -> list[str]:
    return [a.outcome for a in history.attempts_for(console.conn, item_id) if a.author == author]


def test_offline_work_on_an_item_taken_over_goes_to_the_new_holder(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a,) = ana.import_appointments([1])
    sync_once(ana.profile)
    (b,) = ben.import_appointments([1])
    sync_once(ben.profile)  # held by ana: ben's copy is a conflict
    # ana's console goes offline: she calls twice, writes a note and escalates
    work = ana.work()
    work.log_attempt(a, Outcome.NO_ANSWER)
    ana.clock.advance(minutes=20)
    work.log_attempt(a, Outcome.VOICEMAIL)
    work.add_note(a, "Daughter says mornings are best")
    ana.escalations().raise_(
        a, EscalationCategory.SCHEDULING_CONFLICT, Urgency.ROUTINE, Sbar("Two bookings")
    )
    # ben takes it over (ana cannot be reached)
    takeover(ben.conn, ben.client(), b, wire.TakeoverReason.HOLDER_UNREACHABLE)
    # ana comes back: the item leaves her lanes and her work goes to ben, sealed
    sync_once(ana.profile)
    held = held_elsewhere(ana.conn, a)
    assert held is not None and held.holder == "ben"
    assert (held.calls_passed, held.notes_passed) == (2, 1)
    assert conflict_words(held).startswith("Held by ben since ")
    assert "your 2 calls and 1 note were passed to them" in conflict_words(held)
    (shown,) = held_by_others(ana.conn)
    assert (shown.item_id, shown.passed_words) == (a, "2 calls and 1 note passed to them")
    # the status bar says it in bold until nothing of hers is held elsewhere
    status = read_status(ana.conn)
    assert (status.conflicts, status.worked_elsewhere) == (1, 1)
    assert "1 held by others (1 you worked: see Ctrl+Shift+T)" in status_text(status)
    # ben's console merges it: calls counted, note and SBAR in the history
    sync_once(ben.profile)
    assert calls_by(ben, b, "ana") == [Outcome.NO_ANSWER.value, Outcome.VOICEMAIL.value]
    assert items.get_item(ben.conn, b).attempt_count == 2
    texts = [n.text for n in history.notes_for(ben.conn, b)]
    assert "Daughter says mornings are best" in texts
    assert any("ana worked this item" in t and "1 open escalation" in t for t in texts)
    (escalation,) = ben.escalations().listing(open_only=True)
    assert escalation.situation == "Two bookings"
    # ana cannot work it any more: the refusal says who holds it and what went to them
    refused = r"Held by ben since .*your 2 calls and 1 note were passed"
    with pytest.raises(ActionRefused, match=refused):
        work.complete(a)
    # a call from a dialog left open during the round is recorded and reaches ben, once
    ana.clock.advance(minutes=20)
    result = work.log_attempt(a, Outcome.NO_ANSWER)
    assert (result.proposal, result.holder) == ("passed_to_holder", "ben")
    assert items.get_item(ana.conn, a).attempt_count == 2  # nothing else changed here
    sync_once(ana.profile)
    sync_once(ana.profile)
    sync_once(ben.profile)
    assert len(calls_by(ben, b, "ana")) == 3
    assert items.get_item(ben.conn, b).attempt_count == 3


def test_an_item_given_to_a_vma_who_never_had_it_arrives_whole_with_its_work(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a,) = ana.import_appointments([1])
    sync_once(ana.profile)
    ana.work().log_attempt(a, Outcome.NO_ANSWER)
    ana.escalations().raise_(
        a, EscalationCategory.SCHEDULING_CONFLICT, Urgency.URGENT, Sbar("Call back before 3")
    )
    sync_once(ana.profile)
    # ana's lease lapses; the supervisor gives her item to ben
    hub.clock.advance(minutes=16)  # past the 15-minute lease
    code = item_pseudonym(TEAM_SECRET, items.get_item(ana.conn, a))
    hub.client("sue").reassign(code, "ben", wire.TakeoverReason.HOLDER_OFF_SHIFT)
    sync_once(ana.profile)
    sync_once(ben.profile)
    (mine,) = [items.get_item(ben.conn, r[0]) for r in ben.conn.execute("SELECT id FROM items")]
    assert mine.owner == "ben" and mine.attempt_count == 1
    assert calls_by(ben, mine.id, "ana") == [Outcome.NO_ANSWER.value]
    (escalation,) = ben.escalations().listing(open_only=True)
    assert escalation.situation == "Call back before 3"
    sync_once(ben.profile)  # ben's claim: his at the hub, and the desk sees the escalation his
    state = ben.conn.execute("SELECT state FROM claims WHERE item_id = ?", (mine.id,)).fetchone()
    assert state[0] == "held"
