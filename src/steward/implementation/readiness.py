"""Certification readiness for ISO/IEC 42001: implementation per clause and Annex A objective, the
documented-information register (every D/R item and what satisfies it), expired evidence, overdue reviews
and a Stage 1 checklist (documentation readiness)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from steward.catalog.models import RequirementNode
from steward.core import registry
from steward.core.charts import bar_chart
from steward.core.roles import Action
from steward.evidence.models import Evidence
from steward.implementation.choices import AssessmentStatus
from steward.implementation.models import Control, RequirementAssessment

ISO_42001 = "iso-iec-42001"


@dataclass
class Share:
    label: str
    title: str
    implemented: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.implemented / self.total) if self.total else 0


@dataclass
class DIItem:
    assessment: RequirementAssessment
    items: list[str]
    kind: str
    evidence: list[Evidence]

    @property
    def satisfied(self) -> bool:
        return any(e.counts for e in self.evidence)


@dataclass
class CheckItem:
    label: str
    done: bool
    detail: str
    url: str


def _group_label(node: RequirementNode, ancestors: dict[int, RequirementNode]) -> RequirementNode:
    """Clause units group under their top-level clause (4–10); Annex A controls under their objective."""
    current = node
    while current.parent_id and current.parent_id in ancestors:
        parent = ancestors[current.parent_id]
        if parent.kind in ("objective",) or parent.parent_id is None:
            return parent
        if parent.kind == "annex":
            return current
        current = parent
    return current


def build(user: Any, organisation: Any) -> dict[str, Any]:
    today = timezone.localdate()
    assessments = list(
        RequirementAssessment.objects.restrict(user, Action.VIEW, organisation)
        .filter(node__framework__identifier=ISO_42001)
        .select_related("node")
        .prefetch_related("evidence")
        .order_by("node__order")
    )
    nodes = {n.pk: n for n in RequirementNode.objects.filter(framework__identifier=ISO_42001)}
    # Evidence satisfies a requirement when linked to its assessment or to a control implementing it.
    control_evidence: dict[int, list[Evidence]] = {}
    controls = (
        Control.objects.restrict(user, Action.VIEW, organisation)
        .filter(implements__framework__identifier=ISO_42001)
        .prefetch_related("implements", "evidence")
        .distinct()
    )
    for control in controls:
        for node in control.implements.all():
            control_evidence.setdefault(node.pk, []).extend(control.evidence.all())
    clauses: OrderedDict[str, Share] = OrderedDict()
    objectives: OrderedDict[str, Share] = OrderedDict()
    di_register: list[DIItem] = []
    for a in assessments:
        group = _group_label(a.node, nodes)
        target = objectives if a.node.kind == "control" else clauses
        share = target.setdefault(group.label, Share(group.label, group.title, 0, 0))
        if a.status == AssessmentStatus.NOT_APPLICABLE:
            continue
        share.total += 1
        share.implemented += a.status == AssessmentStatus.IMPLEMENTED
        if a.node.documented_information not in ("none", "meta"):
            evidence = list(dict.fromkeys([*a.evidence.all(), *control_evidence.get(a.node_id, [])]))
            di_register.append(
                DIItem(
                    a,
                    list(a.node.di_items) or [a.node.title],
                    a.node.get_documented_information_display(),
                    evidence,
                )
            )
    expired = (
        Evidence.objects.restrict(user, Action.VIEW, organisation)
        .exclude(Evidence.current_q())
        .filter(expires__isnull=False)
        .select_related("owner")
    )
    overdue: list[Any] = []
    for reg in registry.registrations():
        if any(f.name == "next_review" for f in reg.model._meta.fields):
            overdue.extend(
                reg.model.objects.restrict(user, Action.VIEW, organisation)
                .filter(next_review__lt=today)
                .order_by("next_review")[:50]
            )
    by_node = {a.node.label: a for a in assessments}

    def done(label: str) -> bool:
        a = by_node.get(label)
        return bool(
            a and a.status == AssessmentStatus.IMPLEMENTED and any(e.counts for e in a.evidence.all())
        )

    def link(label: str) -> str:
        a = by_node.get(label)
        return a.get_absolute_url() if a else reverse("implementation:frameworkadoption_list")

    from steward.soa.models import StatementOfApplicability

    soa = (
        StatementOfApplicability.objects.restrict(user, Action.VIEW, organisation)
        .filter(status="approved")
        .first()
    )
    gaps = sum(1 for item in di_register if not item.satisfied)
    checklist = [
        CheckItem(
            "ISO/IEC 42001 adopted",
            bool(assessments),
            "Assessments exist for every clause and control",
            reverse("implementation:frameworkadoption_list"),
        ),
        CheckItem(
            "AIMS scope documented (4.3)", done("4.3"), "Implemented, with current evidence", link("4.3")
        ),
        CheckItem("AI policy (5.2)", done("5.2"), "Implemented, with current evidence", link("5.2")),
        CheckItem(
            "Roles and responsibilities (5.3)", done("5.3"), "Implemented, with current evidence", link("5.3")
        ),
        CheckItem(
            "AI risk assessment process (6.1.2)",
            done("6.1.2"),
            "Method and criteria on record",
            link("6.1.2"),
        ),
        CheckItem(
            "AI system impact assessment process (6.1.4)", done("6.1.4"), "Method on record", link("6.1.4")
        ),
        CheckItem(
            "Statement of Applicability approved (6.1.3)",
            soa is not None,
            f"v{soa.version} approved" if soa else "No approved version",
            reverse("soa:statementofapplicability_list"),
        ),
        CheckItem("AI objectives (6.2)", done("6.2"), "Documented objectives", link("6.2")),
        CheckItem(
            "Documented-information register complete",
            bool(di_register) and gaps == 0,
            f"{gaps} gap(s)" if gaps else "Every item satisfied",
            "#di-register",
        ),
        CheckItem("Internal audit programme (9.2.2)", done("9.2.2"), "Programme on record", link("9.2.2")),
        CheckItem("Management review (9.3.3)", done("9.3.3"), "Results on record", link("9.3.3")),
    ]
    clause_list, objective_list = list(clauses.values()), list(objectives.values())
    return {
        "clauses": clause_list,
        "objectives": objective_list,
        "clause_chart": bar_chart(
            [s.label for s in clause_list],
            [s.percent for s in clause_list],
            title="Clauses 4–10: share implemented, %",
            height=160,
        ),
        "objective_chart": bar_chart(
            [s.label for s in objective_list],
            [s.percent for s in objective_list],
            title="Annex A objectives: share implemented, %",
            height=160,
        ),
        "di_register": di_register,
        "di_gaps": gaps,
        "expired": expired,
        "overdue": overdue,
        "checklist": checklist,
        "checklist_done": sum(c.done for c in checklist),
        "adopted": bool(assessments),
    }
