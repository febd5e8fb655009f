"""Pseudonyms and the hub client's error classification."""

from __future__ import annotations

import hashlib
import hmac
import re
import socket

import httpx
import pytest

from vmadesk import wire
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable
from vmadesk.sync.pseudonym import pseudonym

SECRET = bytes(range(32))


def test_pseudonym_is_keyed_hex_and_unambiguous() -> None:
    p = pseudonym(SECRET, "ehr", "12345")
    assert re.fullmatch(wire.HEX64_PATTERN, p)
    assert p == pseudonym(SECRET, "ehr", "12345")
    assert p != pseudonym(bytes(32), "ehr", "12345")
    assert pseudonym(SECRET, "ab", "c") != pseudonym(SECRET, "a", "bc")
    assert p != hashlib.sha256(b"ehr12345").hexdigest()
    assert p != hmac.new(SECRET, b"ehr12345", hashlib.sha256).hexdigest()
    with pytest.raises(ValueError):
        pseudonym(b"short", "ehr", "1")
    with pytest.raises(ValueError):
        pseudonym(SECRET, "", "1")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_hub_is_unavailable() -> None:
    client = HubClient(f"http://127.0.0.1:{closed_port()}", "t" * 43, 2)
    with client, pytest.raises(HubUnavailable):
        client.health()


def test_status_classification() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(503, json={"error": "internal_error", "detail": ["database"]})
        return httpx.Response(422, json={"error": "validation_failed", "detail": ["pseudonym"]})

    # a transport stub stands in for the network only; the hub itself is tested over loopback
    with HubClient("http://hub.test", "t" * 43, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(HubUnavailable):
            client.health()
        with pytest.raises(HubRejected) as info:
            client.whoami()
    assert (info.value.status, info.value.code, info.value.detail) == (
        422,
        "validation_failed",
        ["pseudonym"],
    )
