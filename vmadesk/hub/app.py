"""The hub's ASGI application (Starlette).

Every endpoint is declared once as an :class:`Endpoint` (method, path, models, roles); the same
declarations build the routes and the OpenAPI document. A request goes through one pipeline:

1. body size (``Content-Length`` and the bytes actually read) -> 413;
2. in one database transaction: bearer token -> 401, role -> 403, path and query parameters
   -> 404 / 422, body against the wire model -> 400 / 422, then the handler. Any error rolls the
   transaction back, so nothing is stored. Checking the role before the parameters keeps a
   caller without the role from learning which parameter values the operation accepts.

One route per path dispatches on the method, so a method the path does not serve gets 405 with
an ``Allow`` header listing the ones it does.

Errors are ``{"error": code, "detail": [field paths]}``; input values are never echoed, and the
access log names the route template, not the raw path. The app keeps no state but its config:
several processes can serve one database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vmadesk import wire
from vmadesk.hub import auth, migrate
from vmadesk.hub.db import make_engine, now_ms
from vmadesk.hub.endpoint import (
    POLL_SECONDS,
    Ctx,
    Endpoint,
    HubError,
    forbidden,
    not_found,
    validation_error,
)
from vmadesk.hub.openapi import build_openapi
from vmadesk.hub.routes import all_endpoints
from vmadesk.wire import ErrorCode

log = logging.getLogger("vmadesk.hub")
access_log = logging.getLogger("vmadesk.hub.access")

DEFAULT_MAX_BODY = 1024 * 1024
_RETRIES = 4
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})


# --------------------------------------------------------------------------------------------
# Error formatting without echoing input
# --------------------------------------------------------------------------------------------


def _known_words() -> frozenset[str]:
    words: set[str] = {"[key]", "body", "query", "path"}
    for model in wire.ALL_MODELS:
        words.update(model.model_fields)
    for value in vars(wire).values():
        if isinstance(value, type) and issubclass(value, Enum):
            words.update(str(member.value) for member in value)
    words.update(["summary", "item_event", "escalation"])
    return frozenset(words)


_KNOWN = _known_words()
_SAFE_WORD = re.compile(r"^[a-z0-9_\[\]-]{1,64}$")


def _path_of(loc: tuple[int | str, ...]) -> str:
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(str(part))
        elif part in _KNOWN and _SAFE_WORD.match(part):
            parts.append(part)
        else:
            # An unknown key is part of the input: never echo it.
            parts.append("<unknown>")
    return ".".join(parts) or "<root>"


def _paths(error: ValidationError) -> list[str]:
    out: list[str] = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        path = _path_of(tuple(item["loc"]))
        kind = item["type"] if _SAFE_WORD.match(item["type"]) else "invalid"
        entry = f"{path}.{kind}" if path != "<root>" else kind
        if entry not in out:
            out.append(entry)
    return out[:50]


def _error_response(exc: HubError) -> JSONResponse:
    return JSONResponse({"error": exc.code.value, "detail": exc.detail}, status_code=exc.status)


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


async def _read_body(request: Request, max_body: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HubError(400, ErrorCode.INVALID_JSON, ["content-length"])
        if int(declared) > max_body:
            raise HubError(413, ErrorCode.BODY_TOO_LARGE, [f"max_bytes.{max_body}"])
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise HubError(413, ErrorCode.BODY_TOO_LARGE, [f"max_bytes.{max_body}"])
        chunks.append(chunk)
    return b"".join(chunks)


def _check_params(endpoint: Endpoint, request: Request) -> tuple[dict[str, str], dict[str, str]]:
    path: dict[str, str] = {}
    for name, pattern in endpoint.path_params.items():
        value = str(request.path_params.get(name, ""))
        if not re.fullmatch(pattern, value):
            raise not_found()
        path[name] = value
    allowed = {q.name: q for q in endpoint.query}
    query: dict[str, str] = {}
    bad: list[str] = []
    for name, value in request.query_params.multi_items():
        spec = allowed.get(name)
        if spec is None:
            bad.append("query.<unknown>")
        elif name in query or not re.fullmatch(spec.pattern, value):
            bad.append(f"query.{name}")
        else:
            query[name] = value
    if bad:
        raise validation_error(bad)
    return path, query


class Hub:
    """The configured application: an engine and the endpoint table."""

    def __init__(self, engine: Engine, max_body: int, clock: Callable[[], int] = now_ms) -> None:
        self.engine = engine
        self.max_body = max_body
        self.clock = clock
        self._waiters: set[asyncio.Future[None]] = set()

    @property
    def waiting(self) -> int:
        """How many long polls wait in this process now."""
        return len(self._waiters)

    def notify(self) -> None:
        """Wake every waiting long poll (call on the event loop, after a write committed)."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _changed(self, timeout: float) -> None:
        """Until a notifying write commits in this process, or ``timeout`` seconds."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    async def _answer(self, endpoint: Endpoint, request: Request, raw: bytes | None) -> Any:
        """Run the endpoint; a long poll runs it again on each change until it has news."""
        authorization = request.headers.get("authorization")
        result = await run_in_threadpool(self._run, endpoint, authorization, raw, request)
        if endpoint.keep_waiting is None:
            return result
        loop = asyncio.get_running_loop()
        # validated by the first run (a bad value was a 422)
        deadline = loop.time() + int(request.query_params.get("wait", "0"))
        while endpoint.keep_waiting(result) and loop.time() < deadline:
            await self._changed(min(POLL_SECONDS, deadline - loop.time()))
            result = await run_in_threadpool(self._run, endpoint, authorization, raw, request)
        return result

    def _run(
        self, endpoint: Endpoint, authorization: str | None, raw: bytes | None, request: Request
    ) -> BaseModel | None:
        for attempt in range(_RETRIES):
            try:
                return self._run_once(endpoint, authorization, raw, request)
            except HubError as error:
                if error.record is not None:
                    with self.engine.begin() as conn:
                        error.record(conn)
                raise
            except DBAPIError as error:
                # deadlock / serialization failure: the transaction rolled back; run it again
                code = getattr(error.orig, "sqlstate", None)
                if code not in _RETRY_SQLSTATES or attempt == _RETRIES - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _run_once(
        self, endpoint: Endpoint, authorization: str | None, raw: bytes | None, request: Request
    ) -> BaseModel | None:
        with self.engine.begin() as conn:
            account = auth.authenticate(conn, authorization)
            if account is None:
                raise HubError(401, ErrorCode.UNAUTHENTICATED)
            if account.role not in endpoint.roles:
                raise forbidden("role")
            path, query = _check_params(endpoint, request)
            body = None
            if endpoint.request is not None:
                if not raw:
                    raise HubError(400, ErrorCode.INVALID_JSON, ["body"])
                try:
                    json.loads(raw)
                except (ValueError, UnicodeDecodeError, RecursionError):
                    # RecursionError: JSON nested deeper than the parser's stack (a fuzzer's
                    # 100,000 brackets) is malformed input, not a server fault.
                    raise HubError(400, ErrorCode.INVALID_JSON, ["body"]) from None
                try:
                    body = endpoint.request.model_validate_json(raw)
                except ValidationError as error:
                    raise validation_error(_paths(error)) from None
            return endpoint.handler(Ctx(conn, account, body, path, query, self.clock))

    def route(self, path: str, endpoints: list[Endpoint]) -> Route:
        """One Starlette route for ``path`` dispatching each method to its endpoint."""
        by_method = {endpoint.method: endpoint for endpoint in endpoints}
        if "GET" in by_method:
            by_method.setdefault("HEAD", by_method["GET"])

        async def dispatch(request: Request) -> Response:
            return await self.call(by_method[request.method], request)

        dispatch.__name__ = "_".join(e.handler.__name__ for e in endpoints)
        return Route(path, dispatch, methods=sorted(by_method))

    async def call(self, endpoint: Endpoint, request: Request) -> Response:
        """Run ``endpoint`` through the pipeline and answer."""
        started = time.perf_counter()
        status = 500
        try:
            raw = None
            if endpoint.request is not None:
                ctype = request.headers.get("content-type", "application/json")
                if not ctype.split(";")[0].strip().lower().endswith("json"):
                    raise HubError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, ["content-type"])
                raw = await _read_body(request, self.max_body)
            result = await self._answer(endpoint, request, raw)
            if endpoint.notifies:
                self.notify()
            status = endpoint.status
            if result is None:
                return Response(status_code=status)
            return Response(
                result.model_dump_json(), status_code=status, media_type="application/json"
            )
        except HubError as exc:
            status = exc.status
            return _error_response(exc)
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) in _RETRY_SQLSTATES:
                status = 503
                return _error_response(HubError(503, ErrorCode.INTERNAL, ["retry"]))
            status = 503
            log.exception("database unavailable")
            return _error_response(HubError(503, ErrorCode.INTERNAL, ["database"]))
        except Exception:
            log.exception("internal error in %s %s", endpoint.method, endpoint.path)
            return _error_response(HubError(500, ErrorCode.INTERNAL))
        finally:
            access_log.info(
                "%s %s %d %.1fms",
                endpoint.method,
                endpoint.path,
                status,
                (time.perf_counter() - started) * 1000,
            )

    def health(self) -> wire.Health:
        """Probe the database."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return wire.Health()


