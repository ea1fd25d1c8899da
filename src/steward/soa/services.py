"""Statement of Applicability actions (ISO/IEC 42001 6.1.3 d–f; 7.5.2 review and approval; 7.5.3 versions).

Every state change runs in ``transaction.atomic()`` under ``acting_as(by)``, re-checks the actor's permission
and writes its change records (and semantic events such as ``soa.approved``) in the same transaction. Views,
the API, the CLI and the demo all call these functions.

Life cycle: ``create_soa`` (v1, one entry per Annex A control) → ``update_entry`` / ``add_additional_control``
on the draft → ``validate_soa`` → ``approve_soa`` (manager or admin; freezes the version, supersedes the
previous approved one) → ``new_draft`` (v2, a copy of the approved version) → … Approved and superseded
versions are never changed or deleted again: they are the documented information an auditor relies on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, ProtectedError, QuerySet
from django.utils import timezone

from steward.audit.context import Actor, acting_as
from steward.audit.services import record_event
from steward.audit.signals import audit_batch
from steward.catalog.models import Framework, RequirementNode
from steward.core.roles import Action
from steward.core.services import ensure_allowed
from steward.implementation.choices import AssessmentStatus, ControlStatus
from steward.implementation.models import Control, RequirementAssessment
from steward.soa.choices import ImplementationStatus, SoAStatus
from steward.soa.document import ImplementingControl, SoADocument, SoARow
from steward.soa.models import SoAEntry, StatementOfApplicability

ISO_42001 = "iso-iec-42001"
DEFAULT_TITLE = "Statement of Applicability"
#: additional (organisation-defined) controls sort after every Annex A control
ADDITIONAL_ORDER_BASE = 100_000
#: the entry fields ``update_entry`` accepts
ENTRY_FIELDS = (
    "applicable",
    "justification_inclusion",
    "justification_exclusion",
    "implementation_status",
    "implementing_controls",
    "linked_requirements",
    "linked_risks",
    "additional_title",
    "additional_description",
)
SOA_FIELDS = ("title", "scope", "notes")


class FrozenVersionError(ValidationError):
    """A write to an approved or superseded version: those are frozen records (7.5.3)."""


class ApprovalRefused(ValidationError):
    """The SoA is not complete: ``problems`` lists every reason, each naming its control."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__([p.message for p in problems])
        self.problems = list(problems)


