"""SoA exports (ISO/IEC 42001 6.1.3, 7.5): every format opens in the tool an auditor would use."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from trestle.oscal.catalog import Catalog
from trestle.oscal.profile import Profile
from trestle.oscal.ssp import SystemSecurityPlan

from steward.catalog.oscal import STEWARD_NS, framework_to_oscal_catalog, oscal_control_id
from steward.catalog.schema import Framework, load_bundled
from steward.soa.document import ImplementingControl, SoADocument, SoARow
from steward.soa.exports import (
    COLUMNS,
    EXPORTERS,
    SoAExportError,
    to_csv,
    to_oscal,
    to_oscal_profile,
    to_oscal_ssp,
    to_pdf,
    to_xlsx,
)

ORG = "Émeraude Analytics — “Nord” ↔ Süd 🤖"
APPROVED_AT = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
GENERATED_AT = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
UNDECIDED = "A.9.4"
EXCLUDED = ("A.10.4", "A.7.3", "A.4.5")
FORMULA = '=HYPERLINK("http://evil.example","click")'

CONTROLS = (
    ImplementingControl("CTL-0001", "AI policy approved by the board", "implemented", "ciso@example.org"),
    ImplementingControl("CTL-0002", "Model validation gate — pre-release", "implementing", ""),
    ImplementingControl("CTL-0003", "Event logging ↔ SIEM", "planned", "ops@example.org"),
)


@cache
def iso42001() -> Framework:
    return load_bundled().frameworks["iso-iec-42001"]


def build_doc(status: str = "approved") -> SoADocument:
    framework = iso42001()
    rows = []
    statuses = ("implemented", "in_progress", "not_started")
    for i, node in enumerate(n for n in framework.nodes if n.kind == "control"):
        objective = framework.node(node.parent or "")
        if node.id == UNDECIDED:
            applicable: bool | None = None
            inclusion, exclusion, status_code = "", "", "not_started"
        elif node.id in EXCLUDED:
            applicable = False
            inclusion = ""
            exclusion = f"No {node.title.lower()} in scope — café-only pilot, see risk register R-0{i}."
            status_code = "not_applicable"
        else:
            applicable = True
            inclusion = f"Treats risks R-{i:03d} and R-{i + 1:03d} (6.1.3); “needed” for ISO ↔ EU AI Act 🤖."
            exclusion = ""
            status_code = statuses[i % 3]
        implementing = () if applicable is not True else (CONTROLS[i % 3],) if i % 4 else CONTROLS[:2]
        rows.append(
            SoARow(
                control_id=node.id,
                title=node.title,
                objective_id=objective.id,
                objective_title=objective.title,
                applicable=applicable,
                justification_inclusion=FORMULA if node.id == "A.2.2" else inclusion,
                justification_exclusion=exclusion,
                implementation_status=status_code,
                implementing_controls=implementing,
                linked_requirements=("6.1.3", "EU AI Act Art. 15") if applicable else (),
                linked_risks=(f"R-{i:03d}",) if applicable else (),
            )
        )
    rows.append(
        SoARow(
            control_id="ADD-0001",
            title="Red-team exercises for generative models ✓",
            objective_id="",
            objective_title="",
            applicable=True,
            justification_inclusion="Prompt-injection risk R-101 is rated high.",
            justification_exclusion="",
            implementation_status="in_progress",
            implementing_controls=(CONTROLS[1],),
            linked_risks=("R-101",),
            additional=True,
        )
    )
    approved = status != "draft"
    return SoADocument(
        organisation=ORG,
        framework_id="iso-iec-42001",
        framework_title="ISO/IEC 42001:2023",
        version=2,
        status=status,
        title="Statement of Applicability",
        generated_at=GENERATED_AT,
        approved_by="Ana Müller <ana@example.org>" if approved else "",
        approved_at=APPROVED_AT if approved else None,
        approval_note="Approved at the management review of 2 March — see minutes MR-7." if approved else "",
        scope="All AI systems of the Lyon and Köln sites.",
        content_hash="3f" * 32 if approved else "",
        rows=tuple(rows),
    )


@pytest.fixture(scope="module")
def doc() -> SoADocument:
    return build_doc()


def row_of(doc: SoADocument, control_id: str) -> SoARow:
    return next(r for r in doc.rows if r.control_id == control_id)


def test_fixture_has_every_annex_a_control_plus_one_additional(doc: SoADocument) -> None:
    annex = [r for r in doc.rows if not r.additional]
    assert len(annex) == 38
    assert {r.control_id for r in annex} == {n.id for n in iso42001().nodes if n.kind == "control"}
    assert sum(r.additional for r in doc.rows) == 1
    assert row_of(doc, UNDECIDED).applicable is None


# --------------------------------------------------------------------------------------------------
# XLSX


def xlsx_table(data: bytes) -> tuple[Any, int, list[tuple[Any, ...]]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Statement of Applicability"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Control ID")
    rows = list(ws.iter_rows(min_row=header + 1, max_row=ws.max_row, values_only=True))
    return wb, header, rows


def test_xlsx_opens_with_one_header_and_one_row_per_control(doc: SoADocument) -> None:
    wb, header, rows = xlsx_table(to_xlsx(doc))
    ws = wb["Statement of Applicability"]
    assert wb.sheetnames == ["Statement of Applicability", "Summary"]
    assert tuple(c.value for c in ws[header]) == COLUMNS
    assert len(rows) == len(doc.rows) == 39
    assert [r[0] for r in rows] == [r.control_id for r in doc.rows]

    by_id = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows}
    a624 = by_id["A.6.2.4"]
    assert a624["Control title"] == "AI system verification and validation"
    assert a624["Objective"] == "A.6.2 AI system life cycle"
    assert a624["Applicable"] == "Yes"
    assert "↔ EU AI Act 🤖" in a624["Justification for inclusion"]
    assert a624["Linked requirements"] == "6.1.3\nEU AI Act Art. 15"
    assert by_id[UNDECIDED]["Applicable"] == "Undecided"
    excluded = by_id["A.10.4"]
    assert excluded["Applicable"] == "No"
    assert excluded["Justification for exclusion"].startswith("No customers in scope — café-only pilot")
    assert excluded["Implementation status"] == "Not applicable"
    additional = by_id["ADD-0001"]
    assert additional["Additional control"] == "Yes"
    assert additional["Implementing controls"] == "CTL-0002 Model validation gate — pre-release"
    assert additional["Objective"].startswith("Additional controls")
    assert all(by_id[i]["Additional control"] == "No" for i in by_id if i != "ADD-0001")


def test_xlsx_title_block_and_layout(doc: SoADocument) -> None:
    wb, header, _ = xlsx_table(to_xlsx(doc))
    ws = wb["Statement of Applicability"]
    assert ws["A1"].value == f"Statement of Applicability — {ORG}"
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(2, header)}
    assert block["Organisation"] == ORG
    assert block["Framework"] == "ISO/IEC 42001:2023"
    assert block["Version"] == "2"
    assert block["Status"] == "Approved"
    assert block["Approved by"] == "Ana Müller <ana@example.org>"
    assert block["Approved at"] == "2026-03-02 10:15 UTC"
    assert block["Generated at"] == "2026-04-01 08:00 UTC"
    assert block["Content hash (SHA-256)"] == "3f" * 32
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:K{header + len(doc.rows)}"
    assert ws.cell(row=header + 1, column=5).alignment.wrap_text
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


def test_xlsx_keeps_formula_like_text_as_text(doc: SoADocument) -> None:
    wb, header, rows = xlsx_table(to_xlsx(doc))
    ws = wb["Statement of Applicability"]
    r = header + 1 + [row[0] for row in rows].index("A.2.2")
    cell = ws.cell(row=r, column=5)
    assert cell.value == FORMULA
    assert cell.data_type == "s"


def test_xlsx_summary_counts(doc: SoADocument) -> None:
    wb, _, _ = xlsx_table(to_xlsx(doc))
    ws = wb["Summary"]
    counts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(4, 14)}
    assert counts["Controls in this SoA"] == 39
    assert counts["Annex A controls"] == 38
    assert counts["Additional controls"] == 1
    assert counts["Applicable"] == 39 - len(EXCLUDED) - 1
    assert counts["Excluded"] == len(EXCLUDED)
    assert counts["Undecided"] == 1
    applicable = [r for r in doc.rows if r.applicable]
    assert counts["Implemented"] == sum(r.implementation_status == "implemented" for r in applicable)
    objectives = [ws.cell(row=r, column=1).value for r in range(15, ws.max_row + 1)]
    assert objectives[0] == "Objective"
    assert "A.6.2 AI system life cycle" in objectives
    assert objectives[-1].startswith("Additional controls")


# --------------------------------------------------------------------------------------------------
# CSV


def test_csv_parses_with_header_and_one_row_per_control(doc: SoADocument) -> None:
    text = to_csv(doc).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 1 + len(doc.rows)
    by_id = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_id["A.6.2.4"]["Linked requirements"] == "6.1.3; EU AI Act Art. 15"
    assert by_id["A.2.2"]["Implementing controls"] == (
        "CTL-0001 AI policy approved by the board; CTL-0002 Model validation gate — pre-release"
    )
    assert by_id[UNDECIDED]["Applicable"] == "Undecided"
    assert by_id["ADD-0001"]["Additional control"] == "Yes"
    assert "“needed” for ISO ↔ EU AI Act 🤖" in by_id["A.6.2.4"]["Justification for inclusion"]


def test_csv_neutralises_formula_injection(doc: SoADocument) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(doc).decode("utf-8"))))
    a22 = next(r for r in rows if r[0] == "A.2.2")
    assert a22[COLUMNS.index("Justification for inclusion")] == f"'{FORMULA}"


# --------------------------------------------------------------------------------------------------
# PDF


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_title_version_approval_block_controls_and_page_numbers(doc: SoADocument) -> None:
    data = to_pdf(doc)
    assert data.startswith(b"%PDF-")
    reader, text = pdf_text(data)
    flat = " ".join(text.split())
    assert 'Statement of Applicability - Émeraude Analytics - "Nord" <-> Süd ?' in flat
    assert "Version 2 - approved" in flat
    assert "Approved by" in flat and "Ana Müller <ana@example.org>" in flat
    assert "2026-03-02 10:15 UTC" in flat
    assert "3f" * 32 in flat
    assert "DRAFT" not in flat
    for row in doc.rows:
        assert row.control_id in flat, row.control_id
    pages = len(reader.pages)
    assert pages > 1
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in flat
    assert "A.6.2 AI system life cycle" in flat
    assert "Additional controls (organisation-defined)" in flat
    assert reader.metadata is not None and reader.metadata.title == (
        f"Statement of Applicability — {ORG} — version 2"
    )


def test_pdf_of_a_draft_carries_the_not_approved_banner() -> None:
    _, text = pdf_text(to_pdf(build_doc("draft")))
    flat = " ".join(text.split())
    assert "DRAFT - not approved" in flat
    assert "Version 2 - draft" in flat
    assert "Not approved" in flat


def test_pdf_survives_text_outside_latin1() -> None:
    doc = build_doc()
    odd = replace(
        doc,
        organisation="Zażółć 🤖 ∑ ⊕ 中文",
        approval_note="\u200b“ok” — ↔ → ≥ … €\u00a0✓",
        rows=(replace(doc.rows[0], title="Ǆemal\u2019s ﬁle 🙂", justification_inclusion="tab\tand\x07bell"),),
    )
    _, text = pdf_text(to_pdf(odd))
    flat = " ".join(text.split())
    assert "Statement of Applicability - Zazólc ? ? ? ??" in flat
    assert '"ok" - <-> -> >= ... EUR' in flat
    assert "DZemal's file ?" in flat


# --------------------------------------------------------------------------------------------------
# OSCAL


@cache
def catalog_control_ids() -> frozenset[str]:
    data = framework_to_oscal_catalog(iso42001(), last_modified=APPROVED_AT)
    ids: set[str] = set()

    def walk(item: dict[str, Any]) -> None:
        for control in item.get("controls", []):
            ids.add(control["id"])
            walk(control)
        for group in item.get("groups", []):
            walk(group)

    walk(data["catalog"])
    return frozenset(ids)


def steward_props(item: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop in item.get("props", []):
        if prop.get("ns") == STEWARD_NS:
            out.setdefault(prop["name"], []).append(prop["value"])
    return out


def test_oscal_ssp_validates_with_trestle_and_carries_every_decision(doc: SoADocument) -> None:
    data = json.loads(to_oscal_ssp(doc))
    ssp = SystemSecurityPlan.model_validate(data["system-security-plan"])
    assert ssp.import_profile.href == "catalog-iso-iec-42001.json"
    requirements = data["system-security-plan"]["control-implementation"]["implemented-requirements"]
    assert [r["control-id"] for r in requirements] == [oscal_control_id(r.control_id) for r in doc.rows]
    annex_ids = {r["control-id"] for r in requirements} - {"ADD-0001"}
    assert annex_ids <= catalog_control_ids()
    assert len(annex_ids) == 38

    by_id = {r["control-id"]: r for r in requirements}
    components = {c["uuid"]: c for c in data["system-security-plan"]["system-implementation"]["components"]}
    applicable = by_id["A.6.2.4"]
    props = steward_props(applicable)
    assert props["applicability"] == ["applicable"]
    assert props["linked-requirement"] == ["6.1.3", "EU AI Act Art. 15"]
    assert "↔ EU AI Act 🤖" in props["inclusion-justification"][0]
    assert "**Justification for inclusion:**" in applicable["remarks"]
    implementers = [components[b["component-uuid"]]["title"] for b in applicable["by-components"]]
    assert implementers and all(t.startswith("CTL-") for t in implementers)

    excluded = by_id["A.10.4"]
    assert steward_props(excluded)["applicability"] == ["not-applicable"]
    (by_component,) = excluded["by-components"]
    assert by_component["implementation-status"]["state"] == "not-applicable"
    assert by_component["description"] == row_of(doc, "A.10.4").justification_exclusion
    assert components[by_component["component-uuid"]]["type"] == "this-system"

    assert steward_props(by_id[UNDECIDED])["applicability"] == ["undecided"]
    assert steward_props(by_id["ADD-0001"])["additional"] == ["true"]
    metadata = data["system-security-plan"]["metadata"]
    assert metadata["last-modified"] == "2026-03-02T10:15:00+00:00"
    assert metadata["version"] == "2"
    assert {p["name"] for p in metadata["parties"]} == {ORG, "Ana Müller <ana@example.org>"}


def test_oscal_profile_validates_and_selects_the_applicable_controls(doc: SoADocument) -> None:
    data = json.loads(to_oscal_profile(doc))
    Profile.model_validate(data["profile"])
    catalog_import, additional_import = data["profile"]["imports"]
    assert catalog_import["href"] == "catalog-iso-iec-42001.json"
    included = catalog_import["include-controls"][0]["with-ids"]
    expected = [r.control_id for r in doc.rows if r.applicable is True and not r.additional]
    assert included == expected
    assert set(included) <= catalog_control_ids()
    assert catalog_import["exclude-controls"][0]["with-ids"] == list(excluded_ids(doc))
    assert UNDECIDED not in included

    assert additional_import["include-controls"][0]["with-ids"] == ["ADD-0001"]
    (resource,) = data["profile"]["back-matter"]["resources"]
    assert additional_import["href"] == f"#{resource['uuid']}"
    embedded = json.loads(base64.b64decode(resource["base64"]["value"]))
    Catalog.model_validate(embedded["catalog"])
    assert steward_props(embedded["catalog"]["controls"][0]) == {"additional": ["true"]}

    alters = {a["control-id"]: a for a in data["profile"]["modify"]["alters"]}
    assert set(alters) == {*included, "ADD-0001"}
    (add,) = alters["A.6.2.4"]["adds"]
    assert add["parts"][0]["name"] == "justification"
    assert add["parts"][0]["prose"] == row_of(doc, "A.6.2.4").justification_inclusion


def excluded_ids(doc: SoADocument) -> list[str]:
    return [r.control_id for r in doc.rows if r.applicable is False]


def test_to_oscal_returns_the_ssp(doc: SoADocument) -> None:
    assert to_oscal(doc) == to_oscal_ssp(doc)


def test_oscal_exports_of_an_approved_version_are_byte_identical(doc: SoADocument) -> None:
    regenerated = replace(doc, generated_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert to_oscal_ssp(doc) == to_oscal_ssp(regenerated)
    assert to_oscal_profile(doc) == to_oscal_profile(regenerated)
    assert to_csv(doc) == to_csv(regenerated)


def test_every_format_renders_an_approved_version_byte_identically_later(doc: SoADocument) -> None:
    first = {name: render(doc) for name, (render, _, _) in EXPORTERS.items()}
    time.sleep(1.1)  # openpyxl, zipfile and fpdf2 would stamp the wall clock if we let them
    assert {name: render(doc) for name, (render, _, _) in EXPORTERS.items()} == first


def test_pdf_cuts_cells_too_tall_for_a_page_instead_of_failing(doc: SoADocument) -> None:
    many = tuple(
        ImplementingControl(f"CTL-{i:04d}", "Long control title " * 6, "implemented", "") for i in range(80)
    )
    huge = replace(
        doc.rows[0],
        title="T " * 900,
        justification_inclusion="word " * 3000,
        linked_risks=tuple(f"R-{i}" for i in range(400)),
        implementing_controls=many,
    )
    odd = replace(doc, scope="scope " * 2000, approval_note="line\n" * 200, rows=(huge, *doc.rows[1:]))
    _, text = pdf_text(to_pdf(odd))
    assert "cut here; the full text is in the XLSX export" in " ".join(text.split())
    assert "A.10.4" in text


def test_oscal_uuids_are_deterministic_and_differ_between_versions(doc: SoADocument) -> None:
    uuid_re = re.compile(r'"uuid":\s*"([0-9a-f-]{36})"')
    first = uuid_re.findall(to_oscal_ssp(doc).decode())
    assert first == uuid_re.findall(to_oscal_ssp(doc).decode())
    assert len(first) == len(set(first))
    v3 = uuid_re.findall(to_oscal_ssp(replace(doc, version=3)).decode())
    assert not set(first) & set(v3)


def test_an_id_oscal_cannot_carry_is_reported_in_one_line(doc: SoADocument) -> None:
    broken = replace(doc, rows=(replace(doc.rows[-1], control_id="ADD 0001"),))
    with pytest.raises(SoAExportError) as excinfo:
        to_oscal_ssp(broken)
    message = str(excinfo.value)
    assert message.startswith("OSCAL system security plan does not validate: ")
    assert "control-id: 'ADD 0001': an OSCAL identifier must start with a letter" in message
    assert "\n" not in message


def test_oscal_draft_uses_generation_time_as_last_modified() -> None:
    data = json.loads(to_oscal_ssp(build_doc("draft")))
    metadata = data["system-security-plan"]["metadata"]
    assert metadata["last-modified"] == "2026-04-01T08:00:00+00:00"
    assert "published" not in metadata
    assert steward_props(metadata)["soa-status"] == ["draft"]


# --------------------------------------------------------------------------------------------------
# Registry


def test_exporters_registry_names_media_types_and_extensions(doc: SoADocument) -> None:
    assert set(EXPORTERS) == {"xlsx", "csv", "pdf", "oscal"}
    assert EXPORTERS["oscal"][1:] == ("application/json", "json")
    assert EXPORTERS["xlsx"][1:] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )
    assert EXPORTERS["pdf"][1:] == ("application/pdf", "pdf")
    assert EXPORTERS["csv"][2] == "csv"
    for render, _media_type, _extension in EXPORTERS.values():
        assert render(doc)
