import secrets
import sqlite3
from pathlib import Path

import pytest

from vmadesk.store.connection import connect, rekey, transaction
from vmadesk.store.errors import NotEncryptedError, StoreError, WrongKeyError, user_message


def test_round_trip_encrypted_on_disk(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    path = tmp_path / "db"
    conn = connect(path, key, create=True)
    with transaction(conn):
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", ("Zyxwvutsky canary",))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"Zyxwvutsky" not in raw
    again = connect(path, key)
    assert again.execute("SELECT v FROM t").fetchall() == [("Zyxwvutsky canary",)]
    assert again.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_wrong_key_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db"
    conn = connect(path, secrets.token_bytes(32), create=True)
    with transaction(conn):
        conn.execute("CREATE TABLE t (v)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(WrongKeyError, match="did not open with this key"):
        connect(path, secrets.token_bytes(32))
    assert path.read_bytes() == before


def test_plain_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE t (v)")
    plain.commit()
    plain.close()
    with pytest.raises(NotEncryptedError):
        connect(path, secrets.token_bytes(32))


def test_missing_file_is_not_created_silently(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        connect(tmp_path / "absent.db", secrets.token_bytes(32))
    assert not (tmp_path / "absent.db").exists()


def test_key_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        connect(tmp_path / "db", b"short", create=True)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db", secrets.token_bytes(32), create=True)
    with transaction(conn):
        conn.execute("CREATE TABLE t (v)")
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_rekey_changes_the_key(tmp_path: Path) -> None:
    path = tmp_path / "db"
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    conn = connect(path, old, create=True)
    with transaction(conn):
        conn.execute("CREATE TABLE t (v)")
        conn.execute("INSERT INTO t VALUES (42)")
    rekey(conn, new)
    conn.close()
    with pytest.raises(WrongKeyError):
        connect(path, old)
    assert connect(path, new).execute("SELECT v FROM t").fetchone()[0] == 42


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database or disk is full", "disk is full"),
        ("database is locked", "busy in another"),
        ("attempt to write a readonly database", "read-only"),
        ("database disk image is malformed", "damaged"),
        ("file is not a database", "wrong key"),
    ],
)
def test_known_errors_have_user_messages(text: str, expected: str) -> None:
    assert expected in user_message(Exception(text))


def test_read_only_profile_reports_clearly(tmp_path: Path) -> None:
    path = tmp_path / "db"
    key = secrets.token_bytes(32)
    conn = connect(path, key, create=True)
    with transaction(conn):
        conn.execute("CREATE TABLE t (v)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    ro = connect(path, key)
    ro.execute("PRAGMA query_only = ON")
    with pytest.raises(Exception, match=r"readonly|read-only"), transaction(ro):
        ro.execute("INSERT INTO t VALUES (1)")
