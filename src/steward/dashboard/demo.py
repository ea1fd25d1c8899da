"""A fresh demo database with a realistic fictional organisation. Later modules add their own demo data
through ``DEMO_BUILDERS``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from steward.audit.context import Actor, acting_as

DEMO_ORG = "Helix Lending Ltd"
DEMO_PASSWORD = "steward-demo"
DEMO_USERS = {
    "admin": ("amira.haddad@helix.example", "Amira Haddad"),
    "manager": ("jonas.berg@helix.example", "Jonas Berg"),
    "contributor": ("priya.nair@helix.example", "Priya Nair"),
    "auditor": ("olu.adeyemi@helix.example", "Olu Adeyemi"),
    "viewer": ("claire.dubois@helix.example", "Claire Dubois"),
}

#: Later modules append callables ``builder(organisation, users, progress)`` to extend the demo.
DEMO_BUILDERS: list[Callable[[Any, dict[str, Any], Callable[[str], None]], None]] = []


def reset_database(*, force: bool, fail: type[Exception]) -> None:
    """Start from an empty database; refuse to wipe one that holds real (non-demo) organisations."""
    from django.db.utils import DatabaseError

    db = settings.DATABASES["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM organisations_organisation WHERE is_demo = %s", [False])
            real = cursor.fetchone()[0]
    except DatabaseError:
        real = 0  # no Steward tables yet
    if real and not force:
        raise fail(
            f"the database holds {real} non-demo organisation(s); refusing to replace it. Point "
            "STEWARD_DATA_DIR or STEWARD_DATABASE_URL elsewhere, or pass --force"
        )
    if db["ENGINE"].endswith("sqlite3"):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def build_demo(progress: Callable[[str], None] = lambda _: None) -> tuple[Any, dict[str, str]]:
    from steward.context.choices import IssueCategory, IssueOrigin, PartyType, Relevance
    from steward.context.models import ContextIssue, InterestedParty
    from steward.organisations import services

    system = Actor.system("demo")
    progress("organisation and people")
    with transaction.atomic():
        org = services.create_organisation(
            DEMO_ORG,
            by=system,
            is_demo=True,
            description=(
                "Fictional consumer lender (240 staff) that builds and deploys machine-learning models for "
                "credit decisions, fraud detection and customer support."
            ),
        )
        users: dict[str, Any] = {}
        for role, (email, name) in DEMO_USERS.items():
            user = services.create_user(email, DEMO_PASSWORD, full_name=name)
            services.add_member(org, user, role, by=system)
            users[role] = user

    manager = Actor.for_user(users["manager"])
    contributor = Actor.for_user(users["contributor"])
    progress("context of the organisation (4.1, 4.2)")
    issues = [
        (
            "EU AI Act high-risk obligations for credit scoring",
            IssueOrigin.EXTERNAL,
            IssueCategory.LEGAL,
            "Creditworthiness assessment of natural persons is an Annex III 5(b) use.",
            "Credit models need a risk management system, technical documentation and human oversight.",
        ),
        (
            "Consumer expectations of explainable credit decisions",
            IssueOrigin.EXTERNAL,
            IssueCategory.SOCIETAL,
            "Applicants and consumer groups expect reasons for declined applications.",
            "Adverse-action reasons must be produced for every automated decline.",
        ),
        (
            "Dependence on a third-party foundation model for support chat",
            IssueOrigin.INTERNAL,
            IssueCategory.TECHNOLOGICAL,
            "The support assistant uses a hosted general-purpose model.",
            "Supplier controls and transparency notices are needed (A.10.3, Art. 50).",
        ),
        (
            "Small data-science team with high turnover",
            IssueOrigin.INTERNAL,
            IssueCategory.ORGANISATIONAL,
            "Five data scientists, two joined this year.",
            "Competence records and peer review matter (7.2).",
        ),
        (
            "Energy use of model retraining",
            IssueOrigin.INTERNAL,
            IssueCategory.CLIMATE,
            "Monthly retraining runs on rented GPUs.",
            "Tracked as an environmental objective (C.2.4).",
        ),
    ]
    parties = [
        (
            "Loan applicants",
            PartyType.AI_SUBJECT,
            Relevance.HIGH,
            "Fair, explainable decisions; a way to contest them.",
            "Adverse-action reasons; human review on request.",
        ),
        (
            "Financial Conduct Authority",
            PartyType.REGULATOR,
            Relevance.HIGH,
            "Consumer duty; fair treatment; model risk governance.",
            "Model risk policy and annual attestation.",
        ),
        (
            "EU market surveillance authority",
            PartyType.REGULATOR,
            Relevance.HIGH,
            "Conformity of high-risk AI systems placed on the EU market.",
            "Technical documentation and PMM plan.",
        ),
        (
            "Credit bureau (data provider)",
            PartyType.SUPPLIER,
            Relevance.MEDIUM,
            "Contractual limits on data use.",
            "Data provenance records (A.7.5).",
        ),
        (
            "Customer support staff",
            PartyType.EMPLOYEE,
            Relevance.MEDIUM,
            "Know when the assistant is wrong and how to escalate.",
            "AI literacy training (Art. 4).",
        ),
        (
            "Board of directors",
            PartyType.SHAREHOLDER,
            Relevance.HIGH,
            "Assurance that AI risk is within appetite.",
            "Quarterly management review pack.",
        ),
    ]
    with acting_as(manager), transaction.atomic():
        for title, origin, category, description, effect in issues:
            ContextIssue(
                organisation=org,
                title=title,
                origin=origin,
                category=category,
                description=description,
                effect_on_aims=effect,
                owner=users["manager"],
                created_by=users["manager"],
            ).save()
    with acting_as(contributor), transaction.atomic():
        for name, ptype, relevance, needs, addressed in parties:
            InterestedParty(
                organisation=org,
                name=name,
                party_type=ptype,
                relevance=relevance,
                needs_and_expectations=needs,
                requirements_addressed=addressed,
                owner=users["contributor"],
                created_by=users["contributor"],
            ).save()
    # A later edit and a journal note, so the History and Journal tabs have something to show.
    from steward.audit.services import add_journal_entry
    from steward.core.services import update_object

    party = InterestedParty.objects.get(organisation=org, name="Loan applicants")
    update_object(
        party,
        data={
            "relevance": Relevance.HIGH,
            "requirements_addressed": (
                "Adverse-action reasons; human review on request within 5 working days."
            ),
        },
        by=manager,
    )
    add_journal_entry(
        target=party,
        kind="review",
        by=Actor.for_user(users["auditor"]),
        comments="Checked against the complaints log for Q3: three contested declines, all reviewed in time.",
    )
    from django.apps import apps

    # Apps extend the demo with a `build_demo_data(organisation, users, progress)` method on their AppConfig,
    # called in INSTALLED_APPS order (catalog before implementation before soa).
    for config in apps.get_app_configs():
        hook = getattr(config, "build_demo_data", None)
        if hook is not None:
            hook(org, users, progress)
    for builder in DEMO_BUILDERS:
        builder(org, users, progress)
    return org, {role: u.email for role, u in users.items()}
