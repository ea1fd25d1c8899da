"""``steward soa``: exports of the Statement of Applicability (ISO/IEC 42001 6.1.3), run as real processes."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from trestle.oscal.ssp import SystemSecurityPlan

from tests.cli.test_cli import initialise, run

# Seeds an approved v1 and a draft v2 (with one additional control) through the services, as the admin.
SEED = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from steward.audit.context import Actor
from steward.core.services import create_object
from steward.implementation.models import Control
from steward.organisations.models import Organisation
from steward.soa import services

org = Organisation.objects.get(name="Acme AI")
admin = Actor.for_user(get_user_model().objects.get(email="admin@acme.example"))
control = create_object(Control, organisation_id=org.pk, data={"title": "AI governance"}, by=admin)
v1 = services.create_soa(org, by=admin, scope="All AI systems")
for entry in v1.entries.select_related("node"):
    if entry.control_id == "A.10.4":
        data = {"applicable": False, "justification_exclusion": "No AI customers."}
    else:
        data = {"applicable": True, "justification_inclusion": "Why.", "implementing_controls": [control]}
    services.update_entry(entry, data, by=admin)
services.approve_soa(v1, by=admin)
v2 = services.new_draft(org, by=admin)
services.add_additional_control(v2, title="Consumer Duty testing", by=admin)
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: Any) -> Path:
    data = initialise(tmp_path_factory.mktemp("steward-cli-soa"))
    assert run(data, "org", "create", "Empty Org").returncode == 0
    import os
    import subprocess

    environment = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    environment["STEWARD_DATA_DIR"] = str(data)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], capture_output=True, text=True, env=environment, timeout=300
    )
    assert seeded.returncode == 0, seeded.stderr
    return data


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_soa_list_prints_one_version_per_line(home: Path) -> None:
    result = run(home, "soa", "list", "--org", "Acme AI")
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(line[0], line[1]) for line in lines] == [("v1", "approved"), ("v2", "draft")]
    assert lines[0][4].startswith("approved by admin@acme.example on ")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv", "oscal"])
def test_export_writes_the_latest_approved_version_and_prints_the_path(
    home: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"soa.{fmt}"
    result = run(home, "soa", "export", "--org", "Acme AI", "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out) and out.exists()
    body = out.read_bytes()
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        assert sheet is not None
        values = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
        assert {"A.2.2", "A.10.4"} <= values and "Consumer Duty testing" not in values
    elif fmt == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        assert "A.6.2.4" in text and "Statement of Applicability" in text
    elif fmt == "csv":
        assert len(csv_rows(out)) == 1 + 38
    else:
        ssp = SystemSecurityPlan.model_validate(json.loads(body)["system-security-plan"])
        assert len(ssp.control_implementation.implemented_requirements) == 38


def test_export_of_a_given_version(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "v2.csv"
    result = run(
        home, "soa", "export", "--org", "Acme AI", "--format", "csv", "--version", "2", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    rows = csv_rows(out)
    assert len(rows) == 1 + 39 and rows[-1][1] == "Consumer Duty testing"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--org", "Nope Inc", "--format", "csv"), "no organisation named 'Nope Inc'"),
        (
            ("--org", "Acme AI", "--format", "csv", "--version", "9"),
            "has no Statement of Applicability version 9",
        ),
        (("--org", "Empty Org", "--format", "csv"), "Empty Org has no Statement of Applicability yet"),
        (("--org", "Acme AI", "--format", "docx"), "Invalid value for '--format'"),
        (("--org", "Acme AI", "--format", "csv", "--version", "0"), "Invalid value for '--version'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    home: Path, tmp_path: Path, args: tuple[str, ...], reason: str
) -> None:
    out = tmp_path / "never.csv"
    result = run(home, "soa", "export", *args, "--out", str(out))
    assert result.returncode == 2 and reason in result.stderr
    assert not out.exists()
    if "Invalid value" not in reason:
        assert len(result.stderr.strip().splitlines()) == 1


def test_demo_has_an_approved_v1_and_a_draft_v2(tmp_path: Path) -> None:
    built = run(tmp_path, "demo", "--no-serve")
    assert built.returncode == 0, built.stderr
    listing = run(tmp_path, "soa", "list", "--org", "Helix Lending Ltd")
    assert listing.returncode == 0, listing.stderr
    lines = [line.split("\t") for line in listing.stdout.splitlines()]
    assert [(line[0], line[1]) for line in lines] == [("v1", "approved"), ("v2", "draft")]
    assert "jonas.berg@helix.example" in lines[0][4]
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    for version, out in (("1", v1), ("2", v2)):
        result = run(
            tmp_path,
            "soa",
            "export",
            "--org",
            "Helix Lending Ltd",
            "--format",
            "csv",
            "--version",
            version,
            "--out",
            str(out),
        )
        assert result.returncode == 0, result.stderr
    rows_v1 = {row[0]: row for row in csv_rows(v1)[1:]}
    rows_v2 = {row[0]: row for row in csv_rows(v2)[1:]}
    assert len(rows_v1) == 38 and len(rows_v2) == 39
    assert rows_v1["A.10.4"][3] != rows_v2["A.10.4"][3]  # excluded in v1, applicable in the v2 draft
    assert {row[3] for row in rows_v1.values()} == {"Yes", "No"}  # every control decided in the approved v1
