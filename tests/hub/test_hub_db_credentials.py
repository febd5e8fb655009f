"""The PostgreSQL password never on a command line: ``--db`` without it, libpq finds it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.support.hub import free_port
from vmadesk import cli
from vmadesk.hub.db import make_engine, users


def test_db_argument_with_a_password_is_refused(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql://hub:s3cret-pw@127.0.0.1:1/hub"
    for argv in (
        ["hub", "add-user", "ana", "--role", "vma", "--db", url],
        ["hub", "revoke", "ana", "--db", url],
        ["hub", "serve", "--db", url],
        ["hub", "board", "--db", url, "--json"],
    ):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "PGPASSWORD" in err and "s3cret" not in err
    # a path or a URL without a password is fine
    assert cli.main(["hub", "add-user", "ana", "--role", "vma", "--db", str(tmp_path / "h")]) == 0


def test_db_url_from_the_environment(monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "hub.sqlite3"
    monkeypatch.setenv("VMADESK_HUB_DB", str(db))
    assert cli.main(["hub", "add-user", "ana", "--role", "vma"]) == 0
    capsys.readouterr()
    assert cli.main(["hub", "board", "--json"]) == 0
    assert '"vma": "ana"' in capsys.readouterr().out


def _pg_parts(db_url: str) -> tuple[str, str, dict[str, str]]:
    """(URL without password, password, libpq keywords) of the fixture's URL."""
    url = make_url(db_url)
    options = parse_qs(urlsplit(db_url).query)["options"][0]
    keywords = {
        "host": url.host or "127.0.0.1",
        "port": str(url.port or 5432),
        "dbname": url.database or "",
        "user": url.username or "",
        "options": options,
    }
    return (
        url._replace(password=None).render_as_string(hide_password=False),
        url.password or "",
        keywords,
    )


def _run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmadesk", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _names(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return sorted(row.name for row in conn.execute(select(users.c.name)))
    finally:
        engine.dispose()


def _scrubbed_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


@pytest.mark.postgres
def test_pgpassword_passfile_and_service(db_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    for key in [k for k in os.environ if k.startswith("PG")]:
        monkeypatch.delenv(key)
    bare, password, kw = _pg_parts(db_url)
    assert password and f":{password}@" not in bare and "@" in bare
    # 1. PGPASSWORD, and `hub serve` keeps the password off its command line
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vmadesk", "hub", "serve", "--db", bare, "--port", str(port)],
        env={**_scrubbed_env(), "PGPASSWORD": password},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "hub did not start"
            time.sleep(0.1)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert f":{password}@".encode() not in cmdline and b"hub\0serve" in cmdline
    finally:
        proc.terminate()
        proc.wait(10)
    # 2. a password file
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{kw['host']}:{kw['port']}:*:{kw['user']}:{password}\n")
    passfile.chmod(0o600)
    done = _run_cli(
        ["hub", "add-user", "ana", "--role", "vma", "--db", bare],
        {"PGPASSFILE": str(passfile)},
    )
    assert done.returncode == 0, done.stderr
    # 3. a libpq service (connection settings in the service file, password in the passfile)
    services = tmp_path / "pg_service.conf"
    services.write_text("[vmadesk_hub]\n" + "".join(f"{k}={v}\n" for k, v in kw.items()))
    done = _run_cli(
        [
            "hub",
            "add-user",
            "sue",
            "--role",
            "supervisor",
            "--db",
            "postgresql:///?service=vmadesk_hub",
        ],
        {"PGPASSFILE": str(passfile), "PGSERVICEFILE": str(services)},
    )
    assert done.returncode == 0, done.stderr
    assert _names(db_url) == ["ana", "sue"]
