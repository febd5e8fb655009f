"""The hub's own answers: health, who the caller is, and errors."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    StringConstraints,
)

from vmadesk.wire.common import SCHEMA_VERSION, ErrorCode, Handle, Role, Wire

# --------------------------------------------------------------------------------------------
# Hub housekeeping
# --------------------------------------------------------------------------------------------


class Health(Wire):
    """``GET /health``."""

    status: Literal["ok"] = "ok"
    schema_version: Literal[1] = SCHEMA_VERSION
    database: Literal["ok"] = "ok"


class Whoami(Wire):
    """The authenticated account."""

    handle: Handle
    role: Role


class ErrorResponse(Wire):
    """Every 4xx/5xx body: a code and the offending field paths (never the input values)."""

    error: ErrorCode
    # a pydantic field (copied per instance), not a shared class attribute
    detail: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\[\]<>-]{0,300}$")]] = []  # noqa: RUF012


#: Every model in this module, for schema walkers and the OpenAPI document.

__all__ = [
    "ErrorResponse",
    "Health",
    "Whoami",
]
