"""Render one Statement of Applicability version as XLSX, CSV, PDF and OSCAL JSON.

Serves ISO/IEC 42001 6.1.3 (the SoA: the necessary controls, the justification for including each and
for excluding any Annex A control, and whether it is implemented) and 7.5 (documented information that
is identified, versioned and approved — the title block, version, approval block and content hash that
every rendering carries). Pure functions over :class:`~steward.soa.document.SoADocument`: no Django,
no database, so the web layer, the CLI and the tests share them through :data:`EXPORTERS`.

OSCAL mapping
-------------
Two OSCAL 1.2 documents are offered, both built as plain data and validated with compliance-trestle's
models (``Profile`` / ``SystemSecurityPlan``) before they are serialised:

``to_oscal_profile`` — the SoA *selection*. A profile importing the framework's Steward catalog by the
relative href ``catalog-<framework id>.json`` (e.g. ``catalog-iso-iec-42001.json``, the file name
``steward catalog export`` writes; see :func:`steward.catalog.oscal.catalog_filename`):

- ``imports[0].include-controls.with-ids`` = applicable Annex A controls; ``exclude-controls`` = the
  excluded ones. Undecided controls are in neither list.
- Applicable additional (organisation-added) controls cannot come from the ISO catalog, so they are
  defined in a small catalog embedded (base64) in a back-matter resource and imported from
  ``#<resource uuid>``; each carries ``additional=true`` in the Steward namespace.
- ``modify.alters`` add to each included control Steward props (``applicability``,
  ``implementation-status``, ``implementing-control``, ``linked-requirement``, ``linked-risk``) and a
  ``justification`` part with the justification for inclusion.
- A profile has no place for controls it does not include, so exclusion justifications are absent.

``to_oscal_ssp`` — the complete SoA, as an SSP-style document:

- ``import-profile.href`` = the catalog file (the SoA's baseline is the whole of Annex A);
- ``system-characteristics`` describe the AI management system (scope from 4.3 when recorded);
- ``system-implementation.components``: the AIMS itself (``this-system``) and one component per
  implementing control (title ``<key> <title>``, Steward props ``control-key``, ``control-status``,
  ``owner``);
- ``control-implementation.implemented-requirements``: one per SoA row (every Annex A control and every
  additional control) with Steward props ``applicability`` (applicable / not-applicable / undecided),
  ``implementation-status``, ``inclusion-justification``, ``exclusion-justification``,
  ``linked-requirement``, ``linked-risk`` and ``additional``; ``remarks`` repeat the decision and
  justifications in Markdown for readers; ``by-components`` name each implementing control with an
  OSCAL ``implementation-status`` (implemented → implemented, implementing → partial,
  planned → planned), and an excluded control gets one ``by-component`` on the AIMS with state
  ``not-applicable`` whose description is the exclusion justification.

:func:`to_oscal` returns the SSP: clause 6.1.3 asks for the justification of exclusions as much as of
inclusions, and only the SSP carries both, plus undecided controls, implementation status and the
implementing controls — the profile is the narrower "which controls" view.

Conventions shared by both: OSCAL ids come from :func:`steward.catalog.oscal.oscal_control_id` (Annex A
ids such as ``A.6.2.8`` are valid OSCAL tokens as they are); every uuid is a uuid5 of organisation,
framework, version and element, so repeated exports of one version are byte-identical;
``last-modified`` is the approval time (or the generation time of a draft). Steward-specific props use
the placeholder namespace ``https://steward.example/ns/oscal`` (:data:`STEWARD_NS`).
"""

from __future__ import annotations

import base64
import csv
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import ValidationError
from trestle.common.err import TrestleError
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.catalog import Catalog
from trestle.oscal.profile import Profile
from trestle.oscal.ssp import SystemSecurityPlan

from steward.catalog.oscal import (
    STEWARD_NS,
    STEWARD_UUID_NAMESPACE,
    catalog_filename,
    oscal_control_id,
    oscal_error_summary,
)
from steward.soa.document import ImplementingControl, SoADocument, SoARow

