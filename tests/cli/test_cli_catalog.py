"""``steward catalog list|load|export``, run as real processes against their own data directory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from steward.catalog import schema
from tests.cli.test_cli import initialise, run

TABLES = ("catalog_framework", "catalog_requirementnode", "catalog_crosswalk", "catalog_crosswalkrelation")

SMALL = """\
schema: steward.framework/v1
id: cli-test-framework
version: "1"
data_version: 1
title: "CLI test framework"
licence: "Written for Steward's tests."
nodes:
  - id: "S"
    kind: section
    title: "Section"
  - id: "S.1"
    kind: control
    title: "First control"
    parent: "S"
    assessable: true
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: Any) -> Path:
    data = initialise(tmp_path_factory.mktemp("steward-cli-catalog"))
    return data


def counts(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "steward.sqlite3") as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


def test_list_prints_one_framework_per_line_with_tabs(home: Path) -> None:
    result = run(home, "catalog", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [line.split("\t") for line in lines]
    assert all(len(row) == 3 for row in rows), lines
    bundle = schema.load_bundled()
    expected = {
        (f.id, f.version, f.title) for f in (*bundle.frameworks.values(), *bundle.taxonomies.values())
    }
    assert {tuple(row) for row in rows} >= expected
    assert rows[[r[0] for r in rows].index("iso-iec-42001")][:2] == ["iso-iec-42001", "2023"]


def test_load_without_a_file_is_idempotent(home: Path) -> None:
    before = counts(home)
    result = run(home, "catalog", "load")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    total = len(schema.bundled_files())
    assert f"Catalog: 0 new, 0 upgraded, {total} unchanged" in result.stderr
    assert counts(home) == before


def test_load_a_file_then_again_changes_nothing(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    first = run(home, "catalog", "load", str(path))
    assert first.returncode == 0, first.stderr
    assert "1 new" in first.stderr and "cli-test-framework" in first.stderr
    after = counts(home)
    again = run(home, "catalog", "load", str(path))
    assert again.returncode == 0 and "1 unchanged" in again.stderr
    assert counts(home) == after
    assert "cli-test-framework\t1\tCLI test framework" in run(home, "catalog", "list").stdout.splitlines()


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "bad-kind.yaml",
            SMALL.replace("kind: control", "kind: contrl"),
            "bad-kind.yaml:12: node 'S.1': unknown kind",
        ),
        (
            "bad-parent.yaml",
            SMALL.replace('parent: "S"', 'parent: "Q"'),
            "bad-parent.yaml:14: node 'S.1': parent 'Q'",
        ),
        ("bad-yaml.yaml", SMALL + "  - id: [oops\n", "bad-yaml.yaml:"),
        ("bad.json", '{"catalog": {"metadata": {}}', "bad.json:1: invalid JSON"),
        ("empty-oscal.json", '{"catalog": {"uuid": "x", "metadata": {"title": "T"}}}', "empty-oscal.json"),
    ],
)
def test_a_malformed_file_exits_2_with_one_line_and_writes_nothing(
    home: Path, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = counts(home)
    result = run(home, "catalog", "load", str(path))
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines
    assert counts(home) == before


def test_export_oscal_validates_with_trestle(home: Path, tmp_path: Path) -> None:
    from trestle.oscal.catalog import Catalog

    out = tmp_path / "iso.oscal.json"
    result = run(home, "catalog", "export", "iso-iec-42001", "--format", "oscal", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "Wrote iso-iec-42001" in result.stderr
    catalog = Catalog.model_validate(json.loads(out.read_text(encoding="utf-8"))["catalog"])
    assert catalog.metadata.version == "2023"


def test_export_json_is_stewards_format_and_loads_back(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "nist.json"
    result = run(home, "catalog", "export", "nist-ai-rmf", "--format", "json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    loaded = schema.load_file(out)
    assert isinstance(loaded, schema.Framework) and loaded.id == "nist-ai-rmf" and len(loaded.nodes) == 95
    assert loaded.nodes == schema.load_bundled().frameworks["nist-ai-rmf"].nodes
    to_stdout = run(home, "catalog", "export", "nist-ai-rmf", "--format", "json", "--out", "-")
    assert json.loads(to_stdout.stdout)["id"] == "nist-ai-rmf"


def test_an_oscal_catalog_imports_under_a_new_identifier(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "iso.oscal.json"
    assert (
        run(home, "catalog", "export", "iso-iec-42001", "--format", "oscal", "--out", str(out)).returncode
        == 0
    )
    result = run(home, "catalog", "load", str(out), "--identifier", "iso-42001-from-oscal")
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stderr
    with sqlite3.connect(home / "steward.sqlite3") as db:
        (nodes,) = db.execute(
            "SELECT COUNT(*) FROM catalog_requirementnode n JOIN catalog_framework f "
            "ON n.framework_id = f.id WHERE f.identifier = 'iso-42001-from-oscal'"
        ).fetchone()
    assert nodes == 93


@pytest.mark.parametrize(
    "args, reason",
    [
        (
            ("export", "no-such-framework", "--format", "oscal", "--out", "x.json"),
            "no framework 'no-such-framework'",
        ),
        (("export", "iso-iec-42001", "--format", "pdf", "--out", "x.pdf"), "pdf"),
        (("load", "/no/such/file.yaml"), "does not exist"),
        (("load", "--identifier", "x"), "--identifier needs a FILE"),
    ],
)
def test_bad_arguments_exit_2(home: Path, args: tuple[str, ...], reason: str) -> None:
    result = run(home, "catalog", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert reason in result.stderr


def test_catalog_commands_need_an_initialised_database(tmp_path: Path) -> None:
    result = run(tmp_path, "catalog", "list")
    assert result.returncode == 1 and "steward init" in result.stderr
