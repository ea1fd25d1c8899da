"""Statement of Applicability in the UI and the API (ISO/IEC 42001 6.1.3): inline editing, validation,
approval, frozen versions on every write path, comparison and exports for every member."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from trestle.oscal.ssp import SystemSecurityPlan

from steward.audit.context import Actor
from steward.audit.models import ChangeRecord
from steward.core.services import create_object
from steward.implementation.models import Control
from steward.soa import services
from steward.soa.models import StatementOfApplicability

pytestmark = pytest.mark.django_db

READERS = ("admin", "manager", "contributor", "auditor", "viewer")


def changes() -> int:
    return ChangeRecord.objects.count()


@pytest.fixture
def control(personas: Any) -> Control:
    return create_object(
        Control,
        organisation_id=personas["manager"].organisation.pk,
        data={"title": "Model validation procedure", "status": "implemented"},
        by=Actor.for_user(personas["manager"].user),
    )


def complete(soa: StatementOfApplicability, control: Control, by: Actor) -> None:
    for entry in soa.entries.select_related("node"):
        if entry.control_id == "A.10.4":
            data: dict[str, Any] = {
                "applicable": False,
                "justification_exclusion": "No customer organisations.",
            }
        else:
            data = {
                "applicable": True,
                "justification_inclusion": "Needed to treat our AI risks.",
                "implementing_controls": [control],
            }
        services.update_entry(entry, data, by=by)


@pytest.fixture
def draft(personas: Any, catalog: Any) -> StatementOfApplicability:
    return services.create_soa(
        personas["manager"].organisation, by=Actor.for_user(personas["manager"].user), scope="Credit AI"
    )


@pytest.fixture
def approved(draft: StatementOfApplicability, control: Control, personas: Any) -> StatementOfApplicability:
    manager = Actor.for_user(personas["manager"].user)
    complete(draft, control, manager)
    return services.approve_soa(draft, by=manager, note="Committee")


def entry_of(soa: StatementOfApplicability, control_id: str) -> Any:
    return soa.entries.select_related("node").get(node__label=control_id)


def url(name: str, soa: StatementOfApplicability, **kwargs: Any) -> str:
    return reverse(f"soa:{name}", kwargs={"key": soa.key, **kwargs})


# ------------------------------------------------------------------------------------------------ UI
def test_detail_page_shows_version_validation_chart_and_entries_by_objective(
    draft: StatementOfApplicability, client_for: Any
) -> None:
    response = client_for("viewer").get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Version v1" in html and "Draft" in html and "Not approved yet" in html
    assert "38 problems before approval" in html
    assert "A.2.2 AI policy: not decided" in html
    assert html.count("<svg") >= 2 and "Decisions on the controls" in html
    assert "A.6.2 AI system life cycle" in html and 'id="entry-' in html
    for fmt in ("xlsx", "pdf", "csv", "oscal"):
        assert f"?format={fmt}" in html
    # A viewer sees no edit or approval controls.
    assert "Approve…" not in html and ">Edit</a>" not in html and "New draft" not in html
    manager_html = client_for("manager").get(draft.get_absolute_url()).content.decode()
    assert "Approve…" in manager_html and ">Edit</a>" in manager_html
    assert "New draft" not in manager_html  # this is the open draft: one at a time


def test_detail_page_query_count_does_not_grow_with_links(
    draft: StatementOfApplicability, control: Control, personas: Any, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("manager")
    client.get(draft.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(draft.get_absolute_url())
    complete(draft, control, Actor.for_user(personas["manager"].user))
    with CaptureQueriesContext(connection) as many:
        client.get(draft.get_absolute_url())
    assert len(many) == len(few) and len(many) <= 25


def test_inline_edit_of_one_control_with_htmx(
    draft: StatementOfApplicability, control: Control, client_for: Any
) -> None:
    client = client_for("manager")
    entry = entry_of(draft, "A.10.4")
    edit_url = url("entry_edit", draft, entry_key=entry.key)
    form = client.get(edit_url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    html = form.content.decode()
    assert html.startswith(f'<tr id="entry-{entry.key}"') and "<html" not in html
    assert "Justification for exclusion" in html and control.key in html

    before = changes()
    invalid = client.post(
        edit_url, {"applicable": "no", "implementation_status": "not_started"}, HTTP_HX_REQUEST="true"
    )
    assert invalid.status_code == 200 and changes() == before
    assert (
        "Say why A.10.4 does not apply." in invalid.content.decode()
        and "is-invalid" in invalid.content.decode()
    )

    saved = client.post(
        edit_url,
        {
            "applicable": "no",
            "justification_exclusion": "We offer no AI products to customer organisations.",
            "implementation_status": "not_started",
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and saved["HX-Trigger"] == "soa-changed"
    row = saved.content.decode()
    assert row.startswith(f'<tr id="entry-{entry.key}"') and "Excluded" in row
    assert "We offer no AI products" in row
    assert changes() == before + 1
    entry.refresh_from_db()
    assert (entry.applicable, entry.implementation_status) == (False, "not_applicable")
    record = ChangeRecord.objects.order_by("-id").first()
    assert (
        record is not None and record.actor_label == "manager@acme.example" and record.object_id == entry.key
    )

    a_6_2_4 = entry_of(draft, "A.6.2.4")
    response = client.post(
        url("entry_edit", draft, entry_key=a_6_2_4.key),
        {"applicable": "yes", "implementation_status": "in_progress", "implementing_controls": [control.pk]},
    )
    assert response.status_code == 200 and "Say why A.6.2.4 is needed" in response.content.decode()
    response = client.post(
        url("entry_edit", draft, entry_key=a_6_2_4.key),
        {
            "applicable": "yes",
            "implementation_status": "in_progress",
            "implementing_controls": [control.pk],
            "linked_risks": "RSK-1",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#entry-{a_6_2_4.key}")
    assert list(a_6_2_4.implementing_controls.all()) == [control]
    # The row partial and the validation panel refresh.
    assert client.get(url("entry_row", draft, entry_key=entry.key), HTTP_HX_REQUEST="true").status_code == 200
    panel = client.get(url("validate", draft), HTTP_HX_REQUEST="true").content.decode()
    assert "36 problems before approval" in panel and "<html" not in panel


def test_entry_editing_respects_roles(
    draft: StatementOfApplicability, client_for: Any, personas: Any
) -> None:
    entry = entry_of(draft, "A.2.2")
    edit_url = url("entry_edit", draft, entry_key=entry.key)
    data = {"applicable": "yes", "justification_inclusion": "x", "implementation_status": "in_progress"}
    before = changes()
    for name, expected in (("contributor", 403), ("auditor", 403), ("viewer", 403), ("outsider", 404)):
        assert client_for(name).get(edit_url).status_code == expected
        assert client_for(name).post(edit_url, data).status_code == expected
    assert changes() == before
    # A contributor edits the entries of a version they started.
    own = services.create_soa(
        personas["contributor"].organisation, by=Actor.for_user(personas["contributor"].user)
    )
    own_entry = entry_of(own, "A.2.2")
    assert (
        client_for("contributor").post(url("entry_edit", own, entry_key=own_entry.key), data).status_code
        == 302
    )
    history = client_for("auditor").get(url("entry_history", own, entry_key=own_entry.key))
    html = history.content.decode()
    assert history.status_code == 200 and "contributor@acme.example" in html and "Update" in html
    assert client_for("outsider").get(url("entry_history", draft, entry_key=entry.key)).status_code == 404


def test_ui_approval_refuses_incomplete_contributors_and_then_freezes(
    draft: StatementOfApplicability, control: Control, client_for: Any, personas: Any
) -> None:
    approve_url = url("approve", draft)
    assert client_for("contributor").get(approve_url).status_code == 403
    assert client_for("contributor").post(approve_url, {"note": "ok"}).status_code == 403
    assert client_for("outsider").post(approve_url, {"note": "ok"}).status_code == 404
    manager = client_for("manager")
    page = manager.get(approve_url).content.decode()
    assert "cannot be approved yet: 38 problems" in page and "A.10.4 Customers: not decided" in page
    refused = manager.post(approve_url, {"note": "ok"})
    assert (
        refused.status_code == 400
        and "A.9.4 Intended use of the AI system: not decided" in refused.content.decode()
    )

    complete(draft, control, Actor.for_user(personas["manager"].user))
    assert "Approve v1" in manager.get(approve_url).content.decode()
    done = manager.post(approve_url, {"note": "Approved at the AI committee"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.approval_note == "Approved at the AI committee"
    html = manager.get(draft.get_absolute_url()).content.decode()
    assert "Approved by" in html and "Manager" in html and "Complete" in html and ">Edit</a>" not in html


def test_every_ui_write_to_an_approved_version_is_refused_with_the_reason(
    approved: StatementOfApplicability, client_for: Any
) -> None:
    client = client_for("admin")
    entry = entry_of(approved, "A.2.2")
    message = "v1 is approved and frozen; start a new draft"
    before = changes()
    for method, target, data in (
        ("get", reverse("soa:statementofapplicability_edit", kwargs={"key": approved.key}), None),
        ("post", reverse("soa:statementofapplicability_edit", kwargs={"key": approved.key}), {"title": "X"}),
        ("get", url("entry_edit", approved, entry_key=entry.key), None),
        ("post", url("entry_edit", approved, entry_key=entry.key), {"applicable": "no"}),
        ("get", url("additional", approved), None),
        ("post", url("additional", approved), {"title": "Late"}),
        ("get", url("approve", approved), None),
        ("post", url("approve", approved), {"note": "again"}),
    ):
        response = getattr(client, method)(target, data or {})
        assert response.status_code == 409, (method, target)
        assert message in response.content.decode()
    for method in ("get", "post"):
        response = getattr(client, method)(
            reverse("soa:statementofapplicability_delete", kwargs={"key": approved.key})
        )
        assert (
            response.status_code == 409
            and "v1 is approved and frozen; it cannot be deleted" in response.content.decode()
        )
    assert changes() == before
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.title == "Statement of Applicability"


def test_new_draft_and_compare_in_the_ui(
    approved: StatementOfApplicability, client_for: Any, personas: Any
) -> None:
    client = client_for("contributor")
    assert "New draft" in client.get(approved.get_absolute_url()).content.decode()
    response = client.post(reverse("soa:new_draft"))
    assert response.status_code == 302
    v2 = StatementOfApplicability.objects.get(version=2)
    assert response["Location"] == v2.get_absolute_url() and v2.based_on_id == approved.pk
    again = client.post(reverse("soa:new_draft"), follow=True)
    assert "v2 is already a draft" in again.content.decode()
    v1_page = client.get(approved.get_absolute_url()).content.decode()
    assert "New draft" not in v1_page and f'href="{v2.get_absolute_url()}">Open the draft' in v1_page
    assert client_for("viewer").post(reverse("soa:new_draft")).status_code == 403

    # The contributor owns v2's entries and edits them inline.
    entry = entry_of(v2, "A.10.4")
    saved = client.post(
        url("entry_edit", v2, entry_key=entry.key),
        {
            "applicable": "yes",
            "justification_inclusion": "We now provide fraud scoring to a credit union.",
            "implementation_status": "in_progress",
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "Applicable" in saved.content.decode()
    page = client_for("auditor").get(url("compare", v2) + "?against=1")
    html = page.content.decode()
    assert page.status_code == 200 and "From v1" in html and "to v2" in html
    assert (
        "A.10.4 Customers" in html and "We now provide fraud scoring" in html and "1 control changed" in html
    )
    assert client_for("auditor").get(url("compare", v2) + "?against=9").status_code == 404
    assert client_for("auditor").get(url("compare", v2) + "?against=x").status_code == 400
    assert client_for("outsider").get(url("compare", v2) + "?against=1").status_code == 404


def check_export(fmt: str, body: bytes, rows: int = 38) -> None:
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        assert sheet is not None
        values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert "A.6.2.4" in values and "A.10.4" in values
    elif fmt == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        assert "A.6.2.4" in text and "Statement of Applicability" in text
    elif fmt == "csv":
        lines = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert lines[0][0] == "Control ID" and len(lines) == rows + 1
    else:
        data = json.loads(body)
        ssp = SystemSecurityPlan.model_validate(data["system-security-plan"])
        assert len(ssp.control_implementation.implemented_requirements) == rows


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv", "oscal"])
def test_every_member_downloads_exports_in_the_ui_and_outsiders_get_404(
    fmt: str, approved: StatementOfApplicability, client_for: Any
) -> None:
    for name in READERS:
        response = client_for(name).get(url("export", approved) + f"?format={fmt}")
        assert response.status_code == 200, name
        assert (
            f'filename="acme-ai-soa-v1.{"json" if fmt == "oscal" else fmt}"'
            in response["Content-Disposition"]
        )
    check_export(fmt, response.content)
    assert client_for("outsider").get(url("export", approved) + f"?format={fmt}").status_code == 404


def test_unknown_export_format_is_a_400(draft: StatementOfApplicability, client_for: Any) -> None:
    assert client_for("viewer").get(url("export", draft) + "?format=docx").status_code == 400


def test_outsider_gets_404_on_every_soa_page(approved: StatementOfApplicability, client_for: Any) -> None:
    client = client_for("outsider")
    entry = entry_of(approved, "A.2.2")
    for target in (
        approved.get_absolute_url(),
        url("validate", approved),
        url("approve", approved),
        url("compare", approved),
        url("export", approved),
        url("additional", approved),
        url("entry_row", approved, entry_key=entry.key),
        url("entry_edit", approved, entry_key=entry.key),
        url("entry_history", approved, entry_key=entry.key),
    ):
        assert client.get(target).status_code == 404, target


def test_additional_control_is_added_in_the_ui(draft: StatementOfApplicability, client_for: Any) -> None:
    client = client_for("manager")
    missing = client.post(url("additional", draft), {"title": ""})
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    assert not draft.entries.filter(node=None).exists()
    added = client.post(
        url("additional", draft), {"title": "Consumer Duty testing", "description": "Quarterly"}
    )
    assert added.status_code == 302
    entry = draft.entries.get(node=None)
    assert added["Location"].endswith(f"#entry-{entry.key}")
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "Additional controls" in html and "Consumer Duty testing" in html
    assert client_for("viewer").post(url("additional", draft), {"title": "x"}).status_code == 403


# ------------------------------------------------------------------------------------------------ API
API = "/api/v1/soa/statements/"


def test_api_create_goes_through_the_service_and_lists_entries(api_for: Any, catalog: Any) -> None:
    api = api_for("contributor")
    created = api.post(API, {"title": "SoA", "scope": "Credit AI"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["version"], body["status"], body["framework"], body["scope"]) == (
        1,
        "draft",
        "iso-iec-42001",
        "Credit AI",
    )
    entries = api.get(f"{API}{body['key']}/entries/?limit=100").json()
    assert entries["count"] == 38 and entries["results"][0]["control_id"] == "A.2.2"
    assert entries["results"][0]["objective"] == "A.2 Policies related to AI"
    ignored = api.post(API, {"title": "x", "version": 7, "status": "approved"}, format="json").json()
    assert (ignored["version"], ignored["status"]) == (2, "draft")


def test_api_approve_validate_diff_and_new_draft(
    draft: StatementOfApplicability, control: Control, api_for: Any, personas: Any
) -> None:
    manager = api_for("manager")
    refused = manager.post(f"{API}{draft.key}/approve/", {"note": "x"}, format="json")
    assert refused.status_code == 400
    problems = refused.json()["problems"]
    assert (
        len(problems) == 38 and problems[0]["control_id"] == "A.2.2" and problems[0]["field"] == "applicable"
    )
    assert api_for("contributor").post(f"{API}{draft.key}/approve/", {}, format="json").status_code == 403
    assert api_for("outsider").post(f"{API}{draft.key}/approve/", {}, format="json").status_code == 404
    assert (
        api_for("admin", read_only=True).post(f"{API}{draft.key}/approve/", {}, format="json").status_code
        == 403
    )

    complete(draft, control, Actor.for_user(personas["manager"].user))
    assert manager.get(f"{API}{draft.key}/validate/").json() == {"ready": True, "problems": []}
    approved = manager.post(f"{API}{draft.key}/approve/", {"note": "Committee"}, format="json")
    assert approved.status_code == 200, approved.json()
    assert (
        approved.json()["status"] == "approved" and approved.json()["approved_by"] == "manager@acme.example"
    )
    assert len(approved.json()["content_hash"]) == 64

    contributor = api_for("contributor")
    v2 = contributor.post(f"{API}new-draft/", format="json")
    assert v2.status_code == 201 and v2.json()["version"] == 2 and v2.json()["based_on"] == draft.key
    conflict = contributor.post(f"{API}new-draft/", format="json")
    assert conflict.status_code == 409 and "v2 is already a draft" in conflict.json()["detail"]
    assert api_for("viewer").post(f"{API}new-draft/", format="json").status_code == 403

    v2_soa = StatementOfApplicability.objects.get(version=2)
    entry = entry_of(v2_soa, "A.10.4")
    services.update_entry(
        entry,
        {"applicable": True, "justification_inclusion": "We now sell fraud scoring."},
        by=Actor.for_user(personas["contributor"].user),
    )
    diff = api_for("auditor").get(f"{API}{v2_soa.key}/diff/?against=1").json()
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert [e["control_id"] for e in diff["entries"]] == ["A.10.4"]
    fields = {c["field"]: c for c in diff["entries"][0]["changes"]}
    assert (fields["applicable"]["before"], fields["applicable"]["after"]) == ("No", "Yes")
    assert api_for("auditor").get(f"{API}{v2_soa.key}/diff/?against=5").status_code == 404
    assert api_for("auditor").get(f"{API}{v2_soa.key}/diff/").status_code == 400


def test_api_adds_an_additional_control_to_a_draft(draft: StatementOfApplicability, api_for: Any) -> None:
    target = f"{API}{draft.key}/additional/"
    created = api_for("contributor").post(target, {"title": "Consumer Duty testing"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["additional"] is True and created.json()["title"] == "Consumer Duty testing"
    assert api_for("contributor").post(target, {"title": ""}, format="json").status_code == 400
    assert api_for("auditor").post(target, {"title": "x"}, format="json").status_code == 403
    assert api_for("outsider").post(target, {"title": "x"}, format="json").status_code == 404
    assert draft.entries.count() == 39


def test_every_api_write_to_an_approved_version_is_a_409(
    approved: StatementOfApplicability, api_for: Any
) -> None:
    api = api_for("admin")
    entry = entry_of(approved, "A.2.2")
    before = changes()
    message = "v1 is approved and frozen; start a new draft"
    for response in (
        api.patch(f"{API}{approved.key}/", {"title": "Changed"}, format="json"),
        api.put(f"{API}{approved.key}/", {"title": "Changed", "scope": "", "notes": ""}, format="json"),
        api.post(f"{API}{approved.key}/approve/", {}, format="json"),
        api.post(f"{API}{approved.key}/additional/", {"title": "Late"}, format="json"),
        api.patch(f"/api/v1/soa/entries/{entry.key}/", {"applicable": False}, format="json"),
    ):
        assert response.status_code == 409 and response.json()["detail"] == message
    deleted = api.delete(f"{API}{approved.key}/")
    assert deleted.status_code == 409 and "cannot be deleted" in deleted.json()["detail"]
    assert changes() == before
    # Permission comes before state: a contributor is refused with 403, an outsider sees nothing.
    assert (
        api_for("contributor").patch(f"{API}{approved.key}/", {"title": "x"}, format="json").status_code
        == 403
    )
    assert (
        api_for("outsider").patch(f"/api/v1/soa/entries/{entry.key}/", {}, format="json").status_code == 404
    )


def test_api_patch_of_an_entry_on_a_draft(
    draft: StatementOfApplicability, control: Control, api_for: Any, other_org: Any, system_actor: Any
) -> None:
    entry = entry_of(draft, "A.6.2.4")
    target = f"/api/v1/soa/entries/{entry.key}/"
    manager = api_for("manager")
    before = changes()
    response = manager.patch(
        target,
        {
            "applicable": True,
            "justification_inclusion": "Validation before release.",
            "implementing_controls": [control.key],
            "linked_requirements": ["iso-iec-42001:6.1.3", "eu-ai-act:art-15"],
            "linked_risks": "RSK-01",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["implementing_controls"] == [control.key]
    assert body["linked_requirements"] == ["iso-iec-42001:6.1.3", "eu-ai-act:art-15"]
    assert body["title"] == "AI system verification and validation" and body["control_id"] == "A.6.2.4"
    assert changes() == before + 1
    bad = manager.patch(target, {"linked_requirements": ["nonsense"]}, format="json")
    assert bad.status_code == 400 and "linked_requirements" in bad.json()
    for title in ("Globex one", "Globex two"):
        foreign = create_object(Control, organisation_id=other_org.pk, data={"title": title}, by=system_actor)
    assert foreign.key == "CTL-0002"  # Acme has only CTL-0001: the key must not resolve across organisations
    refused = manager.patch(target, {"implementing_controls": [foreign.key]}, format="json")
    assert refused.status_code == 400 and "implementing_controls" in refused.json()
    assert api_for("contributor").patch(target, {"linked_risks": "x"}, format="json").status_code == 403
    assert api_for("auditor").patch(target, {"linked_risks": "x"}, format="json").status_code == 403
    assert api_for("auditor").get(target).status_code == 200
    listing = api_for("viewer").get(f"/api/v1/soa/entries/?soa={draft.key}&control=A.6.2.4").json()
    assert [r["key"] for r in listing["results"]] == [entry.key]
    assert api_for("outsider").get(f"/api/v1/soa/entries/?soa={draft.key}").json()["count"] == 0


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv", "oscal"])
def test_api_export_for_auditors_and_404_for_outsiders(
    fmt: str, approved: StatementOfApplicability, api_for: Any
) -> None:
    response = api_for("auditor").get(f"{API}{approved.key}/export/?format={fmt}")
    assert response.status_code == 200
    check_export(fmt, response.content)
    assert api_for("outsider").get(f"{API}{approved.key}/export/?format={fmt}").status_code == 404


def test_api_export_rejects_unknown_formats(approved: StatementOfApplicability, api_for: Any) -> None:
    assert api_for("viewer").get(f"{API}{approved.key}/export/?format=docx").status_code == 400


def test_soa_endpoints_are_in_the_openapi_schema(client: Any, personas: Any) -> None:
    import yaml

    client.force_login(personas["admin"].user)
    paths = set(yaml.safe_load(client.get("/api/schema/").content)["paths"])
    for route in (
        "",
        "{key}/",
        "{key}/entries/",
        "{key}/approve/",
        "new-draft/",
        "{key}/validate/",
        "{key}/diff/",
        "{key}/additional/",
    ):
        assert f"/api/v1/soa/statements/{route}" in paths
    assert "/api/v1/soa/statements/{key}/export/" in paths
    assert "/api/v1/soa/entries/{key}/" in paths