__all__ = [
    "COLUMNS",
    "EXPORTERS",
    "SoAExportError",
    "to_csv",
    "to_oscal",
    "to_oscal_profile",
    "to_oscal_ssp",
    "to_pdf",
    "to_xlsx",
]


class SoAExportError(ValueError):
    """The SoA cannot be rendered in the requested format (e.g. an id OSCAL cannot carry)."""


COLUMNS = (
    "Control ID",
    "Control title",
    "Objective",
    "Applicable",
    "Justification for inclusion",
    "Justification for exclusion",
    "Implementation status",
    "Implementing controls",
    "Linked requirements",
    "Linked risks",
    "Additional control",
)
_XLSX_WIDTHS = (12, 38, 30, 12, 50, 50, 16, 40, 24, 20, 11)

_STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "implemented": "Implemented",
    "not_applicable": "Not applicable",
}
_CONTROL_STATE = {"implemented": "implemented", "implementing": "partial", "planned": "planned"}
_COMPONENT_STATE = {
    "planned": "under-development",
    "implementing": "under-development",
    "implemented": "operational",
    "retired": "disposition",
}
_ADDITIONAL_GROUP = "Additional controls (organisation-defined)"


# --------------------------------------------------------------------------------------------------
# Shared row rendering


def _applicable(row: SoARow) -> str:
    return {True: "Yes", False: "No", None: "Undecided"}[row.applicable]


def _status(code: str) -> str:
    return _STATUS_LABELS.get(code, code.replace("_", " ").capitalize())


def _objective(row: SoARow) -> str:
    if row.additional:
        return _ADDITIONAL_GROUP
    return f"{row.objective_id} {row.objective_title}".strip()


def _control_name(control: ImplementingControl) -> str:
    return f"{control.key} {control.title}".strip()


def _cells(row: SoARow, sep: str) -> list[str]:
    return [
        row.control_id,
        row.title,
        _objective(row),
        _applicable(row),
        row.justification_inclusion,
        row.justification_exclusion,
        _status(row.implementation_status),
        sep.join(_control_name(c) for c in row.implementing_controls),
        sep.join(row.linked_requirements),
        sep.join(row.linked_risks),
        "Yes" if row.additional else "No",
    ]


def _utc(moment: datetime) -> datetime:
    # Naive datetimes from the database layer are UTC (Django's USE_TZ convention).
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(moment: datetime | None) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _title_block(doc: SoADocument) -> list[tuple[str, str]]:
    return [
        ("Organisation", doc.organisation),
        ("Framework", doc.framework_title),
        ("Version", str(doc.version)),
        ("Status", doc.status.capitalize()),
        ("Approved by", doc.approved_by or "Not approved"),
        ("Approved at", _when(doc.approved_at) or "Not approved"),
        ("Approval note", doc.approval_note),
        ("Content hash (SHA-256)", doc.content_hash),
        ("AIMS scope (4.3)", doc.scope),
        ("Generated at", _when(doc.generated_at)),
    ]


def _counts(rows: Sequence[SoARow]) -> list[tuple[str, int]]:
    applicable = [r for r in rows if r.applicable is True]
    return [
        ("Controls in this SoA", len(rows)),
        ("Annex A controls", sum(not r.additional for r in rows)),
        ("Additional controls", sum(r.additional for r in rows)),
        ("Applicable", len(applicable)),
        ("Excluded", sum(r.applicable is False for r in rows)),
        ("Undecided", sum(r.applicable is None for r in rows)),
        ("Implemented", sum(r.implementation_status == "implemented" for r in applicable)),
        ("In progress", sum(r.implementation_status == "in_progress" for r in applicable)),
        ("Not started", sum(r.implementation_status == "not_started" for r in applicable)),
        ("Applicable without an implementing control", sum(not r.implementing_controls for r in applicable)),
    ]


def _groups(rows: Iterable[SoARow]) -> list[tuple[str, list[SoARow]]]:
    """Rows grouped by objective in first-seen order; additional controls last."""
    groups: dict[str, list[SoARow]] = {}
    extra: list[SoARow] = []
    for row in rows:
        if row.additional:
            extra.append(row)
        else:
            groups.setdefault(_objective(row), []).append(row)
    out = list(groups.items())
    if extra:
        out.append((_ADDITIONAL_GROUP, extra))
    return out


