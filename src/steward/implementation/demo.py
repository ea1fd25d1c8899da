"""Demo data: Helix adopts ISO/IEC 42001, the NIST AI RMF and the EU AI Act, generates its controls from
Annex A, implements about two thirds of them with evidence, and works through its clause assessments."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from steward.audit.context import Actor, acting_as
from steward.audit.signals import audit_batch
from steward.catalog.models import Framework
from steward.core.services import update_object
from steward.implementation import services
from steward.implementation.choices import AssessmentResult, AssessmentStatus, ControlStatus, ControlType
from steward.implementation.models import RequirementAssessment

# (Annex A id, document title, what the file says) — evidence the demo attaches to implemented controls.
EVIDENCE = {
    "A.2.2": ("AI policy v2.1 (board-approved)", "AI policy approved by the board on 14 March."),
    "A.3.2": ("RACI for AI systems", "Roles for model owners, validators and the AI governance lead."),
    "A.5.2": ("Impact assessment procedure", "How Helix assesses impacts on applicants and society."),
    "A.6.2.4": (
        "Model validation report — credit scoring v7",
        "Independent validation incl. fairness metrics.",
    ),
    "A.6.2.6": (
        "Monitoring runbook — drift and fairness",
        "Weekly drift and fairness checks with thresholds.",
    ),
    "A.6.2.8": ("Decision log retention standard", "Event logs kept for 7 years for credit decisions."),
    "A.7.4": ("Data quality rules — bureau feed", "Schema, range and completeness checks on ingestion."),
    "A.8.2": (
        "Instructions for use — credit scoring",
        "Limitations, intended use and performance by segment.",
    ),
    "A.9.2": ("Responsible use procedure for underwriters", "When and how to override the model."),
    "A.10.3": ("Supplier assessment — foundation model vendor", "Due diligence on the support-chat model."),
}
CLAUSES_DONE = {
    "4.1": "Context register kept in Steward (context issues), reviewed quarterly.",
    "4.2": "Interested parties and their requirements recorded in Steward.",
    "4.3": "AIMS scope: credit scoring, fraud detection and support chat in the UK and EU.",
    "5.1": "Board minutes record sponsorship and resources for the AIMS.",
    "5.2": "AI policy v2.1 approved by the board.",
    "5.3": "RACI for AI systems published on the intranet.",
    "6.1.1": "Risk criteria and appetite agreed with the risk committee.",
    "6.1.2": "AI risk assessment method documented (ISO/IEC 23894 based).",
    "6.1.4": "Impact assessment procedure in place (ISO/IEC 42005 structure).",
    "7.5.1": "Documented information managed in Steward with version history.",
}


def build(organisation: Any, users: dict[str, Any], progress: Callable[[str], None]) -> None:
    manager = Actor.for_user(users["manager"])
    contributor = Actor.for_user(users["contributor"])
    progress("frameworks adopted, controls and evidence (6.1.3, 7.5, 9.1)")
    start = timezone.localdate() - datetime.timedelta(days=200)
    for identifier in ("iso-iec-42001", "nist-ai-rmf", "eu-ai-act"):
        framework = Framework.objects.get(identifier=identifier)
        services.adopt_framework(organisation.pk, framework, by=manager, adopted_on=start)
    controls = services.generate_starter_controls(organisation.pk, by=manager)
    by_annex = {}
    for control in controls:
        node = control.implements.filter(framework__identifier="iso-iec-42001").first()
        if node is not None:
            by_annex[node.label] = control
    from steward.evidence.services import save_evidence_form

    evidence_by_annex = {}
    for annex_id, (title, body) in EVIDENCE.items():
        evidence_by_annex[annex_id] = _evidence(organisation, title, body, users, save_evidence_form)
    # An expired certificate, so the readiness page has something to flag.
    expired = _evidence(
        organisation,
        "Penetration test of scoring API (2024)",
        "Findings closed.",
        users,
        save_evidence_form,
        expires=timezone.localdate() - datetime.timedelta(days=20),
    )

    for index, (annex_id, control) in enumerate(sorted(by_annex.items())):
        if index % 3 == 2:
            continue  # about a third still being implemented
        data: dict[str, Any] = {
            "status": ControlStatus.IMPLEMENTED if annex_id in EVIDENCE else ControlStatus.IMPLEMENTING,
            "owner": users["contributor"] if index % 2 else users["manager"],
            "control_type": ControlType.MONITORING if annex_id.startswith("A.6.2") else ControlType.PROCESS,
            "review_interval_days": 365,
            "next_review": timezone.localdate() + datetime.timedelta(days=30 + index * 7),
        }
        update_object(control, data=data, by=manager)
        if annex_id in evidence_by_annex:
            _link(control.evidence, evidence_by_annex[annex_id], manager)
    overdue = by_annex.get("A.4.4")
    if overdue is not None:
        update_object(
            overdue, data={"next_review": timezone.localdate() - datetime.timedelta(days=12)}, by=manager
        )
    if "A.6.2.5" in by_annex:
        _link(by_annex["A.6.2.5"].evidence, expired, manager)

    for assessment in RequirementAssessment.objects.filter(
        organisation=organisation, node__framework__identifier="iso-iec-42001"
    ).select_related("node"):
        label = assessment.node.label
        if label in CLAUSES_DONE:
            # Clause 4 is delegated to the contributor, who may then edit what they own.
            author = manager
            if label.startswith("4"):
                update_object(assessment, data={"owner": users["contributor"]}, by=manager)
                author = contributor
            update_object(
                assessment,
                data={
                    "status": AssessmentStatus.IMPLEMENTED,
                    "result": AssessmentResult.CONFORMING,
                    "implementation": CLAUSES_DONE[label],
                },
                by=author,
            )
        elif label in EVIDENCE:
            update_object(
                assessment,
                data={"status": AssessmentStatus.IMPLEMENTED, "implementation": EVIDENCE[label][1]},
                by=manager,
            )
        elif label in ("6.2", "7.2", "9.1"):
            update_object(
                assessment,
                data={
                    "status": AssessmentStatus.IN_PROGRESS,
                    "due_date": timezone.localdate() + datetime.timedelta(days=45),
                    "owner": users["contributor"],
                },
                by=manager,
            )
    for label, annex_id in (("5.2", "A.2.2"), ("5.3", "A.3.2"), ("6.1.4", "A.5.2")):
        assessment = RequirementAssessment.objects.get(
            organisation=organisation, node__framework__identifier="iso-iec-42001", node__label=label
        )
        _link(assessment.evidence, evidence_by_annex[annex_id], manager)


def _link(related: Any, item: Any, by: Actor) -> None:
    """Add one link (audited as a change of the record that holds the link)."""
    with acting_as(by), transaction.atomic(), audit_batch():
        related.add(item)


def _evidence(
    organisation: Any, title: str, body: str, users: dict[str, Any], save: Any, expires: Any = None
) -> Any:
    from steward.evidence.forms import EvidenceForm
    from steward.evidence.models import Evidence

    name = title.lower().replace(" ", "-").replace("—", "").replace("(", "").replace(")", "")[:60] + ".md"
    upload = SimpleUploadedFile(name, f"# {title}\n\n{body}\n".encode(), content_type="text/markdown")
    form = EvidenceForm(
        {
            "title": title,
            "kind": "file",
            "description": body,
            "owner": users["contributor"].pk,
            "valid_from": (timezone.localdate() - datetime.timedelta(days=120)).isoformat(),
            "expires": expires.isoformat()
            if expires
            else (timezone.localdate() + datetime.timedelta(days=300)).isoformat(),
        },
        {"file": upload},
        instance=Evidence(organisation=organisation),
        organisation=organisation,
    )
    if not form.is_valid():
        raise ValueError(f"demo evidence {title!r}: {form.errors.as_text()}")
    return save(form, organisation_id=organisation.pk, by=Actor.for_user(users["contributor"]))
