"""schemathesis against the hub's served OpenAPI document: no request may get a 5xx.

Every operation is fuzzed with valid (positive) and invalid (negative) requests, as a VMA and as a
supervisor, on SQLite and PostgreSQL. Examples are bounded and derandomized (the same requests on
every run) so the test is fast and reproducible; a failure names the operation and the status.
"""

from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode

from tests.hub.test_hub_api import env, event, summary

EXAMPLES_PER_OPERATION = 6
ROLE_ACCOUNT = {"vma": "ana", "supervisor": "sue"}


def _fuzz(operation, base_url: str, headers: dict[str, str], mode: GenerationMode) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []

    # A long poll would hold each example for its whole wait: fuzz it without waiting.
    fixed = {"query": {"wait": "0"}} if operation.path.endswith("/changes") else {}

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        if response.status_code >= 500:
            errors.append(f"{operation.method.upper()} {operation.path} -> {response.status_code}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        # An operation with nothing to get wrong (no parameters, no body) has no negative cases.
        assert mode is GenerationMode.NEGATIVE
    return errors


def test_no_server_errors(hub) -> None:  # type: ignore[no-untyped-def]
    # Some data, so that reads and writes meet stored rows too.
    hub.client("ana").send([env(summary()), *(env(event(i)) for i in range(3))])
    hub.client("ana").claim([event(0).pseudonym])
    schema = schemathesis.openapi.from_url(hub.base_url + "/v1/openapi.json")
    document = schema.raw_schema
    errors: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        roles = document["paths"][operation.path][operation.method.lower()].get("x-roles", ["vma"])
        # Each operation as a caller who may use it (a caller without the role is refused before
        # anything else is read); reads also as the other role, whose scope differs.
        callers = [ROLE_ACCOUNT[role] for role in roles]
        if operation.method.upper() != "GET":
            callers = callers[:1]
        for who in callers:
            headers = {"Authorization": f"Bearer {hub.tokens[who]}"}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                errors.extend(_fuzz(operation, hub.base_url, headers, mode))
    assert errors == [], sorted(set(errors))