# --------------------------------------------------------------------------------------------------
# XLSX


_CORE_MODIFIED_RE = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _xlsx_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _set_text(cell: Any, value: str) -> None:
    cell.value = _xlsx_text(value)
    # openpyxl stores any string starting with "=" as a formula; user text must never execute.
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def to_xlsx(doc: SoADocument) -> bytes:
    """XLSX workbook: sheet "Statement of Applicability" (title block + one row per control), "Summary"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Statement of Applicability"
    wb.properties.title = f"Statement of Applicability — {doc.organisation}"
    wb.properties.creator = "Steward"
    wb.properties.created = _utc(doc.approved_at or doc.generated_at).replace(tzinfo=None)
    wb.properties.modified = wb.properties.created

    bold = Font(bold=True)
    top = Alignment(vertical="top", wrap_text=True)
    _set_text(ws.cell(row=1, column=1), f"Statement of Applicability — {doc.organisation}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    line = 2
    if doc.status == "draft":
        _set_text(ws.cell(row=line, column=1), "DRAFT — not approved")
        ws.cell(row=line, column=1).font = Font(bold=True, color="C00000")
        line += 1
    for label, value in _title_block(doc):
        _set_text(ws.cell(row=line, column=1), label)
        ws.cell(row=line, column=1).font = bold
        _set_text(ws.cell(row=line, column=2), value)
        ws.cell(row=line, column=2).alignment = Alignment(vertical="top", wrap_text=False)
        line += 1

    header_row = line + 1
    fill = PatternFill("solid", fgColor="DDE4EE")
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = top
    for r, row in enumerate(doc.rows, start=header_row + 1):
        for col, value in enumerate(_cells(row, "\n"), start=1):
            cell = ws.cell(row=r, column=col)
            _set_text(cell, value)
            cell.alignment = top
    for col, width in enumerate(_XLSX_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last_row = header_row + max(len(doc.rows), 1)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{last_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    summary = wb.create_sheet("Summary")
    _set_text(
        summary.cell(row=1, column=1), f"Summary — {doc.organisation}, version {doc.version} ({doc.status})"
    )
    summary.cell(row=1, column=1).font = Font(bold=True, size=14)
    summary.cell(row=3, column=1, value="Measure").font = bold
    summary.cell(row=3, column=2, value="Count").font = bold
    line = 4
    for label, count in _counts(doc.rows):
        summary.cell(row=line, column=1, value=label)
        summary.cell(row=line, column=2, value=count)
        line += 1
    line += 1
    headings = ("Objective", "Controls", "Applicable", "Excluded", "Undecided", "Implemented")
    for col, name in enumerate(headings, start=1):
        summary.cell(row=line, column=col, value=name).font = bold
    for name, rows in _groups(doc.rows):
        line += 1
        _set_text(summary.cell(row=line, column=1), name)
        values = (
            len(rows),
            sum(r.applicable is True for r in rows),
            sum(r.applicable is False for r in rows),
            sum(r.applicable is None for r in rows),
            sum(r.applicable is True and r.implementation_status == "implemented" for r in rows),
        )
        for col, number in enumerate(values, start=2):
            summary.cell(row=line, column=col, value=number)
    summary.column_dimensions["A"].width = 48
    for letter in "BCDEF":
        summary.column_dimensions[letter].width = 12

    out = io.BytesIO()
    wb.save(out)
    return _stable_zip(out.getvalue(), _utc(doc.approved_at or doc.generated_at))


def _stable_zip(data: bytes, moment: datetime) -> bytes:
    """The same workbook with every timestamp set to ``moment``.

    openpyxl stamps zip entries and ``dcterms:modified`` with the time of saving, so two exports of one
    approved version would differ although their content is identical.
    """
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    modified = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_MODIFIED_RE.sub(rb"\g<1>" + modified + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# CSV


def _csv_text(value: str) -> str:
    # Spreadsheets run cells that start like a formula (OWASP "CSV injection"); a leading apostrophe
    # makes them inert. "- text" (a list item) is not a formula, so dashes followed by a space stay.
    if value[:1] in ("=", "+", "@", "\t", "\r") or (value[:1] == "-" and value[1:2] not in ("", " ")):
        return f"'{value}"
    return value


def to_csv(doc: SoADocument) -> bytes:
    """UTF-8 CSV: header row, then one row per control; multi-valued cells joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in doc.rows:
        writer.writerow([_csv_text(value) for value in _cells(row, "; ")])
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------------
# PDF

