"""The command-line contract, run as a VMA's script would: real processes, real files."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, cli_env
from vmadesk.domain.vocabulary import Lane
from vmadesk.store import item_queries
from vmadesk.store import profile as profiles


def run(
    *args: str, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "vmadesk", *args],
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args}: {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def init_profile(directory: Path) -> subprocess.CompletedProcess[str]:
    """``vmadesk profile init`` for the handle ana.r, passphrase from the environment."""
    return run(
        "profile",
        "init",
        "--profile",
        str(directory),
        "--vma",
        "ana.r",
        env={"VMADESK_PASSPHRASE": PASSPHRASE},
        check=True,
    )


@pytest.fixture
def cli_profile(tmp_path: Path) -> Path:
    directory = tmp_path / "cli-profile"
    out = init_profile(directory)
    assert "Recovery key" in out.stdout
    assert re.search(r"([A-Z2-7]{4}-){12}[A-Z2-7]{4}", out.stdout)
    return directory


def test_info_json_and_text(cli_profile: Path) -> None:
    out = run(
        "profile",
        "info",
        "--profile",
        str(cli_profile),
        "--json",
        env={"VMADESK_PASSPHRASE": PASSPHRASE},
        check=True,
    )
    info = json.loads(out.stdout)
    assert info["mode"] == "passphrase"
    assert info["slots"] == ["passphrase", "recovery"]
    assert info["open_items"] == {lane.value: 0 for lane in Lane}
    text = run(
        "profile",
        "info",
        "--profile",
        str(cli_profile),
        env={"VMADESK_PASSPHRASE": PASSPHRASE},
        check=True,
    ).stdout
    assert "Protected by your passphrase" in text


def test_wrong_passphrase_is_exit_2_with_one_line(cli_profile: Path) -> None:
    def files() -> dict[str, bytes]:
        return {
            p.name: p.read_bytes() for p in cli_profile.iterdir() if p.name != "unlock_state.json"
        }

    before = files()
    out = run(
        "audit",
        "verify",
        "--profile",
        str(cli_profile),
        env={"VMADESK_PASSPHRASE": "definitely wrong"},
    )
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "Wrong passphrase" in out.stderr and "Traceback" not in out.stderr
    assert files() == before


def test_no_passphrase_without_terminal_is_exit_2(cli_profile: Path) -> None:
    out = run("profile", "info", "--profile", str(cli_profile))
    assert out.returncode == 2 and "VMADESK_PASSPHRASE" in out.stderr


def test_missing_profile_is_exit_2(tmp_path: Path) -> None:
    out = run(
        "profile",
        "info",
        "--profile",
        str(tmp_path / "nope"),
        env={"VMADESK_PASSPHRASE": PASSPHRASE},
    )
    assert out.returncode == 2 and "No vmadesk profile" in out.stderr


def test_audit_verify_catches_a_modified_row(cli_profile: Path) -> None:
    env = {"VMADESK_PASSPHRASE": PASSPHRASE}
    run("profile", "check", "--profile", str(cli_profile), env=env, check=True)
    ok = run("audit", "verify", "--profile", str(cli_profile), env=env, check=True)
    assert re.fullmatch(r"ok \d+ entries\n", ok.stdout)
    profile = profiles.unlock(cli_profile, passphrase=PASSPHRASE)
    profile.conn.execute("DROP TRIGGER audit_no_update")
    profile.conn.execute("UPDATE audit SET details = '{}' WHERE seq = 2")
    profile.close()
    bad = run("audit", "verify", "--profile", str(cli_profile), env=env)
    assert bad.returncode == 1
    assert "broken at sequence 2" in bad.stdout


def test_change_passphrase_and_rotate_key(cli_profile: Path) -> None:
    env = {"VMADESK_PASSPHRASE": PASSPHRASE, "VMADESK_NEW_PASSPHRASE": "another long one"}
    run("profile", "change-passphrase", "--profile", str(cli_profile), env=env, check=True)
    new_env = {"VMADESK_PASSPHRASE": "another long one"}
    rotated = run("profile", "rotate-key", "--profile", str(cli_profile), env=new_env, check=True)
    assert "New recovery key" in rotated.stdout
    run("audit", "verify", "--profile", str(cli_profile), env=new_env, check=True)
    assert (
        run(
            "profile", "info", "--profile", str(cli_profile), env={"VMADESK_PASSPHRASE": PASSPHRASE}
        ).returncode
        == 2
    )


def test_help_documents_every_command() -> None:
    for args in (
        ("--help",),
        ("profile", "--help"),
        ("profile", "init", "--help"),
        ("audit", "verify", "--help"),
        ("demo", "--help"),
    ):
        assert run(*args, check=True).stdout.startswith("usage: vmadesk")


def _phi_strings(directory: Path, passphrase: str) -> set[str]:
    profile = profiles.unlock(directory, passphrase=passphrase)
    try:
        rows = item_queries.page(
            profile.conn, item_queries.ItemQuery(open_only=False), offset=0, limit=10_000
        )
    finally:
        profile.close()
    canaries: set[str] = set()
    for row in rows:
        canaries |= {row.patient_family, row.patient_given}
        if row.phone:
            canaries |= {row.phone, row.phone[-10:], row.phone[-7:]}
        if row.patient_dob:
            y, m, d = row.patient_dob.split("-")
            canaries |= {row.patient_dob, f"{m}/{d}/{y}"}
    # Five characters or more: the encrypted database is random bytes, where a short string
    # turns up by chance (a 4-byte string about once per 4 GB, per name).
    return {c for c in canaries if c and len(c) >= 5}


def test_demo_profile_leaves_no_phi_on_disk(tmp_path: Path, platform_dirs: dict[str, Path]) -> None:
    directory = platform_dirs["data"] / "vmadesk" / "demo"
    env = {"VMADESK_PASSPHRASE": "vmadesk-demo"}
    run("demo", "--profile", str(directory), "--items", "40", env=env, check=True)
    for args in (("profile", "info"), ("profile", "check"), ("audit", "verify")):
        run(*args, "--profile", str(directory), env=env, check=True)
    canaries = _phi_strings(directory, "vmadesk-demo")
    assert len(canaries) > 40
    scanned = 0
    for root in platform_dirs.values():
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            scanned += 1
            data = path.read_bytes()
            for canary in canaries:
                assert canary.encode() not in data, f"{canary!r} found in {path.name}"
                assert canary.encode("utf-16-le") not in data
            for canary in canaries:
                assert canary not in path.name
    assert scanned >= 3  # database, key slots, log at least


def test_recover_with_the_recovery_key(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    out = init_profile(directory)
    recovery = re.search(r"(([A-Z2-7]{4}-){12}[A-Z2-7]{4})", out.stdout).group(1)
    wrong = run(
        "profile",
        "recover",
        "--profile",
        str(directory),
        env={"VMADESK_RECOVERY_KEY": "AAAA" * 13, "VMADESK_NEW_PASSPHRASE": "x" * 12},
    )
    assert wrong.returncode == 2 and "Wrong recovery key" in wrong.stderr
    run(
        "profile",
        "recover",
        "--profile",
        str(directory),
        env={"VMADESK_RECOVERY_KEY": recovery, "VMADESK_NEW_PASSPHRASE": "forgot it, new one"},
        check=True,
    )
    run(
        "audit",
        "verify",
        "--profile",
        str(directory),
        env={"VMADESK_PASSPHRASE": "forgot it, new one"},
        check=True,
    )


@pytest.mark.parametrize(
    ("argv", "console"),
    [
        ([], True),
        (["--profile", "p"], True),
        (["--profile=p", "--supervisor", "--hub", "http://127.0.0.1:1"], True),
        (["--profile"], False),
        (["demo"], False),
        (["--profile", "p", "demo"], False),
        (["--help"], False),
        (["--version"], False),
        (["--supervisor=yes"], False),
    ],
)
def test_only_a_bare_console_start_skips_the_commands(argv: list[str], console: bool) -> None:
    from vmadesk.cli import build_parser, opens_console

    assert opens_console(argv) is console
    if console:  # the console-only parser reads the same options as the whole one
        assert vars(build_parser(commands=False).parse_args(argv)) == {
            k: v for k, v in vars(build_parser().parse_args(argv)).items() if k != "command"
        }


# -- hardening: one clear line, the right exit code, nothing counted that was not a wrong secret


def _one_clear_line(out: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in out.stderr and "Logging error" not in out.stderr, out.stderr
    assert out.stderr.strip().count("\n") == 0, out.stderr
    return out.stderr


def test_damaged_key_slot_file_is_exit_2(cli_profile: Path) -> None:
    env = {"VMADESK_PASSPHRASE": PASSPHRASE}
    for content in ("[1, 2]", "null", '{"format": 1, "profile_id": "x", "slots": [{}]}'):
        (cli_profile / "keyslots.json").write_text(content)
        out = run("profile", "info", "--profile", str(cli_profile), env=env)
        assert out.returncode == 2
        assert "keyslots.json is damaged" in _one_clear_line(out)


def test_back_off_says_how_long_even_with_a_clock_set_back(cli_profile: Path) -> None:
    import time

    state = {"failures": 6, "last_failure": time.time() + 86_400}  # a day in the future
    (cli_profile / "unlock_state.json").write_text(json.dumps(state))
    out = run("profile", "info", "--profile", str(cli_profile), env={"VMADESK_PASSPHRASE": "x"})
    assert out.returncode == 2
    assert "try again in 8 s" in _one_clear_line(out)
    # The future time was clamped to now, not counted as another failure.
    saved = json.loads((cli_profile / "unlock_state.json").read_text())
    assert saved["failures"] == 6 and saved["last_failure"] <= time.time()


def test_another_profiles_database_is_not_a_wrong_passphrase(
    cli_profile: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    init_profile(other)
    for name in ("vmadesk.db", "vmadesk.db-wal", "vmadesk.db-shm"):
        (cli_profile / name).unlink(missing_ok=True)
    (cli_profile / "vmadesk.db").write_bytes((other / "vmadesk.db").read_bytes())
    out = run(
        "audit", "verify", "--profile", str(cli_profile), env={"VMADESK_PASSPHRASE": PASSPHRASE}
    )
    assert out.returncode == 1
    line = _one_clear_line(out)
    assert "does not belong to this profile" in line and "Wrong passphrase" not in line
    assert not (cli_profile / "unlock_state.json").exists()


def test_audit_verify_catches_a_chain_cut_short_and_a_missing_table(cli_profile: Path) -> None:
    env = {"VMADESK_PASSPHRASE": PASSPHRASE}
    for _ in range(3):
        run("profile", "check", "--profile", str(cli_profile), env=env, check=True)
    profile = profiles.unlock(cli_profile, passphrase=PASSPHRASE)
    raw = profile.connect()
    raw.execute("DROP TRIGGER audit_no_delete")
    raw.execute("DELETE FROM audit WHERE seq > 2")
    raw.close()
    profile.conn.close()  # no further entry from this session: the cut stays at the end
    short = run("audit", "verify", "--profile", str(cli_profile), env=env)
    assert short.returncode == 1 and "cut short" in short.stdout
    profile = profiles.unlock(cli_profile, passphrase=PASSPHRASE)
    profile.conn.execute("DROP TABLE audit")
    profile.close()
    for command in (("audit", "verify"), ("profile", "info")):
        out = run(*command, "--profile", str(cli_profile), env=env)
        assert out.returncode == 1, command
        assert "audit trail is damaged" in _one_clear_line(out)


def test_rotate_key_shows_the_new_recovery_key_before_it_is_in_force(cli_profile: Path) -> None:
    env = {"VMADESK_PASSPHRASE": PASSPHRASE}
    out = run("profile", "rotate-key", "--profile", str(cli_profile), env=env, check=True)
    shown = re.search(r"(([A-Z2-7]{4}-){12}[A-Z2-7]{4})", out.stdout)
    assert shown and out.stdout.index(shown.group(1)) < out.stdout.index("rotated")
    recovered = run(
        "profile",
        "recover",
        "--profile",
        str(cli_profile),
        env={"VMADESK_RECOVERY_KEY": shown.group(1), "VMADESK_NEW_PASSPHRASE": "after rotation"},
    )
    assert recovered.returncode == 0, recovered.stderr


def test_a_full_log_disk_is_one_line_and_exit_1(
    cli_profile: Path, platform_dirs: dict[str, Path]
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    from vmadesk import paths

    log_file = paths.log_dir() / "vmadesk.log"
    log_file.unlink(missing_ok=True)
    log_file.symlink_to("/dev/full")  # every write to it fails with ENOSPC
    out = run(
        "profile", "info", "--profile", str(cli_profile), env={"VMADESK_PASSPHRASE": PASSPHRASE}
    )
    assert out.returncode == 1
    assert "disk is full" in _one_clear_line(out)


def test_every_file_vmadesk_writes_is_private(
    cli_profile: Path, platform_dirs: dict[str, Path]
) -> None:
    env = {"VMADESK_PASSPHRASE": PASSPHRASE}
    run("profile", "info", "--profile", str(cli_profile), env={"VMADESK_PASSPHRASE": "wrong!"})
    for args in (("profile", "info"), ("audit", "verify"), ("profile", "rotate-key")):
        run(*args, "--profile", str(cli_profile), env=env, check=True)
    written = [p for root in (*platform_dirs.values(), cli_profile) for p in root.rglob("*")]
    assert any(p.name == "vmadesk.log" for p in written)
    for path in written:
        assert path.stat().st_mode & 0o077 == 0, path


def test_ui_ini_is_private_even_when_an_older_release_left_it_open(
    platform_dirs: dict[str, Path],
) -> None:
    import os

    from vmadesk.ui.ui_settings import UiSettings, settings_path

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[lock]\nauto_lock_minutes=5\n")
    path.chmod(0o644)
    old = os.umask(0o022)
    try:
        settings = UiSettings()
        settings.auto_lock_minutes = 7
        settings.sync()
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 KiB tmpfs of its own (needs the right to mount, as root in CI containers)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _remount(mount_point: Path, option: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{option}", str(mount_point)], check=True)


def test_full_and_read_only_profile_disks_are_one_line_and_exit_1(tiny_disk: Path) -> None:
    directory = tiny_disk / "profile"
    init_profile(directory)
    env = {"VMADESK_PASSPHRASE": PASSPHRASE}
    before = sorted(p.name for p in directory.iterdir())
    filler = tiny_disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
    for command in (("profile", "info"), ("profile", "rotate-key"), ("demo", "--items", "3")):
        out = run(*command, "--profile", str(directory), env=env)
        assert out.returncode == 1, command
        assert "disk is full" in _one_clear_line(out), command
    wrong = run("profile", "info", "--profile", str(directory), env={"VMADESK_PASSPHRASE": "bad!"})
    assert wrong.returncode == 1 and "disk is full" in _one_clear_line(wrong)
    filler.unlink()
    _remount(tiny_disk, "ro")
    for command in (("profile", "info"), ("profile", "rotate-key")):
        out = run(*command, "--profile", str(directory), env=env)
        assert out.returncode == 1, command
        assert "read-only" in _one_clear_line(out), command
    strays = [
        p.name
        for p in directory.iterdir()
        if p.name not in (*before, "vmadesk.db-wal", "vmadesk.db-shm")
    ]
    assert strays == []
    _remount(tiny_disk, "rw")
    run("audit", "verify", "--profile", str(directory), env=env, check=True)
