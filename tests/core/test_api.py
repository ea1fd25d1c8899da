"""REST API: bearer tokens, JSON errors, OpenAPI coverage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from steward.audit.models import ChangeRecord
from steward.organisations.models import ApiToken, hash_token
from steward.organisations.services import create_token, revoke_token

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_token_is_prefixed_shown_once_and_stored_only_as_hash(personas: Any, system_actor: Any) -> None:
    token, raw = create_token(
        user=personas["manager"].user, organisation=personas["manager"].organisation, by=system_actor
    )
    assert raw.startswith("stw_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hash_token(raw) and raw not in (stored.digest, stored.prefix)
    assert raw.startswith(stored.prefix)
    event = ChangeRecord.objects.get(event="token.created")
    assert raw not in str(event.changes) and stored.digest not in str(event.changes)


def test_token_records_last_use(personas: Any, system_actor: Any) -> None:
    token, raw = create_token(
        user=personas["viewer"].user, organisation=personas["viewer"].organisation, by=system_actor
    )
    assert token.last_used is None
    assert bearer(raw).get("/api/v1/me/").json()["role"] == "viewer"
    token.refresh_from_db()
    assert token.last_used is not None


def test_expired_and_revoked_tokens_are_rejected(personas: Any, system_actor: Any) -> None:
    persona = personas["admin"]
    token, raw = create_token(
        user=persona.user, organisation=persona.organisation, by=system_actor, expires_in_days=1
    )
    assert bearer(raw).get("/api/v1/me/").status_code == 200
    ApiToken._base_manager.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert bearer(raw).get("/api/v1/me/").status_code == 401
    token2, raw2 = create_token(user=persona.user, organisation=persona.organisation, by=system_actor)
    revoke_token(token2, by=system_actor)
    response = bearer(raw2).get("/api/v1/me/")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert ChangeRecord.objects.filter(event="token.revoked").count() == 1


def test_garbage_tokens_and_anonymous_calls_are_refused(db: Any) -> None:
    assert bearer("stw_nope").get("/api/v1/context/issues/").status_code == 401
    assert APIClient().get("/api/v1/context/issues/").status_code in (401, 403)


def test_token_is_bound_to_its_organisation(personas: Any, api_for: Any) -> None:
    """A token of the outsider never sees Acme, even though the user could switch organisations in the UI."""
    me = api_for("outsider").get("/api/v1/me/").json()
    assert me["organisation"] == "Globex"
    orgs = api_for("outsider").get("/api/v1/organisations/").json()["results"]
    assert [o["name"] for o in orgs] == ["Globex"]


def test_bad_input_is_a_4xx_with_field_messages(api_for: Any) -> None:
    api = api_for("manager")
    response = api.post(
        "/api/v1/context/interested-parties/", {"name": "", "party_type": "martian"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "name" in body and "party_type" in body
    assert (
        api.post(
            "/api/v1/context/interested-parties/", "not json", content_type="application/json"
        ).status_code
        == 400
    )
    response = api.post(
        "/api/v1/context/interested-parties/",
        {"name": "x", "party_type": "customer", "owner": "outsider@globex.example"},
        format="json",
    )
    assert response.status_code == 400 and "owner" in response.json()
    assert api.get("/api/v1/context/interested-parties/?ordering=nonsense").status_code == 200
    assert api.get("/api/v1/context/interested-parties/?limit=abc").status_code == 200
    assert api.get("/api/v1/context/interested-parties/?relevance=nonsense").status_code == 400


def test_list_supports_pagination_filtering_ordering_and_search(api_for: Any) -> None:
    api = api_for("manager")
    for i, relevance in enumerate(["high", "low", "high"]):
        api.post(
            "/api/v1/context/interested-parties/",
            {"name": f"P{i}", "party_type": "customer", "relevance": relevance},
            format="json",
        )
    page = api.get("/api/v1/context/interested-parties/?limit=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert api.get("/api/v1/context/interested-parties/?relevance=high").json()["count"] == 2
    names = [
        r["name"] for r in api.get("/api/v1/context/interested-parties/?ordering=-name").json()["results"]
    ]
    assert names == ["P2", "P1", "P0"]
    assert api.get("/api/v1/context/interested-parties/?search=P1").json()["count"] == 1


def test_activity_log_and_journal_api(api_for: Any) -> None:
    api = api_for("manager")
    key = api.post(
        "/api/v1/context/issues/", {"title": "T", "origin": "external", "category": "legal"}, format="json"
    ).json()["key"]
    changes = api.get(f"/api/v1/audit/changes/?object_id={key}").json()["results"]
    assert [c["action"] for c in changes] == ["create"]
    auditor = api_for("auditor")
    note = auditor.post(
        "/api/v1/journal/",
        {"object_type": "context.contextissue", "object_id": key, "comments": "ok"},
        format="json",
    )
    assert note.status_code == 201, note.json()
    assert (
        api_for("viewer")
        .post(
            "/api/v1/journal/",
            {"object_type": "context.contextissue", "object_id": key, "comments": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    assert api_for("outsider").post(
        "/api/v1/journal/",
        {"object_type": "context.contextissue", "object_id": key, "comments": "x"},
        format="json",
    ).status_code in (403, 404)
    assert auditor.post("/api/v1/audit/changes/", {}, format="json").status_code == 405


def _api_routes() -> list[str]:
    routes: list[str] = []

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("api/v1/") and "format" not in route and route != "api/v1/":
                    routes.append(route)

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_api_endpoint_is_in_the_openapi_schema(client: Any, personas: Any) -> None:
    client.force_login(personas["admin"].user)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import yaml

    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    assert "bearerAuth" in schema["components"]["securitySchemes"]
    for route in _api_routes():
        # ^api/v1/context/issues/(?P<key>[^/.]+)/$ -> /api/v1/context/issues/{key}/
        import re

        normalised = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route).replace("^", "").replace("$", "")
        normalised = normalised.replace("<str:", "{").replace("<uuid:", "{").replace(">", "}")
        assert normalised in paths, f"{normalised} is not documented"


def test_api_docs_are_served_offline(client: Any, personas: Any) -> None:
    client.force_login(personas["viewer"].user)
    html = client.get("/api/docs/").content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
