"""Approving the SoA decides applicability for the requirement assessments of Annex A controls."""

from __future__ import annotations

from typing import Any

import pytest

from steward.audit.models import ChangeRecord
from steward.catalog.models import Framework
from steward.implementation.models import RequirementAssessment
from steward.implementation.services import adopt_framework
from steward.soa import services
from tests.soa.conftest import complete

pytestmark = pytest.mark.django_db


def test_approval_marks_excluded_controls_not_applicable_and_restores_readmitted_ones(
    personas: Any,
    actors: Any,
    control: Any,
    catalog: Any,
) -> None:
    organisation = personas["manager"].organisation
    adopt_framework(organisation.pk, Framework.objects.get(identifier="iso-iec-42001"), by=actors["manager"])
    a104 = RequirementAssessment.objects.get(organisation=organisation, node__node_id="A.10.4")
    assert a104.status == "not_started"

    v1 = services.create_soa(organisation, by=actors["manager"])
    complete(v1, control, actors["manager"], exclude="A.10.4")
    services.approve_soa(v1, by=actors["manager"])
    a104.refresh_from_db()
    assert a104.status == "not_applicable"
    record = ChangeRecord.objects.filter(object_id=a104.key).latest("id")
    assert record.changes["status"] == ["not_started", "not_applicable"]
    assert record.actor_label == "manager@acme.example"
    event = ChangeRecord.objects.get(event="soa.approved")
    assert event.changes["assessments_aligned"] == [a104.key]

    v2 = services.new_draft(organisation, by=actors["manager"])
    complete(v2, control, actors["manager"], exclude="A.10.3")
    services.approve_soa(v2, by=actors["manager"])
    a104.refresh_from_db()
    a103 = RequirementAssessment.objects.get(organisation=organisation, node__node_id="A.10.3")
    assert (a104.status, a103.status) == ("not_started", "not_applicable")
