"""Statement of Applicability (ISO/IEC 42001 6.1.3): versioned, validated, approved, exported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig

# The demo lender's decisions on the 38 Annex A controls:
# control -> (applicable, justification, implementation status, linked requirements, linked risks).
# Requirements are "<framework>:<node id>"; risks are references into the (future) risk register.
_DEMO_DECISIONS: dict[str, tuple[bool, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "A.2.2": (
        True,
        "The board-approved AI policy sets the principles for credit, fraud and support AI and is "
        "required by 5.2; every other control refers to it.",
        "implemented",
        ("iso-iec-42001:5.2",),
        (),
    ),
    "A.2.3": (
        True,
        "The AI policy has to stay consistent with the model risk, data protection, information "
        "security and Consumer Duty policies already in force.",
        "implemented",
        ("iso-iec-42001:5.2",),
        (),
    ),
    "A.2.4": (
        True,
        "Reviewed yearly and after significant change, e.g. when the EU AI Act high-risk obligations "
        "start to apply to the credit model.",
        "implemented",
        ("iso-iec-42001:5.2", "iso-iec-42001:9.3.2"),
        (),
    ),
    "A.3.2": (
        True,
        "Model owners, independent validators and the AI risk committee need defined accountabilities; "
        "human oversight of credit decisions must be assigned.",
        "implemented",
        ("iso-iec-42001:5.3", "eu-ai-act:art-26"),
        (),
    ),
    "A.3.3": (
        True,
        "Staff and contractors need a confidential route to raise concerns about model behaviour; it "
        "extends the existing whistleblowing channel.",
        "implemented",
        (),
        (),
    ),
    "A.4.2": (
        True,
        "Resources of each AI system must be known to assess and treat its risks.",
        "in_progress",
        ("iso-iec-42001:7.1", "iso-iec-42001:6.1.2"),
        (),
    ),
    "A.4.3": (
        True,
        "Bureau, application and transaction data feed the credit and fraud models; documenting them "
        "is the basis for the A.7 controls.",
        "implemented",
        ("eu-ai-act:art-10",),
        (),
    ),
    "A.4.4": (
        True,
        "The ML platform, feature store and the hosted language model of the support assistant are "
        "recorded with their versions.",
        "implemented",
        (),
        ("RSK-05 Supplier model changes without notice",),
    ),
    "A.4.5": (
        True,
        "Training runs on rented GPUs and scoring on the core lending platform; capacity limits affect "
        "the availability of credit decisions.",
        "implemented",
        ("iso-iec-42001:7.1",),
        (),
    ),
    "A.4.6": (
        True,
        "A small data-science team with high turnover: competence and AI literacy records are needed.",
        "in_progress",
        ("iso-iec-42001:7.2", "eu-ai-act:art-4"),
        (),
    ),
    "A.5.2": (
        True,
        "Credit scoring affects applicants' access to credit; a defined impact assessment process is "
        "required and feeds the fundamental-rights impact assessment.",
        "implemented",
        ("iso-iec-42001:6.1.4", "eu-ai-act:art-27"),
        (),
    ),
    "A.5.3": (
        True,
        "Impact assessment results are retained for the regulator and for re-assessment after model changes.",
        "implemented",
        ("iso-iec-42001:6.1.4", "iso-iec-42001:8.4"),
        (),
    ),
    "A.5.4": (
        True,
        "Declined applicants, thin-file applicants and protected groups are directly affected; fairness "
        "testing results are part of each assessment.",
        "implemented",
        ("iso-iec-42001:6.1.4",),
        ("RSK-01 Unfair decline rates for thin-file applicants",),
    ),
    "A.5.5": (
        True,
        "Automated lending at scale can affect financial inclusion in the regions Helix serves.",
        "in_progress",
        ("iso-iec-42001:6.1.4",),
        (),
    ),
    "A.6.1.2": (
        True,
        "Fairness, explainability and robustness objectives guide in-house model development.",
        "implemented",
        ("iso-iec-42001:6.2",),
        (),
    ),
    "A.6.1.3": (
        True,
        "Credit and fraud models are developed in-house; the model development standard defines the "
        "stage gates.",
        "implemented",
        ("iso-iec-42001:8.1",),
        (),
    ),
    "A.6.2.2": (
        True,
        "Each model starts from written requirements, including fairness and explanation needs.",
        "implemented",
        ("iso-iec-42001:8.1", "eu-ai-act:art-9"),
        (),
    ),
    "A.6.2.3": (
        True,
        "Design decisions and training runs are documented for validation and for the technical file.",
        "implemented",
        ("eu-ai-act:art-11",),
        (),
    ),
    "A.6.2.4": (
        True,
        "Independent validation before each release checks accuracy, robustness and fairness against "
        "agreed thresholds.",
        "implemented",
        ("eu-ai-act:art-15",),
        (
            "RSK-01 Unfair decline rates for thin-file applicants",
            "RSK-03 Fraud false positives block customers",
        ),
    ),
    "A.6.2.5": (
        True,
        "Releases follow a deployment plan with champion/challenger testing and rollback.",
        "implemented",
        ("iso-iec-42001:8.1",),
        (),
    ),
    "A.6.2.6": (
        True,
        "Credit and fraud models drift with interest-rate and fraud-pattern changes; monthly outcome "
        "monitoring is required.",
        "in_progress",
        ("eu-ai-act:art-72",),
        ("RSK-02 Model drift after rate changes",),
    ),
    "A.6.2.7": (
        True,
        "The credit model is a high-risk AI system (Annex III 5(b)) and needs Annex IV technical "
        "documentation.",
        "in_progress",
        ("eu-ai-act:art-11", "eu-ai-act:annex-iv-1"),
        (),
    ),
    "A.6.2.8": (
        True,
        "Decision logs are kept for seven years for complaints, audits and regulator requests.",
        "implemented",
        ("eu-ai-act:art-12",),
        (),
    ),
    "A.7.2": (
        True,
        "Training data for the credit and fraud models is selected and managed by Helix.",
        "implemented",
        ("eu-ai-act:art-10",),
        (),
    ),
    "A.7.3": (
        True,
        "Bureau and open-banking data are acquired under contracts that limit their use.",
        "implemented",
        (),
        ("RSK-06 Data used beyond the bureau contract",),
    ),
    "A.7.4": (
        True,
        "Data quality requirements (completeness, representativeness, label quality) are checked before "
        "each training run.",
        "implemented",
        ("eu-ai-act:art-10",),
        (),
    ),
    "A.7.5": (
        True,
        "The credit bureau requires provenance records for every dataset derived from its data.",
        "implemented",
        (),
        (),
    ),
    "A.7.6": (
        True,
        "Imputation and feature engineering can introduce bias; the methods are recorded and reviewed.",
        "implemented",
        (),
        (),
    ),
    "A.8.2": (
        True,
        "Underwriters and support agents need instructions for use and known limitations; applicants get "
        "the reasons for a decision.",
        "implemented",
        ("eu-ai-act:art-13",),
        (),
    ),
    "A.8.3": (
        True,
        "Applicants and partners can report adverse impacts through the complaints process, which tags "
        "AI-related complaints.",
        "implemented",
        (),
        (),
    ),
    "A.8.4": (
        True,
        "Serious incidents with the credit model must be reported to the authority in time.",
        "in_progress",
        ("eu-ai-act:art-73",),
        ("RSK-07 Late reporting of a serious incident",),
    ),
    "A.8.5": (
        True,
        "Customers are told when they chat with the AI assistant; regulators receive the documentation "
        "they ask for.",
        "implemented",
        ("eu-ai-act:art-50",),
        (),
    ),
    "A.9.2": (
        True,
        "Underwriters can override scores and review declines on request; use is monitored.",
        "implemented",
        ("eu-ai-act:art-26", "eu-ai-act:art-14"),
        (),
    ),
    "A.9.3": (
        True,
        "Objectives for responsible use (override rates, complaint rates) are set and reviewed.",
        "implemented",
        ("iso-iec-42001:6.2",),
        (),
    ),
    "A.9.4": (
        True,
        "Each system has a stated intended use; using the fraud score in credit decisions is prohibited.",
        "implemented",
        ("eu-ai-act:art-26",),
        (),
    ),
    "A.10.2": (
        True,
        "The support assistant is built on a third-party model; provider and deployer responsibilities "
        "are set in the contract.",
        "implemented",
        ("eu-ai-act:art-25",),
        (),
    ),
    "A.10.3": (
        True,
        "The hosted language model provider and the credit bureau are AI-relevant suppliers; due "
        "diligence and change notification are needed.",
        "in_progress",
        (),
        ("RSK-05 Supplier model changes without notice",),
    ),
    "A.10.4": (
        False,
        "Helix does not provide AI products or services to customer organisations: its AI systems "
        "support its own lending, fraud and support operations. Consumers are AI subjects, covered by A.5.4, "
        "A.8.2 and A.8.5. To be revisited if any model is offered as a service.",
        "not_applicable",
        (),
        (),
    ),
}


class SoaConfig(AppConfig):
    name = "steward.soa"
    label = "soa"
    verbose_name = "Statement of Applicability"

    def ready(self) -> None:
        from steward.soa import api, views  # noqa: F401

    def build_demo_data(
        self, organisation: Any, users: dict[str, Any], progress: Callable[[str], None]
    ) -> None:
        """An approved v1 (every control decided, approved by the manager) and a draft v2 with changes."""
        from steward.audit.context import Actor
        from steward.catalog.models import RequirementNode
        from steward.implementation.choices import ControlStatus
        from steward.implementation.models import Control
        from steward.soa import services

        manager = Actor.for_user(users["manager"])
        contributor = Actor.for_user(users["contributor"])
        progress("statement of applicability (6.1.3)")

        controls = Control.objects.filter(organisation=organisation).exclude(status=ControlStatus.RETIRED)
        if not controls.filter(
            implements__framework__identifier=services.ISO_42001, implements__kind="control"
        ).exists():
            from steward.implementation.services import generate_starter_controls

            generate_starter_controls(organisation.pk, by=manager)

        def implementing(node: Any) -> list[Any]:
            return list(controls.filter(implements=node).order_by("key")[:2])

        def requirements(refs: tuple[str, ...]) -> list[Any]:
            nodes = []
            for ref in refs:
                framework, node_id = ref.split(":", 1)
                node = RequirementNode.objects.filter(
                    framework__identifier=framework, node_id=node_id
                ).first()
                if node is not None:
                    nodes.append(node)
            return nodes

        v1 = services.create_soa(
            organisation,
            by=manager,
            title="Statement of Applicability",
            scope=(
                "Design, development, validation, deployment and monitoring of Helix Lending's AI "
                "systems: the CreditScore credit-decision model, the FraudGuard transaction-fraud model "
                "and the customer-support assistant, at the London and Dublin offices."
            ),
        )
        for entry in v1.entries.select_related("node"):
            decision = _DEMO_DECISIONS.get(entry.node.label if entry.node else "")
            if decision is None:
                continue
            applicable, justification, status, refs, risks = decision
            data: dict[str, Any] = {
                "applicable": applicable,
                "implementation_status": status,
                "linked_requirements": requirements(refs),
                "linked_risks": "\n".join(risks),
            }
            if applicable:
                data["justification_inclusion"] = justification
                data["implementing_controls"] = implementing(entry.node)
            else:
                data["justification_exclusion"] = justification
            services.update_entry(entry, data, by=manager)
        services.approve_soa(
            v1,
            by=manager,
            note="Approved by the AI risk committee; minutes filed with the management review.",
        )

        # v2: the contributor prepares the next version: a new customer, progress, a control of their own.
        v2 = services.new_draft(organisation, by=contributor)
        entries = {e.control_id: e for e in v2.entries.select_related("node")}
        a_10_4 = entries["A.10.4"]
        services.update_entry(
            a_10_4,
            {
                "applicable": True,
                "justification_inclusion": (
                    "From next quarter Helix provides its fraud-scoring service to Northfield Credit "
                    "Union, a customer organisation; its expectations and our responsibilities must be "
                    "agreed."
                ),
                "justification_exclusion": "",
                "implementation_status": "in_progress",
                "implementing_controls": implementing(a_10_4.node),
                "linked_requirements": requirements(("eu-ai-act:art-25",)),
            },
            by=contributor,
        )
        services.update_entry(
            entries["A.6.2.6"],
            {
                "implementation_status": "implemented",
                "justification_inclusion": (
                    "Credit and fraud models drift with interest-rate and fraud-pattern changes; the "
                    "monthly drift dashboard and the post-market monitoring plan are now in operation."
                ),
            },
            by=contributor,
        )
        services.update_entry(
            entries["A.8.4"],
            {
                "implementation_status": "implemented",
                "linked_risks": (
                    "RSK-07 Late reporting of a serious incident\n"
                    "RSK-08 Incident not recognised as AI-related"
                ),
            },
            by=contributor,
        )
        extra = services.add_additional_control(
            v2,
            title="Consumer Duty outcome testing of AI-assisted decisions",
            description=(
                "Quarterly testing that AI-assisted credit and support outcomes are fair to retail customers."
            ),
            by=contributor,
        )
        services.update_entry(
            extra,
            {
                "applicable": True,
                "justification_inclusion": (
                    "The FCA Consumer Duty requires evidence of good customer outcomes; Annex A has no "
                    "control for it."
                ),
                "linked_risks": "RSK-01 Unfair decline rates for thin-file applicants",
            },
            by=contributor,
        )
