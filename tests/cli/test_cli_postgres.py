"""The operator commands against PostgreSQL through STEWARD_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import run

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get("STEWARD_TEST_POSTGRES_URL")
    if not base:
        reason = (
            "STEWARD_TEST_POSTGRES_URL is not set (scripts/test sets it when a PostgreSQL server answers)"
        )
        if os.environ.get("STEWARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    import psycopg

    server = base.rsplit("/", 1)[0]
    name = f"steward_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_init_demo_and_verify_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    env = {"STEWARD_DATABASE_URL": postgres_url}
    init = run(
        tmp_path,
        "init",
        "--no-input",
        "--org",
        "Acme AI",
        "--admin-email",
        "a@acme.example",
        "--admin-password",
        "pw-long-enough",
        env=env,
    )
    assert init.returncode == 0, init.stderr
    assert not (tmp_path / "steward.sqlite3").exists()
    assert run(tmp_path, "org", "list", env=env).stdout.splitlines() == ["Acme AI"]
    assert run(
        tmp_path, "token", "create", "--user", "a@acme.example", "--org", "Acme AI", env=env
    ).stdout.startswith("stw_")
    assert run(tmp_path, "audit", "verify", env=env).returncode == 0
    refused = run(tmp_path, "demo", "--no-serve", env=env)
    assert refused.returncode == 2
    demo = run(tmp_path, "demo", "--no-serve", "--force", env=env)
    assert demo.returncode == 0, demo.stderr
    assert run(tmp_path, "org", "list", env=env).stdout.splitlines() == ["Helix Lending Ltd"]
    assert run(tmp_path, "audit", "verify", env=env).returncode == 0