# fpdf2's core fonts only encode latin-1 and no Unicode TTF ships with fpdf2 or Steward, so text is
# transliterated: typographic punctuation to ASCII, other letters to their unaccented form, the rest "?".
_ASCII_EQUIVALENTS = str.maketrans(
    {
        "\u2014": "-",  # em dash
        "\u2013": "-",  # en dash
        "\u2012": "-",  # figure dash
        "\u2212": "-",  # minus sign
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u2033": '"',  # double prime
        "\u2026": "...",  # horizontal ellipsis
        "\u2022": "*",  # bullet
        "\u2194": "<->",  # left right arrow
        "\u21d4": "<=>",  # left right double arrow
        "\u2192": "->",  # rightwards arrow
        "\u21d2": "=>",  # rightwards double arrow
        "\u2190": "<-",  # leftwards arrow
        "\u2264": "<=",  # less-than or equal to
        "\u2265": ">=",  # greater-than or equal to
        "\u2260": "!=",  # not equal to
        "\u2248": "~",  # almost equal to
        "\u2713": "v",  # check mark
        "\u2714": "v",  # heavy check mark
        "\u2717": "x",  # ballot x
        "\u20ac": "EUR",  # euro sign
        "\u0141": "L",  # L with stroke (no Unicode decomposition)
        "\u0142": "l",  # l with stroke
        "\u0110": "D",  # D with stroke
        "\u0111": "d",  # d with stroke
        "\u0131": "i",  # dotless i
        "\u0152": "OE",  # ligature OE
        "\u0153": "oe",  # ligature oe
        "\u2122": "(TM)",  # trade mark sign
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u200b": "",  # zero width space
        "\ufeff": "",  # zero width no-break space (BOM)
    }
)


def _latin1(text: str) -> str:
    text = text.translate(_ASCII_EQUIVALENTS)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if ord(c) < 256 and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


