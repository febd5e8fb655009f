"""Enrolment codes a supervisor reads out by phone: grouped, and the old form still read."""

from __future__ import annotations

import base64

import pytest

from vmadesk.domain.spoken_codes import to_spoken
from vmadesk.sync.enrolment import EnrolmentError, parse_team_secret_code, team_secret_code


def test_team_secret_codes_are_spoken_and_old_ones_still_read() -> None:
    secret = bytes(range(100, 132))
    assert team_secret_code(secret) == to_spoken(secret)
    assert parse_team_secret_code(team_secret_code(secret).lower()) == secret
    legacy = base64.b64encode(secret).decode("ascii")  # handed out before the grouped form
    assert parse_team_secret_code(legacy) == secret


@pytest.mark.parametrize("wrong", ["hello", base64.b64encode(bytes(20)).decode()])
def test_a_wrong_code_is_named_as_such(wrong: str) -> None:
    with pytest.raises(EnrolmentError, match="enrolment code"):
        parse_team_secret_code(wrong)
