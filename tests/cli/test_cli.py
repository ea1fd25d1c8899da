"""The command contract, run as real processes against their own data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

STEWARD = [sys.executable, "-m", "steward"]


def run(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("STEWARD_") and k != "DJANGO_SETTINGS_MODULE"
    }
    environment["STEWARD_DATA_DIR"] = str(data_dir)
    environment.update(env or {})
    return subprocess.run([*STEWARD, *args], capture_output=True, text=True, env=environment, timeout=120)


def initialise(data: Path) -> Path:
    """A data directory with a database, the organisation "Acme AI" and its admin."""
    result = run(
        data,
        "init",
        "--no-input",
        "--org",
        "Acme AI",
        "--admin-email",
        "admin@acme.example",
        "--admin-password",
        "s3cret-pass-word",
    )
    assert result.returncode == 0, result.stderr
    return data


@pytest.fixture(scope="module")
def home(tmp_path_factory: Any) -> Path:
    return initialise(tmp_path_factory.mktemp("steward-cli"))


def test_init_creates_database_organisation_and_admin_and_is_idempotent(home: Path) -> None:
    assert (home / "steward.sqlite3").exists()
    assert (home / "secret_key").exists()
    again = run(
        home,
        "init",
        "--no-input",
        "--org",
        "Acme AI",
        "--admin-email",
        "admin@acme.example",
        "--admin-password",
        "s3cret-pass-word",
    )
    assert again.returncode == 0, again.stderr
    assert run(home, "org", "list").stdout.splitlines() == ["Acme AI"]


def test_sqlite_runs_in_wal_mode(home: Path) -> None:
    with sqlite3.connect(home / "steward.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_org_create_and_list_one_name_per_line(home: Path) -> None:
    assert run(home, "org", "create", "Globex Corp").returncode == 0
    assert run(home, "org", "list").stdout.splitlines() == ["Acme AI", "Globex Corp"]
    duplicate = run(home, "org", "create", "Globex Corp")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr
    assert len(duplicate.stderr.strip().splitlines()) == 1


def test_user_create_and_token_create_print_only_the_token(home: Path) -> None:
    made = run(
        home,
        "user",
        "create",
        "--email",
        "eng@acme.example",
        "--password",
        "pw-123456789",
        "--org",
        "Acme AI",
        "--role",
        "contributor",
    )
    assert made.returncode == 0, made.stderr
    token = run(
        home,
        "token",
        "create",
        "--user",
        "eng@acme.example",
        "--org",
        "Acme AI",
        "--read-only",
        "--expires",
        "30",
    )
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("stw_") and len(token.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, reason",
    [
        (
            ("user", "create", "--email", "x@y.z", "--password", "p", "--org", "Nope", "--role", "viewer"),
            "no organisation",
        ),
        (
            ("user", "create", "--email", "x@y.z", "--password", "p", "--org", "Acme AI", "--role", "boss"),
            "boss",
        ),
        (("token", "create", "--user", "nobody@acme.example", "--org", "Acme AI"), "no user"),
        (
            ("token", "create", "--user", "admin@acme.example", "--org", "Acme AI", "--expires", "-3"),
            "positive",
        ),
        (("audit", "verify", "--org", "Nope"), "no organisation"),
        (("org", "create"), "Missing argument"),
        (("init", "--no-input", "--org", "New Org"), "needs --admin-email"),
    ],
)
def test_bad_arguments_exit_2_with_a_reason(home: Path, args: tuple[str, ...], reason: str) -> None:
    result = run(home, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert reason in result.stderr


def test_audit_verify_passes_then_detects_tampering(home: Path) -> None:
    ok = run(home, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "chain intact" in ok.stdout
    with sqlite3.connect(home / "steward.sqlite3") as db:
        db.execute("UPDATE audit_changerecord SET actor_label = 'mallory' WHERE sequence = 2")
    broken = run(home, "audit", "verify", "--org", "Acme AI")
    assert broken.returncode == 1
    assert "record #2" in broken.stdout and "altered" in broken.stdout


def test_every_command_honours_the_data_dir(tmp_path: Path) -> None:
    result = run(tmp_path, "org", "list")
    assert result.returncode != 0 and "steward init" in result.stderr
    assert (tmp_path / "steward.sqlite3").exists()


def test_check_reports_a_sane_configuration(home: Path) -> None:
    result = run(home, "check")
    assert result.returncode == 0, result.stdout
    assert "[OK] migrations applied" in result.stdout


def test_demo_builds_a_fresh_database_without_serving(tmp_path: Path) -> None:
    result = run(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "Helix Lending Ltd" in result.stdout and "steward-demo" in result.stdout
    assert run(tmp_path, "audit", "verify").returncode == 0
    # Running it again replaces the demo, and refuses to wipe a real organisation.
    assert run(tmp_path, "demo", "--no-serve").returncode == 0
    assert run(tmp_path, "org", "create", "Real Co").returncode == 0
    refused = run(tmp_path, "demo", "--no-serve")
    assert refused.returncode == 2 and "refusing" in refused.stderr


def test_help_is_available_everywhere(home: Path) -> None:
    for args in ([], ["token"], ["token", "create"], ["audit", "verify"], ["demo"], ["serve"]):
        result = run(home, *args, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_serve_runs_a_production_server_with_static_files(home: Path) -> None:
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    environment["STEWARD_DATA_DIR"] = str(home)
    server = subprocess.Popen(
        [*STEWARD, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/bootstrap/css/bootstrap.min.css") as css:
            assert css.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:
            assert b"Sign in" in page.read()
    finally:
        server.terminate()
        server.wait(10)
