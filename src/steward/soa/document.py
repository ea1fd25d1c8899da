"""A plain, framework-agnostic snapshot of one SoA version: what every export renders.

Built from the database by ``steward.soa.services.build_document``; the exporters in ``exports.py`` take only
this structure, so they are pure functions that tests can drive without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ImplementingControl:
    key: str  # e.g. "CTL-0004"
    title: str
    status: str  # planned | implementing | implemented | retired
    owner: str  # e-mail or ""


@dataclass(frozen=True)
class SoARow:
    control_id: str  # Annex A id, e.g. "A.6.2.4"; for an additional control, its key e.g. "ADD-0001"
    title: str  # control title
    objective_id: str  # e.g. "A.6.2" ("" for additional controls)
    objective_title: str
    applicable: bool | None  # None = not decided yet
    justification_inclusion: str
    justification_exclusion: str
    implementation_status: str  # not_started | in_progress | implemented | not_applicable
    implementing_controls: tuple[ImplementingControl, ...] = ()
    linked_requirements: tuple[str, ...] = ()  # node labels, e.g. ("6.1.3", "EU AI Act Art. 15")
    linked_risks: tuple[str, ...] = ()  # risk keys or short references
    additional: bool = False  # True for controls the organisation added beyond Annex A


@dataclass(frozen=True)
class SoADocument:
    organisation: str
    framework_id: str  # "iso-iec-42001"
    framework_title: str  # "ISO/IEC 42001:2023"
    version: int  # 1, 2, …
    status: str  # draft | approved | superseded
    title: str
    generated_at: datetime
    approved_by: str = ""  # name <e-mail>
    approved_at: datetime | None = None
    approval_note: str = ""
    scope: str = ""  # AIMS scope statement (4.3), may be ""
    content_hash: str = ""  # sha256 of the frozen content when approved
    rows: tuple[SoARow, ...] = field(default_factory=tuple)

    @property
    def effective_date(self) -> date | None:
        return self.approved_at.date() if self.approved_at else None
