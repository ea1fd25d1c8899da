"""The UI shell: sign-in, organisation switching, htmx partials, exports, and query ceilings."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from steward.audit.context import Actor
from steward.context.models import InterestedParty
from steward.core import registry
from steward.core.services import create_object
from tests.factories import create_record

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sign_in_and_dashboard(client: Any, personas: Any) -> None:
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "viewer@acme.example", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme AI" in html and "<svg" in html
    for group in (
        "Context",
        "Leadership",
        "Planning",
        "Support",
        "Operation",
        "Performance evaluation",
        "Improvement",
        "Inventory",
    ):
        assert group in html


def test_user_with_two_organisations_switches_between_them(
    client: Any, personas: Any, other_org: Any, system_actor: Any
) -> None:
    from steward.organisations.services import add_member

    viewer = personas["viewer"].user
    add_member(other_org, viewer, "manager", by=system_actor)
    client.force_login(viewer)
    create_object(
        InterestedParty,
        organisation_id=other_org.pk,
        data={"name": "Globex party", "party_type": "customer"},
        by=system_actor,
    )
    assert "Globex party" not in client.get("/context/interested-parties/").content.decode()
    response = client.post(reverse("switch_organisation", kwargs={"uid": other_org.uid}))
    assert response.status_code == 302
    assert "Globex party" in client.get("/context/interested-parties/").content.decode()
    # Not a member: cannot switch there.
    from steward.organisations.services import create_organisation

    third = create_organisation("Initech", by=system_actor)
    assert client.post(reverse("switch_organisation", kwargs={"uid": third.uid})).status_code == 404


def test_htmx_requests_get_partials_and_vary(client_for: Any, personas: Any) -> None:
    client = client_for("manager")
    full = client.get("/context/interested-parties/")
    partial = client.get("/context/interested-parties/", HTTP_HX_REQUEST="true")
    assert b"<html" in full.content and b"<html" not in partial.content
    assert "HX-Request" in partial["Vary"]


def test_invalid_form_is_shown_inline_via_htmx_and_nothing_is_written(client_for: Any, personas: Any) -> None:
    client = client_for("manager")
    before = InterestedParty.objects.count()
    response = client.post("/context/interested-parties/add/", {"name": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "is-invalid" in html and "This field is required" in html
    assert InterestedParty.objects.count() == before
    ok = client.post(
        "/context/interested-parties/add/",
        {"name": "Ok", "party_type": "customer", "relevance": "low"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 204 and ok["HX-Redirect"].startswith("/context/interested-parties/IP-")


def test_list_search_filter_and_sort(client_for: Any, personas: Any) -> None:
    actor = Actor.for_user(personas["manager"].user)
    org = personas["manager"].organisation
    for name, relevance in [("Alpha bank", "high"), ("Beta union", "low"), ("Gamma bank", "low")]:
        create_object(
            InterestedParty,
            organisation_id=org.pk,
            data={"name": name, "party_type": "customer", "relevance": relevance},
            by=actor,
        )
    client = client_for("viewer")
    html = client.get("/context/interested-parties/?q=bank").content.decode()
    assert "Alpha bank" in html and "Gamma bank" in html and "Beta union" not in html
    html = client.get("/context/interested-parties/?relevance=low").content.decode()
    assert "Alpha bank" not in html and "Beta union" in html
    html = client.get("/context/interested-parties/?sort=-name").content.decode()
    assert html.index("Gamma bank") < html.index("Beta union") < html.index("Alpha bank")


def test_csv_and_xlsx_exports_hold_every_row(client_for: Any, personas: Any) -> None:
    actor = Actor.for_user(personas["manager"].user)
    org = personas["manager"].organisation
    for i in range(30):  # more than one page
        create_object(
            InterestedParty,
            organisation_id=org.pk,
            data={"name": f"Party {i:02d}", "party_type": "customer"},
            by=actor,
        )
    client = client_for("auditor")
    response = client.get("/context/interested-parties/?_export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["ID", "Name"] and len(rows) == 31
    response = client.get("/context/interested-parties/?_export=xlsx&q=Party 0")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 11
    assert client.get("/context/interested-parties/?_export=pdf").status_code == 400


def test_activity_log_filters_and_exports(client_for: Any, personas: Any) -> None:
    client = client_for("auditor")
    html = client.get("/audit/activity/?action=create&object_type=membership").content.decode()
    assert "organisations.membership" in html and "context." not in html
    response = client.get("/audit/activity/?_export=csv")
    assert response.status_code == 200 and b"organisations.membership" in response.content


@pytest.mark.parametrize("reg", registry.registrations(), ids=[r.label for r in registry.registrations()])
def test_list_page_query_count_does_not_grow_with_rows(reg: Any, client_for: Any, personas: Any) -> None:
    client = client_for("manager")
    url = reverse(reg.views.name("list"))
    create_record(reg, personas["manager"], "One")
    client.get(url)  # the first request stores the active organisation in the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    made = 1
    for i in range(20):
        try:
            create_record(reg, personas["contributor"] if i % 2 else personas["manager"], f"Row {i}")
        except AssertionError:
            break  # e.g. one adoption per framework: the catalog has only a few frameworks
        made += 1
    assert made >= 3
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(many) <= 15


def test_password_change_is_recorded(client: Any, personas: Any) -> None:
    from steward.audit.models import ChangeRecord
    from tests.conftest import PASSWORD

    client.force_login(personas["viewer"].user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-pass-9",
            "new_password2": "a-much-better-pass-9",
        },
    )
    assert response.status_code == 302
    assert (
        ChangeRecord.objects.filter(event="user.password_changed", actor_label="viewer@acme.example").count()
        == 1
    )


def test_background_job_status_page(client_for: Any, personas: Any) -> None:
    from steward.jobs.queue import run_pending

    client = client_for("viewer")
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 302
    status_url = response["Location"]
    assert "every 1s" in client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    run_pending()
    html = client.get(status_url).content.decode()
    assert "Succeeded" in html and "chain intact" in html
    assert client_for("outsider").get(status_url).status_code == 404


def test_tokens_are_created_in_the_ui_shown_once_and_revocable(client_for: Any, personas: Any) -> None:
    from steward.audit.models import ChangeRecord
    from steward.organisations.models import ApiToken

    client = client_for("contributor")
    page = client.post("/accounts/tokens/", {"name": "CI gate", "expires": "30", "read_only": "on"})
    html = page.content.decode()
    token = ApiToken.objects.get(user=personas["contributor"].user)
    assert token.read_only and token.name == "CI gate" and token.expires is not None
    assert 'id="new-token">stw_' in html
    assert token.prefix in client.get("/accounts/tokens/").content.decode()
    assert 'id="new-token"' not in client.get("/accounts/tokens/").content.decode()
    assert client.post("/accounts/tokens/", {"expires": "soon"}).status_code == 400
    assert client_for("viewer").post(f"/accounts/tokens/{token.prefix}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.prefix}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None
    assert ChangeRecord.objects.filter(event__in=["token.created", "token.revoked"]).count() == 2


def test_admin_manages_members_and_others_only_see_them(client_for: Any, personas: Any) -> None:
    from steward.audit.models import ChangeRecord
    from steward.organisations.models import Membership

    assert "viewer@acme.example" in client_for("auditor").get("/accounts/members/").content.decode()
    refused = client_for("manager").post(
        "/accounts/members/",
        {"email": "new@acme.example", "role": "viewer", "password": "a-long-pass-phrase-1"},
    )
    assert refused.status_code == 403
    admin = client_for("admin")
    weak = admin.post(
        "/accounts/members/", {"email": "new@acme.example", "role": "viewer", "password": "123"}
    )
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert (
        admin.post(
            "/accounts/members/",
            {"email": "new@acme.example", "role": "viewer", "password": "a-long-pass-phrase-1"},
        ).status_code
        == 302
    )
    membership = Membership.objects.get(user__email="new@acme.example")
    assert admin.post(f"/accounts/members/{membership.uid}/", {"role": "auditor"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "auditor"
    sole_admin = Membership.objects.get(user=personas["admin"].user)
    admin.post(f"/accounts/members/{sole_admin.uid}/", {"remove": "1"})
    assert Membership.objects.filter(pk=sole_admin.pk).exists()  # an organisation keeps an admin
    admin.post(f"/accounts/members/{membership.uid}/", {"remove": "1"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert (
        client_for("outsider").post(f"/accounts/members/{sole_admin.uid}/", {"role": "viewer"}).status_code
        == 404
    )
    assert ChangeRecord.objects.filter(object_type="organisations.membership", action="delete").count() == 1
