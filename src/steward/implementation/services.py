"""Adopting frameworks, generating starter controls, and coverage across frameworks through crosswalks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from steward.audit.context import Actor, acting_as
from steward.audit.services import record_event
from steward.audit.signals import audit_batch
from steward.catalog.choices import CatalogKind, Confidence
from steward.catalog.models import CrosswalkRelation, Framework, RequirementNode
from steward.core.roles import Action
from steward.core.services import ensure_allowed
from steward.evidence.models import Evidence
from steward.implementation.choices import ControlStatus
from steward.implementation.models import Control, FrameworkAdoption, RequirementAssessment

ISO_42001 = "iso-iec-42001"


def adopt_framework(
    organisation_id: int,
    framework: Framework,
    *,
    by: Actor,
    adopted_on: datetime.date | None = None,
    scope_note: str = "",
) -> FrameworkAdoption:
    """Adopt a framework: one assessment per assessable node (existing ones are kept)."""
    if framework.kind != CatalogKind.FRAMEWORK:
        raise ValidationError({"framework": f"{framework} is a taxonomy, not a framework to adopt."})
    ensure_allowed(by, FrameworkAdoption, Action.ADD, organisation_id)
    if FrameworkAdoption.objects.filter(organisation_id=organisation_id, framework=framework).exists():
        raise ValidationError({"framework": f"{framework} is already adopted."})
    with acting_as(by), transaction.atomic():
        adoption = FrameworkAdoption(
            organisation_id=organisation_id,
            framework=framework,
            adopted_on=adopted_on or timezone.localdate(),
            scope_note=scope_note,
            created_by=by.user,
        )
        adoption.save()
        sync_assessments(adoption, by=by)
    return adoption


def sync_assessments(adoption: FrameworkAdoption, *, by: Actor) -> int:
    """Create the assessments a (possibly upgraded) framework now needs; returns how many were added."""
    have = set(
        RequirementAssessment.objects.filter(organisation_id=adoption.organisation_id).values_list(
            "node_id", flat=True
        )
    )
    added = 0
    with acting_as(by), transaction.atomic():
        for node in adoption.framework.nodes.filter(assessable=True, retired=False).order_by("order"):
            if node.pk in have:
                continue
            RequirementAssessment(
                organisation_id=adoption.organisation_id, node=node, created_by=by.user
            ).save()
            added += 1
    return added


def save_adoption_form(form: Any, *, organisation_id: int, by: Actor) -> FrameworkAdoption:
    if form.instance.pk:
        from steward.core.services import save_form

        saved: FrameworkAdoption = save_form(form, organisation_id=organisation_id, by=by)
        return saved
    data = form.cleaned_data
    return adopt_framework(
        organisation_id,
        data["framework"],
        by=by,
        adopted_on=data.get("adopted_on"),
        scope_note=data.get("scope_note", ""),
    )


def generate_starter_controls(organisation_id: int, *, by: Actor) -> list[Control]:
    """One control per Annex A control that no control implements yet.

    Each is also linked, through high-confidence crosswalk relations, to the nodes it meets in other
    frameworks: one control, several frameworks."""
    ensure_allowed(by, Control, Action.ADD, organisation_id)
    annex_a = RequirementNode.objects.filter(
        framework__identifier=ISO_42001, kind="control", retired=False
    ).order_by("order")
    covered = set(
        Control.objects.filter(organisation_id=organisation_id).values_list("implements__id", flat=True)
    )
    related: dict[int, list[int]] = defaultdict(list)
    for relation in CrosswalkRelation.objects.filter(
        source__in=annex_a, confidence=Confidence.HIGH, target__assessable=True
    ).values("source_id", "target_id"):
        related[relation["source_id"]].append(relation["target_id"])
    created = []
    with acting_as(by), transaction.atomic():
        for node in annex_a:
            if node.pk in covered:
                continue
            with audit_batch():
                control = Control(
                    organisation_id=organisation_id,
                    title=node.title,
                    description=(node.guidance or {}).get("summary", ""),
                    created_by=by.user,
                    owner=by.user,
                )
                control.save()
                control.implements.set([node.pk, *related[node.pk]])
            created.append(control)
        if created:
            record_event(
                organisation_id=organisation_id,
                event="controls.generated_from_annex_a",
                obj=created[0],
                by=by,
                changes={"controls": [c.key for c in created]},
            )
    return created


# ------------------------------------------------------------------------------------------- coverage
@dataclass
class CoveragePath:
    control: str  # "CTL-0004 AI system verification and validation"
    via: str  # "ISO/IEC 42001 A.6.2.4" or "" when the control implements the node directly
    relation: str  # "intersects (high)" or "direct"


@dataclass
class NodeCoverage:
    node: RequirementNode
    paths: list[CoveragePath] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.paths)


@dataclass
class Coverage:
    framework: Framework
    nodes: list[NodeCoverage]

    @property
    def covered(self) -> int:
        return sum(1 for n in self.nodes if n.covered)

    @property
    def total(self) -> int:
        return len(self.nodes)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


def effective_controls(organisation_id: int) -> Any:
    """Implemented controls backed by at least one piece of evidence that counts today."""
    current = Evidence.objects.filter(Evidence.current_q(), organisation_id=organisation_id)
    return (
        Control.objects.filter(organisation_id=organisation_id, status=ControlStatus.IMPLEMENTED)
        .filter(evidence__in=current)
        .distinct()
    )


def coverage(organisation_id: int, framework: Framework) -> Coverage:
    """How much of ``framework`` the organisation's effective controls cover.

    A node is covered directly, or through any crosswalk relation (either direction) from a node that an
    effective control implements. Each covered node keeps its paths."""
    controls = list(effective_controls(organisation_id).prefetch_related("implements__framework"))
    implemented: dict[int, list[tuple[Control, RequirementNode]]] = defaultdict(list)
    for control in controls:
        for node in control.implements.all():
            implemented[node.pk].append((control, node))
    targets = list(framework.nodes.filter(assessable=True, retired=False).order_by("order"))
    result = {n.pk: NodeCoverage(n) for n in targets}
    for node_id, pairs in implemented.items():
        if node_id in result:
            for control, _ in pairs:
                result[node_id].paths.append(CoveragePath(f"{control.key} {control.title}", "", "direct"))
    if implemented:
        relations = CrosswalkRelation.objects.filter(
            Q(source_id__in=implemented, target__framework=framework)
            | Q(target_id__in=implemented, source__framework=framework)
        ).select_related("source__framework", "target__framework")
        for relation in relations:
            mine, theirs = (
                (relation.source, relation.target)
                if relation.source_id in implemented and relation.target_id in result
                else (relation.target, relation.source)
            )
            if theirs.pk not in result:
                continue
            for control, _ in implemented[mine.pk]:
                result[theirs.pk].paths.append(
                    CoveragePath(
                        f"{control.key} {control.title}",
                        mine.reference,
                        f"{relation.get_type_display().lower()} ({relation.confidence})",
                    )
                )
    return Coverage(framework, list(result.values()))