@dataclass(frozen=True)
class Problem:
    """One reason an SoA cannot be approved yet."""

    control_id: str  # "A.6.2.4", or the entry key of an additional control
    entry_key: str
    field: str  # the entry field to fix
    message: str

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryDiff:
    """How one control's decision differs between two versions."""

    control_id: str
    title: str
    change: str  # "added" | "removed" | "changed"
    changes: tuple[FieldChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ------------------------------------------------------------------------------------------------ helpers
def _org_id(organisation: Any) -> int:
    return int(getattr(organisation, "pk", organisation))


def iso_42001() -> Framework:
    framework = Framework.objects.filter(identifier=ISO_42001).first()
    if framework is None:
        raise ValidationError("The ISO/IEC 42001 catalog is not loaded; run `steward init` first.")
    return framework


def annex_a_controls(framework: Framework) -> QuerySet[RequirementNode]:
    return framework.nodes.filter(kind="control", retired=False).order_by("order")


def frozen_message(soa: StatementOfApplicability, verb: str = "") -> str:
    if soa.status == SoAStatus.APPROVED:
        state = "is approved and frozen"
    else:
        state = "was approved, is now superseded and frozen"
    if verb:
        return f"v{soa.version} {state}; it cannot be {verb}"
    return f"v{soa.version} {state}; start a new draft"


def _locked(soa: StatementOfApplicability) -> StatementOfApplicability:
    """Re-read the version inside the writing transaction, so a concurrent approval is seen."""
    return StatementOfApplicability.objects.select_for_update().get(pk=soa.pk)


def ensure_draft(soa: StatementOfApplicability, verb: str = "") -> None:
    if soa.status != SoAStatus.DRAFT:
        raise FrozenVersionError(frozen_message(soa, verb), code="frozen")


def _next_version(organisation_id: int) -> int:
    top = StatementOfApplicability.objects.filter(organisation_id=organisation_id).aggregate(n=Max("version"))
    return int(top["n"] or 0) + 1


def entries_for_display(soa: StatementOfApplicability) -> QuerySet[SoAEntry]:
    """Entries with all a table, the validation and the documents need, in a fixed number of queries."""
    return soa.entries.select_related("node__parent", "node__framework", "created_by").prefetch_related(
        Prefetch("implementing_controls", queryset=Control.objects.select_related("owner").order_by("key")),
        Prefetch(
            "linked_requirements",
            queryset=RequirementNode.objects.select_related("framework").order_by(
                "framework__title", "order"
            ),
        ),
    )


def risk_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def entry_title(entry: SoAEntry) -> str:
    return entry.node.title if entry.node is not None else entry.additional_title


# ------------------------------------------------------------------------------------------------ create
def create_soa(
    organisation: Any, *, by: Actor, title: str = DEFAULT_TITLE, scope: str = "", notes: str = ""
) -> StatementOfApplicability:
    """Start a new version (next number) with one undecided entry per Annex A control, in catalog order."""
    organisation_id = _org_id(organisation)
    ensure_allowed(by, StatementOfApplicability, Action.ADD, organisation_id)
    framework = iso_42001()
    with acting_as(by), transaction.atomic(), audit_batch():
        soa = StatementOfApplicability(
            organisation_id=organisation_id,
            framework=framework,
            version=_next_version(organisation_id),
            title=(title or "").strip() or DEFAULT_TITLE,
            scope=scope or "",
            notes=notes or "",
            created_by=by.user,
        )
        soa.full_clean(exclude=["key"])
        soa.save()
        for node in annex_a_controls(framework):
            SoAEntry(
                organisation_id=organisation_id, soa=soa, node=node, order=node.order, created_by=by.user
            ).save()
    return soa


def update_soa(soa: StatementOfApplicability, data: dict[str, Any], *, by: Actor) -> StatementOfApplicability:
    """Change the title, scope or notes of a draft."""
    unknown = set(data) - set(SOA_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    ensure_allowed(by, StatementOfApplicability, Action.CHANGE, soa.organisation_id, soa)
    with acting_as(by), transaction.atomic(), audit_batch():
        current = _locked(soa)
        ensure_draft(current)
        for name, value in data.items():
            setattr(soa, name, value if value is not None else "")
        soa.status = current.status
        soa.full_clean(exclude=["key"])
        soa.save()
    return soa


def delete_soa(soa: StatementOfApplicability, *, by: Actor) -> None:
    """Delete a draft and its entries (each deletion is audited). Approved and superseded versions stay."""
    ensure_allowed(by, StatementOfApplicability, Action.DELETE, soa.organisation_id, soa)
    with acting_as(by), transaction.atomic():
        current = _locked(soa)
        ensure_draft(current, "deleted")
        for entry in current.entries.all():
            entry.delete()
        try:
            soa.delete()
        except ProtectedError as exc:
            raise ValidationError(
                f"v{soa.version} is the basis of a later version; it cannot be deleted."
            ) from exc


# ------------------------------------------------------------------------------------------------ entries
def add_additional_control(
    soa: StatementOfApplicability, *, title: str, description: str = "", by: Actor
) -> SoAEntry:
    """Add a control of the organisation's own beyond Annex A (6.1.3 allows it), undecided until edited."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"additional_title": "An additional control needs a title."})
    ensure_allowed(by, SoAEntry, Action.ADD, soa.organisation_id)
    with acting_as(by), transaction.atomic(), audit_batch():
        ensure_draft(_locked(soa))
        top = soa.entries.aggregate(n=Max("order"))["n"] or 0
        entry = SoAEntry(
            organisation_id=soa.organisation_id,
            soa=soa,
            node=None,
            additional_title=title,
            additional_description=description or "",
            order=max(top, ADDITIONAL_ORDER_BASE) + 1,
            created_by=by.user,
        )
        entry.full_clean(exclude=["key"])
        entry.save()
    return entry


def update_entry(entry: SoAEntry, data: dict[str, Any], *, by: Actor) -> SoAEntry:
    """Record the decision on one control: applicability, justifications, status, links (draft only).

    ``data`` holds any of ``ENTRY_FIELDS``; many-to-many values are iterables of ``Control`` /
    ``RequirementNode``. When the applicability changes and no status is given, the status follows it
    (excluded → not applicable; included again → not started), so the two never contradict silently.
    """
    unknown = set(data) - set(ENTRY_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    ensure_allowed(by, SoAEntry, Action.CHANGE, entry.organisation_id, entry)
    data = dict(data)
    controls = data.pop("implementing_controls", None)
    requirements = data.pop("linked_requirements", None)
    if entry.node is not None and ({"additional_title", "additional_description"} & set(data)):
        if data.get("additional_title") or data.get("additional_description"):
            raise ValidationError(
                {
                    "additional_title": f"{entry.node.label} is an Annex A control; only additional "
                    "controls have their own title and description."
                }
            )
        data.pop("additional_title", None)
        data.pop("additional_description", None)
    if not entry.node_id and "additional_title" in data and not (data["additional_title"] or "").strip():
        raise ValidationError({"additional_title": "An additional control needs a title."})
    if controls is not None:
        controls = list(controls)
        foreign = [c for c in controls if c.organisation_id != entry.organisation_id]
        if foreign:
            raise ValidationError(
                {"implementing_controls": "Only your organisation's controls can be linked."}
            )
    if requirements is not None:
        requirements = list(requirements)
    with acting_as(by), transaction.atomic(), audit_batch():
        ensure_draft(_locked(entry.soa))
        if (
            "applicable" in data
            and data["applicable"] != entry.applicable
            and "implementation_status" not in data
        ):
            if data["applicable"] is False:
                data["implementation_status"] = ImplementationStatus.NOT_APPLICABLE
            elif entry.implementation_status == ImplementationStatus.NOT_APPLICABLE:
                data["implementation_status"] = ImplementationStatus.NOT_STARTED
        for name, value in data.items():
            if name != "applicable" and value is None:
                value = ""
            setattr(entry, name, value)
        entry.full_clean(exclude=["key"])
        entry.save()
        if controls is not None:
            entry.implementing_controls.set(controls)
        if requirements is not None:
            entry.linked_requirements.set(requirements)
    return entry


# ------------------------------------------------------------------------------------------------ validate
def validate_entries(entries: Iterable[SoAEntry]) -> list[Problem]:
    """The checks behind approval, on entries loaded with ``entries_for_display`` (no further queries)."""
    problems: list[Problem] = []
    for entry in entries:
        cid = entry.control_id
        name = f"{cid} {entry_title(entry)}" if entry.node_id else f"{cid} “{entry.additional_title.strip()}”"

        def add(field: str, message: str, cid: str = cid, key: str = entry.key) -> None:
            problems.append(Problem(control_id=cid, entry_key=key, field=field, message=message))

        if not entry.node_id and not entry.additional_title.strip():
            add("additional_title", f"{cid}: an additional control needs a title.")
        if entry.applicable is None:
            add("applicable", f"{name}: not decided — mark it applicable or excluded.")
            continue
        if entry.applicable:
            has_links = bool(entry.linked_requirements.all()) or bool(risk_lines(entry.linked_risks))
            if not entry.justification_inclusion.strip() and not has_links:
                add(
                    "justification_inclusion",
                    f"{name}: included without a justification — give the reason or link the requirements, "
                    "obligations or risks that call for it.",
                )
            live = [c for c in entry.implementing_controls.all() if c.status != ControlStatus.RETIRED]
            if not live:
                retired = " (only retired controls are linked)" if entry.implementing_controls.all() else ""
                add(
                    "implementing_controls",
                    f"{name}: applicable but no implementing control{retired} — link at least one of your "
                    "controls.",
                )
            if entry.implementation_status == ImplementationStatus.NOT_APPLICABLE:
                add(
                    "implementation_status",
                    f"{name}: applicable, but its implementation status says “Not applicable”.",
                )
        else:
            if not entry.justification_exclusion.strip():
                add(
                    "justification_exclusion",
                    f"{name}: excluded without a justification — say why it does not apply.",
                )
            if entry.implementation_status != ImplementationStatus.NOT_APPLICABLE:
                add(
                    "implementation_status",
                    f"{name}: excluded, so its implementation status should be “Not applicable” "
                    f"(it is “{entry.get_implementation_status_display()}”).",
                )
    return problems


def validate_soa(soa: StatementOfApplicability) -> list[Problem]:
    """Everything that stands between this version and approval; empty when it is ready (6.1.3)."""
    return validate_entries(entries_for_display(soa))


# ------------------------------------------------------------------------------------------------ document
def build_document(soa: StatementOfApplicability, entries: Iterable[SoAEntry] | None = None) -> SoADocument:
    """The plain snapshot every export renders: one row per entry, in the SoA's order."""
    if entries is None:
        entries = entries_for_display(soa)
    framework = soa.framework
    rows = []
    for entry in entries:
        node = entry.node
        parent = node.parent if node is not None else None
        rows.append(
            SoARow(
                control_id=entry.control_id,
                title=entry_title(entry),
                objective_id=parent.label if parent is not None else "",
                objective_title=parent.title if parent is not None else "",
                applicable=entry.applicable,
                justification_inclusion=entry.justification_inclusion,
                justification_exclusion=entry.justification_exclusion,
                implementation_status=entry.implementation_status,
                implementing_controls=tuple(
                    ImplementingControl(
                        key=c.key, title=c.title, status=c.status, owner=c.owner.email if c.owner else ""
                    )
                    for c in entry.implementing_controls.all()
                ),
                linked_requirements=tuple(n.reference for n in entry.linked_requirements.all()),
                linked_risks=risk_lines(entry.linked_risks),
                additional=node is None,
            )
        )
    approver = soa.approved_by
    return SoADocument(
        organisation=soa.organisation.name,
        framework_id=framework.identifier,
        framework_title=f"{framework}:{framework.version}" if framework.short_title else framework.title,
        version=soa.version,
        status=soa.status,
        title=soa.title,
        generated_at=timezone.now(),
        approved_by=f"{approver.full_name or approver.email} <{approver.email}>" if approver else "",
        approved_at=soa.approved_at,
        approval_note=soa.approval_note,
        scope=soa.scope,
        content_hash=soa.content_hash,
        rows=tuple(rows),
    )


def document_hash(document: SoADocument) -> str:
    """sha256 of the canonical JSON of the rows: what was decided, not when it was rendered."""
    rows = [dataclasses.asdict(row) for row in document.rows]
    canonical = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------ approve
def approve_soa(soa: StatementOfApplicability, *, by: Actor, note: str = "") -> StatementOfApplicability:
    """Approve and freeze a complete draft (manager or admin); the previous approved version is superseded.

    Refuses with every problem (``ApprovalRefused.problems``) when the SoA is incomplete.
    """
    ensure_allowed(by, StatementOfApplicability, Action.APPROVE, soa.organisation_id, soa)
    if by.user is None:
        raise PermissionDenied("An approval is recorded against a person: sign in as a manager or admin.")
    with acting_as(by), transaction.atomic(), audit_batch():
        current = _locked(soa)
        ensure_draft(current)
        newer = (
            StatementOfApplicability.objects.filter(
                organisation_id=soa.organisation_id, status=SoAStatus.APPROVED, version__gt=current.version
            )
            .order_by("-version")
            .first()
        )
        if newer is not None:
            raise ValidationError(
                f"v{current.version} is older than the approved v{newer.version}; start a new draft from "
                f"v{newer.version} instead.",
                code="outdated",
            )
        entries = list(entries_for_display(current))
        problems = validate_entries(entries)
        if problems:
            raise ApprovalRefused(problems)
        current.status = SoAStatus.APPROVED
        current.approved_by = by.user
        current.approved_at = timezone.now()
        current.approval_note = (note or "").strip()
        current.content_hash = document_hash(build_document(current, entries))
        current.save()
        superseded = []
        for previous in StatementOfApplicability.objects.filter(
            organisation_id=soa.organisation_id, status=SoAStatus.APPROVED
        ).exclude(pk=current.pk):
            previous.status = SoAStatus.SUPERSEDED
            previous.save()
            superseded.append(previous.key)
        aligned = align_assessments(current, entries)
        record_event(
            organisation_id=soa.organisation_id,
            event="soa.approved",
            obj=current,
            by=by,
            changes={
                "version": current.version,
                "content_hash": current.content_hash,
                "note": current.approval_note,
                "superseded": superseded,
                "assessments_aligned": aligned,
            },
        )
    soa.refresh_from_db()
    return soa


def align_assessments(soa: StatementOfApplicability, entries: list[SoAEntry]) -> list[str]:
    """The approved SoA decides applicability: excluded controls' assessments become "not applicable", and
    controls brought back in scope return to "not started". Runs inside the approval's transaction and
    audit batch, so each changed assessment is recorded with the approver as actor."""
    decisions = {
        e.node_id: e.applicable for e in entries if e.node_id is not None and e.applicable is not None
    }
    changed = []
    for assessment in RequirementAssessment.objects.filter(
        organisation_id=soa.organisation_id, node_id__in=list(decisions)
    ).select_related("node"):
        applicable = decisions[assessment.node_id]
        if not applicable and assessment.status != AssessmentStatus.NOT_APPLICABLE:
            assessment.status = AssessmentStatus.NOT_APPLICABLE
        elif applicable and assessment.status == AssessmentStatus.NOT_APPLICABLE:
            assessment.status = AssessmentStatus.NOT_STARTED
        else:
            continue
        assessment.save()
        changed.append(assessment.key)
    return changed


# ------------------------------------------------------------------------------------------------ new draft
def new_draft(organisation: Any, *, by: Actor) -> StatementOfApplicability:
    """Start v(n+1) as a copy of the latest approved version (or the latest one), links included.

    Only one draft at a time. Annex A controls added to the catalog since are added undecided; controls
    the catalog has retired are left out.
    """
    organisation_id = _org_id(organisation)
    ensure_allowed(by, StatementOfApplicability, Action.ADD, organisation_id)
    versions = StatementOfApplicability.objects.filter(organisation_id=organisation_id)
    with acting_as(by), transaction.atomic(), audit_batch():
        draft = versions.filter(status=SoAStatus.DRAFT).order_by("-version").first()
        if draft is not None:
            raise ValidationError(
                f"v{draft.version} is already a draft; approve or delete it before starting another.",
                code="draft_exists",
            )
        source = (
            versions.filter(status=SoAStatus.APPROVED).order_by("-version").first()
            or versions.order_by("-version").first()
        )
        soa = create_soa(organisation_id, by=by) if source is None else _copy_version(source, by=by)
        record_event(
            organisation_id=organisation_id,
            event="soa.draft_created",
            obj=soa,
            by=by,
            changes={"version": soa.version, "based_on": source.key if source else None},
        )
    return soa


def _copy_version(source: StatementOfApplicability, *, by: Actor) -> StatementOfApplicability:
    organisation_id = source.organisation_id
    framework = iso_42001()
    soa = StatementOfApplicability(
        organisation_id=organisation_id,
        framework=framework,
        version=_next_version(organisation_id),
        title=source.title,
        scope=source.scope,
        notes=source.notes,
        based_on=source,
        created_by=by.user,
    )
    soa.save()
    seen: set[int] = set()
    for old in entries_for_display(source):
        if old.node is not None:
            if old.node.retired:
                continue
            seen.add(old.node.pk)
        entry = SoAEntry(
            organisation_id=organisation_id,
            soa=soa,
            node_id=old.node_id,
            additional_title=old.additional_title,
            additional_description=old.additional_description,
            applicable=old.applicable,
            justification_inclusion=old.justification_inclusion,
            justification_exclusion=old.justification_exclusion,
            implementation_status=old.implementation_status,
            linked_risks=old.linked_risks,
            order=old.order,
            created_by=by.user,
        )
        entry.save()
        entry.implementing_controls.set(list(old.implementing_controls.all()))
        entry.linked_requirements.set(list(old.linked_requirements.all()))
    for node in annex_a_controls(framework).exclude(pk__in=seen):
        SoAEntry(
            organisation_id=organisation_id, soa=soa, node=node, order=node.order, created_by=by.user
        ).save()
    return soa


# ------------------------------------------------------------------------------------------------ diff
_APPLICABLE = {True: "Yes", False: "No", None: "Undecided"}
_STATUS = dict(ImplementationStatus.choices)


def _row_key(row: SoARow) -> str:
    # Additional controls get new keys in each version; their title is what stays the same.
    return f"additional:{row.title.strip().casefold()}" if row.additional else row.control_id


def _list_change(field: str, label: str, before: Sequence[str], after: Sequence[str]) -> FieldChange | None:
    if list(before) == list(after):
        return None
    added = tuple(x for x in after if x not in before)
    removed = tuple(x for x in before if x not in after)
    return FieldChange(field, label, "; ".join(before), "; ".join(after), added, removed)


def _row_changes(a: SoARow, b: SoARow) -> list[FieldChange]:
    changes: list[FieldChange | None] = []
    if a.applicable != b.applicable:
        changes.append(
            FieldChange("applicable", "Applicable", _APPLICABLE[a.applicable], _APPLICABLE[b.applicable])
        )
    for field, label in (
        ("justification_inclusion", "Justification for inclusion"),
        ("justification_exclusion", "Justification for exclusion"),
    ):
        if getattr(a, field) != getattr(b, field):
            changes.append(FieldChange(field, label, getattr(a, field), getattr(b, field)))
    if a.implementation_status != b.implementation_status:
        changes.append(
            FieldChange(
                "implementation_status",
                "Implementation status",
                _STATUS.get(a.implementation_status, a.implementation_status),
                _STATUS.get(b.implementation_status, b.implementation_status),
            )
        )
    changes.append(
        _list_change(
            "implementing_controls",
            "Implementing controls",
            [f"{c.key} {c.title}" for c in a.implementing_controls],
            [f"{c.key} {c.title}" for c in b.implementing_controls],
        )
    )
    changes.append(
        _list_change(
            "linked_requirements", "Linked requirements", a.linked_requirements, b.linked_requirements
        )
    )
    changes.append(_list_change("linked_risks", "Linked risks", a.linked_risks, b.linked_risks))
    return [c for c in changes if c is not None]


def _row_summary(row: SoARow) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(field, label, "", value)
        for field, label, value in (
            ("applicable", "Applicable", _APPLICABLE[row.applicable]),
            ("justification_inclusion", "Justification for inclusion", row.justification_inclusion),
            ("justification_exclusion", "Justification for exclusion", row.justification_exclusion),
            ("implementation_status", "Implementation status", _STATUS.get(row.implementation_status, "")),
        )
        if value
    )


def diff(a: StatementOfApplicability, b: StatementOfApplicability) -> list[EntryDiff]:
    """What changed from version ``a`` to version ``b``, per control (only controls that differ)."""
    rows_a = {_row_key(r): r for r in build_document(a).rows}
    rows_b = {_row_key(r): r for r in build_document(b).rows}
    result: list[EntryDiff] = []
    for key, row in rows_b.items():
        old = rows_a.get(key)
        if old is None:
            result.append(EntryDiff(row.control_id, row.title, "added", _row_summary(row)))
            continue
        changes = _row_changes(old, row)
        if changes:
            result.append(EntryDiff(row.control_id, row.title, "changed", tuple(changes)))
    for key, row in rows_a.items():
        if key not in rows_b:
            result.append(EntryDiff(row.control_id, row.title, "removed", _row_summary(row)))
    return result


# ------------------------------------------------------------------------------------------------ queries
def latest_for_export(organisation: Any, version: int | None = None) -> StatementOfApplicability | None:
    """The version to show or export by default: the given one, else the latest approved, else the latest."""
    versions = StatementOfApplicability.objects.filter(organisation_id=_org_id(organisation))
    if version is not None:
        return versions.filter(version=version).first()
    return (
        versions.filter(status=SoAStatus.APPROVED).order_by("-version").first()
        or versions.order_by("-version").first()
    )