def _by_path(endpoints: list[Endpoint]) -> dict[str, list[Endpoint]]:
    grouped: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        grouped.setdefault(endpoint.path, []).append(endpoint)
    return grouped


def create_app(
    db_url: str | None,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    migrate_db: bool = True,
    clock: Callable[[], int] = now_ms,
) -> Starlette:
    """Build the hub for ``db_url`` (``None``: the default SQLite file), migrating it first.

    ``clock`` gives the hub's time in milliseconds since the epoch (leases, lapses, the
    plausibility of a console's times, the board's window); tests pass one they move.
    """
    # uvicorn's access log prints raw paths and query strings, which carry whatever a client
    # typed; the hub's own access log (route templates only) replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    engine = make_engine(db_url)
    if migrate_db:
        migrate.upgrade(engine)
    hub = Hub(engine, max_body, clock)

    async def health(_request: Request) -> Response:
        try:
            result = await run_in_threadpool(hub.health)
        except OperationalError:
            return _error_response(HubError(503, ErrorCode.INTERNAL, ["database"]))
        return Response(result.model_dump_json(), media_type="application/json")

    async def openapi(_request: Request) -> Response:
        return JSONResponse(build_openapi())

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(
            exc.status_code, ErrorCode.INVALID_JSON
        )
        access_log.info("<unmatched> %d", exc.status_code)
        response = _error_response(HubError(exc.status_code, code))
        if exc.headers and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response

    async def server_error(_request: Request, _exc: Exception) -> Response:
        log.error("internal error", exc_info=_exc)
        return _error_response(HubError(500, ErrorCode.INTERNAL))

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/v1/openapi.json", openapi, methods=["GET"]),
        *(hub.route(path, group) for path, group in _by_path(all_endpoints()).items()),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.engine = engine
    app.state.hub = hub
    app.state.max_body = max_body
    return app
