"""Adopting frameworks, assessments, controls across frameworks, coverage through crosswalks, readiness."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from steward.audit.context import Actor
from steward.audit.models import ChangeRecord
from steward.catalog.models import Framework, RequirementNode
from steward.core.services import update_object
from steward.evidence.models import Evidence
from steward.implementation import services
from steward.implementation.models import Control, RequirementAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(personas: Any) -> Actor:
    return Actor.for_user(personas["manager"].user)


def fw(identifier: str) -> Framework:
    return Framework.objects.get(identifier=identifier)


def test_adopting_42001_creates_one_assessment_per_clause_unit_and_control(
    org: Any, manager: Actor, catalog: Any
) -> None:
    services.adopt_framework(org.pk, fw("iso-iec-42001"), by=manager)
    assessments = RequirementAssessment.objects.filter(organisation=org)
    assert assessments.filter(node__kind="clause").count() == 32
    assert assessments.filter(node__kind="control").count() == 38
    with pytest.raises(ValidationError, match="already adopted"):
        services.adopt_framework(org.pk, fw("iso-iec-42001"), by=manager)


def test_clause_units_can_never_be_not_applicable(
    org: Any, manager: Actor, catalog: Any, api_for: Any
) -> None:
    services.adopt_framework(org.pk, fw("iso-iec-42001"), by=manager)
    clause = RequirementAssessment.objects.get(organisation=org, node__node_id="6.1.3")
    with pytest.raises(ValidationError, match="never be marked not applicable"):
        update_object(clause, data={"status": "not_applicable"}, by=manager)
    control = RequirementAssessment.objects.get(organisation=org, node__node_id="A.10.4")
    update_object(control, data={"status": "not_applicable"}, by=manager)
    response = api_for("manager").patch(
        f"/api/v1/implementation/assessments/{clause.key}/", {"status": "not_applicable"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()


def test_starter_controls_from_annex_a_span_frameworks(org: Any, manager: Actor, catalog: Any) -> None:
    created = services.generate_starter_controls(org.pk, by=manager)
    assert len(created) == 38
    verification = next(c for c in created if c.title == "AI system verification and validation")
    frameworks = set(verification.implements.values_list("framework__identifier", flat=True))
    assert {"iso-iec-42001", "nist-ai-rmf"} <= frameworks, frameworks
    assert services.generate_starter_controls(org.pk, by=manager) == []  # idempotent
    assert ChangeRecord.objects.filter(event="controls.generated_from_annex_a").count() == 1


def test_contributor_cannot_generate_controls_but_can_use_the_api(
    org: Any, personas: Any, catalog: Any, api_for: Any
) -> None:
    assert api_for("viewer").post("/api/v1/implementation/controls/from-annex-a/").status_code == 403
    response = api_for("contributor").post("/api/v1/implementation/controls/from-annex-a/")
    assert response.status_code == 201 and len(response.json()) == 38


def test_coverage_follows_crosswalks_and_needs_current_evidence(
    org: Any, personas: Any, manager: Actor, catalog: Any
) -> None:
    created = services.generate_starter_controls(org.pk, by=manager)
    rmf = fw("nist-ai-rmf")
    assert services.coverage(org.pk, rmf).covered == 0  # nothing implemented yet
    control = next(c for c in created if c.title == "AI system operation and monitoring")
    update_object(control, data={"status": "implemented"}, by=manager)
    assert services.coverage(org.pk, rmf).covered == 0  # implemented, but no evidence
    evidence = Evidence(organisation=org, title="Runbook", kind="link", url="https://example.org")
    from django.db import transaction

    from steward.audit.context import acting_as

    with acting_as(manager), transaction.atomic():
        evidence.save()
        control.evidence.add(evidence)
    result = services.coverage(org.pk, rmf)
    assert result.covered > 0 and result.total == 72
    covered = [n for n in result.nodes if n.covered]
    assert any(p.via == "ISO/IEC 42001 A.6.2.6" for n in covered for p in n.paths)
    with acting_as(manager), transaction.atomic():
        evidence.expires = timezone.localdate() - datetime.timedelta(days=1)
        evidence.save()
    assert services.coverage(org.pk, rmf).covered == 0  # expired evidence no longer counts


def test_a_control_implementing_an_eu_ai_act_article_directly_covers_it(
    org: Any, manager: Actor, catalog: Any
) -> None:
    from steward.core.services import create_object

    control = create_object(
        Control, organisation_id=org.pk, data={"title": "Logging", "status": "implemented"}, by=manager
    )
    art12 = RequirementNode.objects.get(framework__identifier="eu-ai-act", node_id="art-12")
    evidence = create_object(
        Evidence, organisation_id=org.pk, data={"title": "Log policy", "kind": "record"}, by=manager
    )
    from django.db import transaction

    from steward.audit.context import acting_as

    with acting_as(manager), transaction.atomic():
        control.implements.add(art12)
        control.evidence.add(evidence)
    node = next(n for n in services.coverage(org.pk, fw("eu-ai-act")).nodes if n.node.node_id == "art-12")
    assert node.paths[0].relation == "direct"


def test_linking_requirements_is_one_audited_write(
    org: Any, personas: Any, client_for: Any, catalog: Any
) -> None:
    nodes = list(
        RequirementNode.objects.filter(node_id__in=["A.6.2.4", "MEASURE-2.3"]).values_list("pk", flat=True)
    )
    before = ChangeRecord.objects.count()
    response = client_for("contributor").post(
        "/implementation/controls/add/",
        {
            "title": "Pre-release validation",
            "status": "planned",
            "control_type": "process",
            "implements": nodes,
        },
    )
    assert response.status_code == 302
    assert ChangeRecord.objects.count() == before + 1
    record = ChangeRecord.objects.latest("id")
    assert (
        sorted(record.changes["implements"][1]) == sorted(str(pk) for pk in nodes)
        or len(record.changes["implements"][1]) == 2
    )


def test_readiness_page_shows_register_checklist_and_charts(
    org: Any, personas: Any, manager: Actor, client_for: Any, catalog: Any
) -> None:
    services.adopt_framework(org.pk, fw("iso-iec-42001"), by=manager)
    html = client_for("auditor").get("/implementation/readiness/").content.decode()
    assert "Stage 1 checklist" in html and "<svg" in html
    assert "Documented-information register" in html and "Gap" in html
    assert "6.1.3" in html and "4.3" in html


def test_coverage_page_and_api(org: Any, personas: Any, client_for: Any, api_for: Any, catalog: Any) -> None:
    assert (
        "Coverage across frameworks" in client_for("viewer").get("/implementation/coverage/").content.decode()
    )
    data = api_for("viewer").get("/api/v1/implementation/controls/coverage/?framework=nist-ai-rmf").json()
    assert data["total"] == 72 and data["covered"] == 0
    assert (
        api_for("viewer").get("/api/v1/implementation/controls/coverage/?framework=nope").status_code == 400
    )
