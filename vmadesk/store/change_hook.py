"""The one hook type every change to a work item calls, inside the change's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vmadesk.domain.vocabulary import ItemAction
from vmadesk.store.connection import Connection
from vmadesk.store.items import ItemRow

#: ``hook(conn, item as written, action, details)``: the sync outbox plugs in here
#: (:func:`vmadesk.sync.item_events.make_change_hook`), so a change and its outgoing message
#: commit together.
ChangeHook = Callable[[Connection, ItemRow, ItemAction, dict[str, Any]], None]
