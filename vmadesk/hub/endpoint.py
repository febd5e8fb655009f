"""What every hub endpoint is built from: the declaration, the handler's context, errors, params.

The route modules (:mod:`vmadesk.hub.routes`) declare their operations with these types and
:mod:`vmadesk.hub.app` serves them; neither imports the other's internals, so there is no cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection

from vmadesk import wire
from vmadesk.hub import auth
from vmadesk.hub.db import now_ms
from vmadesk.wire import ErrorCode, Role


class HubError(Exception):
    """An error answered to the client as ``{"error": code, "detail": [...]}``."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        detail: list[str] | None = None,
        *,
        record: Callable[[Connection], None] | None = None,
    ) -> None:
        super().__init__(code.value)
        self.status = status
        self.code = code
        self.detail = detail or []
        #: Written in a transaction of its own once the refused request's one rolled back: what
        #: the hub must remember of a refusal (e.g. a console whose audit chain went back).
        self.record = record


def not_found() -> HubError:
    """404 without saying what was missing."""
    return HubError(404, ErrorCode.NOT_FOUND)


def forbidden(detail: str = "") -> HubError:
    """403: the caller's role or ownership does not allow this."""
    return HubError(403, ErrorCode.FORBIDDEN, [detail] if detail else [])


def conflict(detail: str) -> HubError:
    """409: the request contradicts stored state."""
    return HubError(409, ErrorCode.CONFLICT, [detail])


def validation_error(paths: list[str]) -> HubError:
    """422 with field paths."""
    return HubError(422, ErrorCode.VALIDATION_FAILED, paths)


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a handler gets: the open transaction, the caller, and the validated request."""

    conn: Connection
    account: auth.Account
    body: Any
    path: Mapping[str, str]
    query: Mapping[str, str]
    #: The hub's clock, milliseconds since the epoch (tests move it; see ``create_app``).
    now_ms: Callable[[], int] = now_ms


@dataclass(frozen=True)
class QueryParam:
    """A query parameter: its pattern, and a description for the OpenAPI document."""

    name: str
    pattern: str
    description: str = ""


@dataclass(frozen=True)
class Endpoint:
    """One API operation."""

    method: str
    path: str
    handler: Callable[[Ctx], BaseModel | None]
    summary: str
    roles: frozenset[Role] = frozenset({Role.VMA, Role.SUPERVISOR})
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: tuple[QueryParam, ...] = ()
    #: A write others may be waiting for: waiting requests re-check after it commits.
    notifies: bool = False
    #: A long poll: while this says the answer is empty, wait (up to the ``wait`` query
    #: parameter, seconds) for a notifying write, then answer again.
    keep_waiting: Callable[[Any], bool] | None = None


PSEUDONYM_PARAM = wire.HEX64_PATTERN
UUID_PARAM = wire.UUID4_PATTERN
HANDLE_PARAM = wire.HANDLE_PATTERN
LIMIT_QUERY = QueryParam("limit", r"^[1-9][0-9]{0,3}$", "at most this many (1-9999)")
WAIT_QUERY = QueryParam("wait", r"^(?:[0-9]|[12][0-9]|30)$", "seconds to wait for a change (0-30)")
#: A long poll re-reads the database this often even without a notification: another hub
#: process (several serve one PostgreSQL) may have written what it waits for.
POLL_SECONDS = 1.0


def limit_of(ctx: Ctx, default: int = 500) -> int:
    """The ``limit`` query parameter."""
    return int(ctx.query.get("limit", default))
