"""Shared fixtures: one organisation with a member per role, and an outsider from another organisation."""

from __future__ import annotations

import os
import tempfile

# Settings read STEWARD_* at import: give the test run its own data directory (secret key, media).
os.environ.setdefault("STEWARD_DATA_DIR", tempfile.mkdtemp(prefix="steward-test-"))

from dataclasses import dataclass
from typing import Any

import pytest

ROLES = ("admin", "manager", "contributor", "auditor", "viewer")
PERSONAS = (*ROLES, "outsider")
PASSWORD = "correct-horse-battery-staple"


DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server", "postgres_url"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Mark tests that touch no database, so the PostgreSQL run (scripts/test) can leave them out."""
    for item in items:
        if item.get_closest_marker("django_db") is None and not DB_FIXTURES & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.nodb)


@dataclass
class Persona:
    name: str
    user: Any
    organisation: Any
    role: str | None

    @property
    def email(self) -> str:
        return str(self.user.email)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the bundled catalog (frameworks, crosswalks) once into the test database."""
    from steward.catalog.loader import load_bundled_into_database

    with django_db_blocker.unblock():
        load_bundled_into_database()


@pytest.fixture
def catalog(db: Any) -> Any:
    """The bundled catalog; reloaded if a transactional test flushed it."""
    from steward.catalog.loader import load_bundled_into_database
    from steward.catalog.models import Framework

    if not Framework.objects.filter(identifier="iso-iec-42001").exists():
        load_bundled_into_database()
    return Framework.objects.get(identifier="iso-iec-42001")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system_actor() -> Any:
    from steward.audit.context import Actor

    return Actor.system("tests")


@pytest.fixture
def org(db: Any, system_actor: Any) -> Any:
    from steward.organisations.services import create_organisation

    return create_organisation("Acme AI", by=system_actor)


@pytest.fixture
def other_org(db: Any, system_actor: Any) -> Any:
    from steward.organisations.services import create_organisation

    return create_organisation("Globex", by=system_actor)


@pytest.fixture
def personas(org: Any, other_org: Any, system_actor: Any) -> dict[str, Persona]:
    from steward.organisations.services import add_member, create_user

    people: dict[str, Persona] = {}
    for role in ROLES:
        user = create_user(f"{role}@acme.example", PASSWORD, full_name=role.title())
        add_member(org, user, role, by=system_actor)
        people[role] = Persona(role, user, org, role)
    outsider = create_user("outsider@globex.example", PASSWORD)
    add_member(other_org, outsider, "admin", by=system_actor)
    # The outsider is an admin — of another organisation.
    people["outsider"] = Persona("outsider", outsider, other_org, "admin")
    return people


@pytest.fixture
def client_for(personas: dict[str, Persona]) -> Any:
    from django.test import Client

    def make(name: str) -> Client:
        client = Client()
        client.force_login(personas[name].user)
        return client

    return make


@pytest.fixture
def api_for(personas: dict[str, Persona], system_actor: Any) -> Any:
    from rest_framework.test import APIClient

    from steward.organisations.services import create_token

    def make(name: str, read_only: bool = False) -> APIClient:
        persona = personas[name]
        _, raw = create_token(
            user=persona.user, organisation=persona.organisation, by=system_actor, read_only=read_only
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
