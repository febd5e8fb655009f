"""The hub's OpenAPI 3.1 document, assembled from the endpoint table and the wire models.

``vmadesk/hub/openapi.json`` is the committed copy; ``write_openapi`` regenerates it and a test
checks it matches (``python -c "from vmadesk.hub.openapi import write_openapi; write_openapi()"``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from vmadesk import wire
from vmadesk.hub.routes import all_endpoints

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
_REF = "#/components/schemas/{model}"


def _ref(model: type) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _error_responses(endpoint) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    error = {"content": {"application/json": {"schema": _ref(wire.ErrorResponse)}}}
    out = {
        "401": {"description": "missing, unknown or revoked token", **error},
        "403": {"description": "role or ownership does not allow this", **error},
        "404": {"description": "not found (or not yours)", **error},
        "503": {"description": "database unavailable", **error},
    }
    if endpoint.request is not None or endpoint.query:
        out["422"] = {"description": "unknown field, wrong type or bad value", **error}
    if endpoint.request is not None:
        out["400"] = {"description": "body is not JSON", **error}
        out["409"] = {"description": "contradicts stored state", **error}
        out["413"] = {"description": "body larger than the limit", **error}
    return out


def build_openapi() -> dict[str, Any]:
    """The OpenAPI document as a dict."""
    _, schemas = models_json_schema(
        [(model, "validation") for model in wire.ALL_MODELS], ref_template=_REF
    )
    paths: dict[str, dict[str, Any]] = {
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and database probe (no authentication)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": _ref(wire.Health)}},
                    }
                },
            }
        }
    }
    for endpoint in all_endpoints():
        operation: dict[str, Any] = {
            "operationId": endpoint.handler.__name__,
            "summary": endpoint.summary,
            "x-roles": sorted(role.value for role in endpoint.roles),
            "parameters": [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": pattern},
                }
                for name, pattern in endpoint.path_params.items()
            ]
            + [
                {
                    "name": q.name,
                    "in": "query",
                    "required": False,
                    "description": q.description,
                    "schema": {"type": "string", "pattern": q.pattern},
                }
                for q in endpoint.query
            ],
            "responses": {
                str(endpoint.status): {
                    "description": "success",
                    **(
                        {"content": {"application/json": {"schema": _ref(endpoint.response)}}}
                        if endpoint.response
                        else {}
                    ),
                },
                **_error_responses(endpoint),
            },
        }
        if endpoint.request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(endpoint.request)}},
            }
        if not operation["parameters"]:
            del operation["parameters"]
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "vmadesk hub",
            "version": f"{wire.SCHEMA_VERSION}",
            "description": (
                "The vmadesk team hub. Every request and response model is in "
                "vmadesk/wire/: strict, closed, no free-text field."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def render_openapi() -> str:
    """The document as stable, pretty JSON text."""
    text = json.dumps(build_openapi(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    return re.sub(r"[ \t]+\n", "\n", text)


def write_openapi(path: str | Path | None = None) -> Path:
    """Write the document to ``path`` (default: the committed ``vmadesk/hub/openapi.json``)."""
    target = Path(path) if path is not None else OPENAPI_PATH
    target.write_text(render_openapi(), encoding="utf-8")
    return target