class _SoAPdf(FPDF):
    def __init__(self, doc: SoADocument) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.doc = doc
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(auto=True, margin=15)

    def header(self) -> None:
        if self.doc.status != "draft":
            return
        # A faint diagonal mark on every page, drawn first so the content sits on top of it.
        self.set_font("Helvetica", "B", 90)
        self.set_text_color(235, 235, 235)
        x, y = self.w / 2 - 60, self.h / 2 + 25
        with self.rotation(30, x + 60, y - 25):
            self.text(x, y, "DRAFT")
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(90, 90, 90)
        left = _latin1(
            f"Statement of Applicability - {self.doc.organisation} - version {self.doc.version} "
            f"({self.doc.status}) - generated {_when(self.doc.generated_at)}"
        )
        self.cell(0, 5, left, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


# A table row must fit on one landscape page; longer cells are cut (measured with the cell's font) and
# the full text stays in the XLSX, CSV and OSCAL exports, which the note at the cut points to.
_PDF_MAX_LINES = 34
_CUT_NOTE = "[...] cut here; the full text is in the XLSX export."


def _fit(pdf: FPDF, text: str, width: float, max_lines: int = _PDF_MAX_LINES) -> str:
    text = _latin1(text)
    lines = pdf.multi_cell(width - 2.5, 4, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    if len(lines) <= max_lines:
        return text
    return "\n".join([*lines[: max_lines - 1], _CUT_NOTE])


def _pdf_justification(row: SoARow) -> str:
    if row.applicable is True:
        parts = [row.justification_inclusion or "(no justification recorded)"]
    elif row.applicable is False:
        parts = [row.justification_exclusion or "(no justification recorded)"]
    else:
        parts = ["Not decided yet."]
        if row.justification_inclusion:
            parts.append(f"For inclusion: {row.justification_inclusion}")
        if row.justification_exclusion:
            parts.append(f"For exclusion: {row.justification_exclusion}")
    if row.linked_requirements:
        parts.append(f"Requirements: {'; '.join(row.linked_requirements)}")
    if row.linked_risks:
        parts.append(f"Risks: {'; '.join(row.linked_risks)}")
    return "\n".join(parts)


def to_pdf(doc: SoADocument) -> bytes:
    """PDF: title, version and status, approval block, controls grouped by objective, page numbers."""
    pdf = _SoAPdf(doc)
    pdf.set_title(f"Statement of Applicability — {doc.organisation} — version {doc.version}")
    pdf.set_author("Steward")
    pdf.set_subject(doc.framework_title)
    pdf.set_creation_date(_utc(doc.approved_at or doc.generated_at))
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(width, 9, _latin1(f"Statement of Applicability - {doc.organisation}"), align="L")
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(width, 7, _latin1(f"Version {doc.version} - {doc.status}"), align="L")
    pdf.set_font("Helvetica", "", 10)
    subtitle = doc.framework_title
    if doc.title and doc.title != "Statement of Applicability":
        subtitle = f"{doc.title} - {subtitle}"
    pdf.multi_cell(width, 6, _latin1(f"{subtitle} - ISO/IEC 42001 clause 6.1.3"), align="L")
    pdf.ln(2)

    if doc.status != "approved":
        banner = (
            "DRAFT - not approved. This version has not been approved and must not be relied on."
            if doc.status == "draft"
            else "SUPERSEDED - a later approved version replaces this one."
        )
        if doc.status == "draft":
            pdf.set_fill_color(192, 0, 0)
        else:
            pdf.set_fill_color(200, 120, 0)
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(width, 8, banner, fill=True, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(width, 7, "Approval", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    approval = [
        ("Approved by", doc.approved_by or "Not approved"),
        ("Approved at", _when(doc.approved_at) or "Not approved"),
        ("Content hash (SHA-256)", doc.content_hash or "Not frozen (computed on approval)"),
    ]
    if doc.approval_note:
        approval.append(("Approval note", doc.approval_note))
    if doc.scope:
        approval.append(("AIMS scope (4.3)", doc.scope))
    approval.append(("Generated at", _when(doc.generated_at)))
    with pdf.table(
        col_widths=(45, width - 45),
        width=width,
        first_row_as_headings=False,
        text_align="LEFT",
        line_height=5,
    ) as table:
        for label, value in approval:
            cells = table.row()
            cells.cell(label, style=FontFace(emphasis="BOLD"))
            cells.cell(_fit(pdf, value, width - 45, max_lines=12))
    pdf.ln(3)

    counts = dict(_counts(doc.rows))
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        width,
        5,
        f"{counts['Controls in this SoA']} controls: {counts['Applicable']} applicable, "
        f"{counts['Excluded']} excluded, {counts['Undecided']} undecided; "
        f"{counts['Implemented']} of the applicable controls implemented.",
        align="L",
    )
    pdf.ln(2)

    pdf.set_font("Helvetica", "", 8)
    headings = ("Control", "Title", "Applicable", "Justification", "Status", "Implementing controls")
    widths = (20, 50, 19, width - 20 - 50 - 19 - 24 - 55, 24, 55)
    group_style = FontFace(emphasis="BOLD", fill_color=(221, 228, 238))
    with pdf.table(
        col_widths=widths,
        width=width,
        text_align="LEFT",
        line_height=4,
        headings_style=FontFace(emphasis="BOLD", fill_color=(200, 210, 225)),
        repeat_headings=1,
        v_align="TOP",
    ) as table:
        heading = table.row()
        for name in headings:
            heading.cell(name)
        for name, rows in _groups(doc.rows):
            table.row().cell(_latin1(name), colspan=len(headings), style=group_style)
            for row in rows:
                cells = table.row()
                cells.cell(_latin1(row.control_id))
                cells.cell(_fit(pdf, row.title, widths[1]))
                cells.cell(_applicable(row))
                cells.cell(_fit(pdf, _pdf_justification(row), widths[3]))
                cells.cell(_latin1(_status(row.implementation_status)))
                implementers = "\n".join(_control_name(c) for c in row.implementing_controls)
                cells.cell(_fit(pdf, implementers, widths[5]) or "-")
    return bytes(pdf.output())


# --------------------------------------------------------------------------------------------------
# OSCAL


def _uuid(doc: SoADocument, *parts: str) -> str:
    seed = "|".join(("soa", doc.organisation, doc.framework_id, str(doc.version), *parts))
    return str(uuid.uuid5(STEWARD_UUID_NAMESPACE, seed))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _prop(name: str, value: str) -> dict[str, Any]:
    # OSCAL prop values must be non-empty single lines.
    return {"name": name, "ns": STEWARD_NS, "value": _one_line(value) or "unspecified"}


def _props(name: str, values: Iterable[str]) -> list[dict[str, Any]]:
    return [_prop(name, v) for v in values if v.strip()]


def _applicability(row: SoARow) -> str:
    return {True: "applicable", False: "not-applicable", None: "undecided"}[row.applicable]


def _metadata(doc: SoADocument, what: str) -> dict[str, Any]:
    moment = _utc(doc.approved_at or doc.generated_at)
    counts = dict(_counts(doc.rows))
    metadata: dict[str, Any] = {
        "title": _one_line(
            f"Statement of Applicability — {doc.organisation} — {doc.framework_title}, "
            f"version {doc.version} ({what})"
        ),
        "last-modified": moment.isoformat(),
        "version": str(doc.version),
        "oscal-version": OSCAL_VERSION,
        "props": [
            _prop("soa-status", doc.status),
            _prop("framework-id", doc.framework_id),
            *_props("content-hash", [doc.content_hash]),
        ],
        "roles": [{"id": "prepared-for", "title": "Organisation the Statement of Applicability belongs to"}],
        "parties": [
            {
                "uuid": _uuid(doc, "party", "organisation"),
                "type": "organization",
                "name": _one_line(doc.organisation) or "Unnamed organisation",
            }
        ],
        "responsible-parties": [
            {"role-id": "prepared-for", "party-uuids": [_uuid(doc, "party", "organisation")]}
        ],
        "remarks": (
            f"Statement of Applicability (ISO/IEC 42001 6.1.3), version {doc.version}, status {doc.status}. "
            f"{counts['Controls in this SoA']} controls: {counts['Applicable']} applicable, "
            f"{counts['Excluded']} excluded, {counts['Undecided']} undecided."
            + (f"\n\nApproval note: {doc.approval_note}" if doc.approval_note else "")
        ),
    }
    if doc.approved_at is not None:
        metadata["published"] = moment.isoformat()
    if doc.approved_by.strip():
        approver = _uuid(doc, "party", "approver")
        metadata["roles"].append({"id": "approver", "title": "Approver of this Statement of Applicability"})
        metadata["parties"].append({"uuid": approver, "type": "person", "name": _one_line(doc.approved_by)})
        metadata["responsible-parties"].append({"role-id": "approver", "party-uuids": [approver]})
    return metadata


def _row_props(row: SoARow) -> list[dict[str, Any]]:
    props = [
        _prop("applicability", _applicability(row)),
        _prop("implementation-status", row.implementation_status),
    ]
    if row.additional:
        props.append(_prop("additional", "true"))
    props += _props("linked-requirement", row.linked_requirements)
    props += _props("linked-risk", row.linked_risks)
    return props


def _validated(model: Any, data: dict[str, Any], what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SoAExportError(f"OSCAL {what} does not validate: {oscal_error_summary(exc)}") from None
    except TrestleError as exc:
        raise SoAExportError(f"OSCAL {what} does not validate: {exc}") from None


def _serialise(model: Any) -> bytes:
    return bytes(model.oscal_serialize_json_bytes(pretty=True)) + b"\n"


def _additional_catalog(doc: SoADocument, rows: Sequence[SoARow]) -> bytes:
    data = {
        "uuid": _uuid(doc, "additional-catalog"),
        "metadata": {
            "title": _one_line(f"Additional controls of {doc.organisation}"),
            "last-modified": _utc(doc.approved_at or doc.generated_at).isoformat(),
            "version": str(doc.version),
            "oscal-version": OSCAL_VERSION,
        },
        "controls": [
            {
                "id": oscal_control_id(row.control_id),
                "title": _one_line(row.title) or row.control_id,
                "props": [{"name": "label", "value": row.control_id}, _prop("additional", "true")],
            }
            for row in rows
        ],
    }
    return _serialise(_validated(Catalog, data, "catalog of additional controls"))


def to_oscal_profile(doc: SoADocument) -> bytes:
    """OSCAL profile: the applicable controls selected from the catalog, with inclusion justifications."""
    annex = [r for r in doc.rows if not r.additional]
    included = [r for r in annex if r.applicable is True]
    excluded = [r for r in annex if r.applicable is False]
    additional = [r for r in doc.rows if r.additional and r.applicable is True]
    imports: list[dict[str, Any]] = []
    if included:
        first: dict[str, Any] = {
            "href": catalog_filename(doc.framework_id),
            "include-controls": [{"with-ids": [oscal_control_id(r.control_id) for r in included]}],
        }
        if excluded:
            first["exclude-controls"] = [{"with-ids": [oscal_control_id(r.control_id) for r in excluded]}]
        imports.append(first)
    data: dict[str, Any] = {"uuid": _uuid(doc, "profile"), "metadata": _metadata(doc, "profile")}
    if additional:
        resource = _uuid(doc, "resource", "additional-catalog")
        imports.append(
            {
                "href": f"#{resource}",
                "include-controls": [{"with-ids": [oscal_control_id(r.control_id) for r in additional]}],
            }
        )
        data["back-matter"] = {
            "resources": [
                {
                    "uuid": resource,
                    "title": _one_line(f"Additional controls of {doc.organisation}"),
                    "description": "OSCAL catalog of the controls the organisation added beyond Annex A.",
                    "base64": {
                        "filename": "additional-controls.json",
                        "media-type": "application/oscal.catalog+json",
                        "value": base64.b64encode(_additional_catalog(doc, additional)).decode("ascii"),
                    },
                }
            ]
        }
    if not imports:
        raise SoAExportError(
            "the profile needs at least one applicable control to include; export the SSP instead"
        )
    data["imports"] = imports
    alters = []
    for row in [*included, *additional]:
        add: dict[str, Any] = {"position": "ending", "props": _row_props(row)}
        add["props"] += _props("implementing-control", [_control_name(c) for c in row.implementing_controls])
        if row.justification_inclusion.strip():
            add["parts"] = [
                {
                    "name": "justification",
                    "ns": STEWARD_NS,
                    "title": "Justification for inclusion",
                    "prose": row.justification_inclusion,
                }
            ]
        alters.append({"control-id": oscal_control_id(row.control_id), "adds": [add]})
    data["modify"] = {"alters": alters}
    data["merge"] = {"as-is": True}
    return _serialise(_validated(Profile, data, "profile"))


def _remarks(row: SoARow) -> str:
    lines = [
        f"**Applicable:** {_applicable(row)}",
        f"**Implementation status:** {_status(row.implementation_status)}",
    ]
    if row.justification_inclusion.strip():
        lines.append(f"**Justification for inclusion:** {row.justification_inclusion}")
    if row.justification_exclusion.strip():
        lines.append(f"**Justification for exclusion:** {row.justification_exclusion}")
    return "\n\n".join(lines)


def to_oscal_ssp(doc: SoADocument) -> bytes:
    """SSP-style OSCAL document carrying the whole SoA: every control, decision, justification, status."""
    aims = _uuid(doc, "component", "aims")
    components: dict[str, dict[str, Any]] = {}
    for row in doc.rows:
        for control in row.implementing_controls:
            if control.key in components:
                continue
            props = [_prop("control-key", control.key), _prop("control-status", control.status)]
            props += _props("owner", [control.owner])
            components[control.key] = {
                "uuid": _uuid(doc, "component", control.key),
                "type": "process-procedure",
                "title": _one_line(_control_name(control)) or control.key,
                "description": control.title or control.key,
                "props": props,
                "status": {"state": _COMPONENT_STATE.get(control.status, "other")},
            }

    requirements = []
    for row in doc.rows:
        props = _row_props(row)
        props += _props("inclusion-justification", [row.justification_inclusion])
        props += _props("exclusion-justification", [row.justification_exclusion])
        requirement: dict[str, Any] = {
            "uuid": _uuid(doc, "requirement", row.control_id),
            "control-id": oscal_control_id(row.control_id),
            "props": props,
            "remarks": _remarks(row),
        }
        by_components = []
        if row.applicable is False:
            reason = row.justification_exclusion.strip() or "Excluded; no justification recorded."
            by_components.append(
                {
                    "component-uuid": aims,
                    "uuid": _uuid(doc, "by-component", row.control_id, "aims"),
                    "description": reason,
                    "implementation-status": {"state": "not-applicable", "remarks": reason},
                }
            )
        else:
            for control in row.implementing_controls:
                entry: dict[str, Any] = {
                    "component-uuid": components[control.key]["uuid"],
                    "uuid": _uuid(doc, "by-component", row.control_id, control.key),
                    "description": f"{_control_name(control)} implements {row.control_id}.",
                }
                if control.status in _CONTROL_STATE:
                    entry["implementation-status"] = {"state": _CONTROL_STATE[control.status]}
                by_components.append(entry)
        if by_components:
            requirement["by-components"] = by_components
        requirements.append(requirement)
    if not requirements:
        raise SoAExportError("the SoA has no rows; an SSP needs at least one control")

    scope = doc.scope.strip() or "Not recorded in the SoA: see the AIMS scope statement (ISO/IEC 42001 4.3)."
    data: dict[str, Any] = {
        "uuid": _uuid(doc, "ssp"),
        "metadata": _metadata(doc, "SSP"),
        "import-profile": {
            "href": catalog_filename(doc.framework_id),
            "remarks": "The baseline is the whole framework catalog: every Annex A control is listed below "
            "with its applicability decision.",
        },
        "system-characteristics": {
            "system-ids": [
                {
                    "identifier-type": "https://ietf.org/rfc/rfc4122",
                    "id": str(uuid.uuid5(STEWARD_UUID_NAMESPACE, f"aims|{doc.organisation}")),
                }
            ],
            "system-name": _one_line(f"{doc.organisation} AI management system"),
            "description": f"AI management system of {doc.organisation} under {doc.framework_title}. {scope}",
            "system-information": {
                "information-types": [
                    {
                        "title": "AI management system records",
                        "description": "Policies, risk and impact assessments, controls and evidence "
                        "of the AIMS.",
                    }
                ]
            },
            "status": {
                "state": "other",
                "remarks": f"Statement of Applicability version {doc.version} is {doc.status}.",
            },
            "authorization-boundary": {"description": scope},
        },
        "system-implementation": {
            "components": [
                {
                    "uuid": aims,
                    "type": "this-system",
                    "title": _one_line(f"{doc.organisation} AI management system"),
                    "description": "The AI management system as a whole.",
                    "status": {"state": "operational"},
                },
                *components.values(),
            ]
        },
        "control-implementation": {
            "description": "Statement of Applicability (ISO/IEC 42001 6.1.3): one implemented requirement "
            "per Annex A control and per additional control, with the applicability decision, the "
            "justification for inclusion or exclusion, the implementation status and the implementing "
            "controls.",
            "implemented-requirements": requirements,
        },
    }
    return _serialise(_validated(SystemSecurityPlan, data, "system security plan"))


def to_oscal(doc: SoADocument) -> bytes:
    """The SoA as OSCAL JSON: the SSP-style document (the only one that carries exclusion justifications)."""
    return to_oscal_ssp(doc)


Exporter = Callable[[SoADocument], bytes]

EXPORTERS: dict[str, tuple[Exporter, str, str]] = {
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": (to_csv, "text/csv; charset=utf-8", "csv"),
    "pdf": (to_pdf, "application/pdf", "pdf"),
    "oscal": (to_oscal, "application/json", "json"),
}
