"""Hub command functions: accounts, default database, loopback-only serving; import boundary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vmadesk.hub import auth, cli
from vmadesk.hub.db import make_engine, normalize_url, users

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_add_user_stores_only_the_hash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "hub.sqlite3")
    token = cli.add_user("ana", "vma", db)
    assert len(token) >= 43
    with pytest.raises(auth.AccountError):
        cli.add_user("ana", "vma", db)
    with pytest.raises(auth.AccountError):
        cli.add_user("Ana Smith", "vma", db)
    with pytest.raises(auth.AccountError):
        cli.add_user("bob", "admin", db)
    engine = make_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(users.select()).all()
    assert [(r.name, r.role, r.token_hash) for r in rows] == [
        ("ana", "vma", auth.hash_token(token))
    ]
    assert token.encode() not in Path(db).read_bytes()
    assert cli.revoke_user("ana", db) is True
    assert cli.revoke_user("ana", db) is False
    assert cli.add_user("ana", "supervisor", db) != token  # re-issued after revocation
    engine.dispose()


def test_default_db_honours_xdg(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert normalize_url(None) == f"sqlite:///{tmp_path / 'vmadesk' / 'hub.sqlite3'}"
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_serve_refuses_non_loopback(capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.serve(None, "0.0.0.0", 0, False) == 2
    assert "refusing plain HTTP" in capsys.readouterr().err
    assert cli.serve(None, "192.168.1.10", 0, False) == 2
    assert cli.is_loopback("127.0.0.1") and cli.is_loopback("::1") and cli.is_loopback("localhost")


FORBIDDEN = ("vmadesk.store", "vmadesk.ui", "vmadesk.ingest", "vmadesk.services", "PySide6")


def test_hub_import_contract_holds() -> None:
    # The contract (pyproject.toml, import-linter) follows every import, lazy ones included,
    # and the chains behind them: the hub reaches only the wire schema and the vocabulary.
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--contract", "hub-isolated", "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_hub_loads_nothing_that_could_read_phi() -> None:
    code = (
        "import sys, vmadesk.hub.app, vmadesk.hub.cli, vmadesk.hub.openapi;"
        "vmadesk.hub.routes.all_endpoints();"
        "print(sorted(m for m in sys.modules if m.startswith(('vmadesk', 'PySide6'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert "PySide6" not in loaded
    for name in FORBIDDEN:
        assert f"'{name}" not in loaded
