"""An item's times: aware UTC datetimes once read, the same fixed-width text in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.services.helpers import NOW, appointment, practice
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.handoff_hub import default_note
from vmadesk.services.handoff_payload import item_payload, payload_columns
from vmadesk.store import items
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import TIME_COLUMNS
from vmadesk.store.profile import UnlockedProfile
from vmadesk.store.timestamps import to_db, to_db_opt

#: Columns a handoff packet carries and the receiver writes back as they came.
_CARRIED_TIMES = tuple(c for c in TIME_COLUMNS if c not in {"created_at", "updated_at"})


def _stored(conn: Connection, item_id: int) -> dict[str, str | None]:
    """The time columns exactly as the database holds them (no ItemRow in between)."""
    row = conn.execute(
        f"SELECT {', '.join(TIME_COLUMNS)} FROM items WHERE id = ?", (item_id,)
    ).fetchone()
    return dict(zip(TIME_COLUMNS, row, strict=True))


def test_an_item_reads_as_utc_datetimes_and_writes_back_the_same_text(
    new_profile: UnlockedProfile,
) -> None:
    conn = new_profile.conn
    item_id = appointment(conn, practice(conn), Lane.CONFIRMATION)
    # Every nullable time set too, with odd microseconds: the fixed width must survive.
    odd = NOW + timedelta(days=1, microseconds=250)
    with transaction(conn):
        items.update_item(
            conn,
            item_id,
            {
                c: to_db(odd + timedelta(minutes=n))
                for n, c in enumerate(TIME_COLUMNS)
                if c not in {"due_at", "effective_due", "due_soon_at", "created_at"}
            },
        )
    before = _stored(conn, item_id)
    assert all(text is not None and len(text) == len(to_db(NOW)) for text in before.values())

    item = items.get_item(conn, item_id)
    for column in TIME_COLUMNS:
        value = getattr(item, column)
        assert isinstance(value, datetime), column
        assert value.tzinfo is UTC, column
        assert to_db(value) == before[column], column

    # Back through the handoff packet (JSON, as sealed) and the store, then read again.
    payload = json.loads(json.dumps(item_payload(conn, item, default_note(item), 0)))
    values = payload_columns(payload, practice_id=item.practice_id, owner=item.owner, now=NOW)
    with transaction(conn):
        items.update_item(conn, item_id, {c: values[c] for c in _CARRIED_TIMES})
        items.update_item(
            conn, item_id, {c: to_db_opt(getattr(item, c)) for c in ("created_at", "updated_at")}
        )
    assert _stored(conn, item_id) == before
    assert items.get_item(conn, item_id) == item
