"""Every registered model, every persona, UI and API: the expected outcome, and no leak to outsiders.

Picks up new models automatically from the registry. Every successful write must add exactly one change
record; every refused write must add none.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from steward.audit.models import ChangeRecord
from steward.core import registry
from steward.core.roles import role_may
from tests.conftest import PERSONAS
from tests.factories import api_payload, create_record, form_data

REGISTRATIONS = registry.registrations()
IDS = [r.label for r in REGISTRATIONS]

pytestmark = pytest.mark.django_db


def changes() -> int:
    return ChangeRecord.objects.count()


def one_write(reg: Any, before: int, action: str, email: str) -> None:
    """One write: exactly one change record for the record itself, all records of one request, by the actor.

    (A write may create dependent records too — adopting a framework creates its assessments.)"""
    new = list(ChangeRecord.objects.order_by("-id")[: changes() - before])
    assert new, "the write recorded nothing"
    own = [r for r in new if r.object_type == reg.label and r.action == action]
    assert len(own) == 1, [(r.object_type, r.action) for r in new]
    assert {r.request_id for r in new} == {own[0].request_id}
    assert {r.actor_label for r in new} == {email}


@pytest.fixture
def records(personas: dict[str, Any]) -> Any:
    """For a registration: one record created by the manager, one by the contributor (their own)."""

    def make(reg: Any) -> dict[str, Any]:
        return {
            "managers": create_record(reg, personas["manager"], "Managers-record"),
            "contributors": create_record(reg, personas["contributor"], "Contributors-record"),
        }

    return make


def may(persona: Any, reg: Any, action: str, obj: Any = None) -> bool:
    owns = obj is not None and obj.is_owned_by(persona.user)
    return role_may(persona.role, reg.model.permission_scope, action, owns=owns)


def test_the_registry_is_not_empty() -> None:
    assert REGISTRATIONS, "no models registered: the matrix would test nothing"


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("reg", REGISTRATIONS, ids=IDS)
def test_ui_read_pages(reg: Any, persona_name: str, personas: Any, records: Any, client_for: Any) -> None:
    objs = records(reg)
    persona = personas[persona_name]
    client = client_for(persona_name)
    listing = client.get(reverse(reg.views.name("list")))
    assert listing.status_code == 200
    content = listing.content.decode()
    # Nothing exists in the outsider's organisation, so a link to this key can only be the Acme record.
    assert (f'href="{objs["managers"].get_absolute_url()}"' in content) is (persona_name != "outsider")
    for action in ("detail", "history", "journal"):
        response = client.get(reverse(reg.views.name(action), kwargs={"key": objs["managers"].key}))
        expected = 404 if persona_name == "outsider" else 200
        assert response.status_code == expected, (action, persona.role)


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("reg", REGISTRATIONS, ids=IDS)
def test_ui_create(reg: Any, persona_name: str, personas: Any, client_for: Any) -> None:
    if not reg.views.allow_add:
        # Created by another action (adopting a framework): there is no add page to reach.
        with pytest.raises(NoReverseMatch):
            reverse(reg.views.name("add"))
        return
    persona = personas[persona_name]
    client = client_for(persona_name)
    allowed = may(persona, reg, "add")
    url = reverse(reg.views.name("add"))
    assert client.get(url).status_code == (200 if allowed else 403)
    before = changes()
    response = client.post(url, form_data(reg.views.form_class, persona.organisation, "Created-in-test"))
    if allowed:
        assert response.status_code == 302, response.content[:2000]
        one_write(reg, before, "create", persona.email)
    else:
        assert response.status_code == 403
        assert changes() == before


@pytest.mark.parametrize("owner", ["managers", "contributors"])
@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("reg", REGISTRATIONS, ids=IDS)
def test_ui_edit(
    reg: Any, persona_name: str, owner: str, personas: Any, records: Any, client_for: Any
) -> None:
    obj = records(reg)[owner]
    persona = personas[persona_name]
    client = client_for(persona_name)
    url = reverse(reg.views.name("edit"), kwargs={"key": obj.key})
    data = form_data(
        reg.views.form_class, persona.organisation if persona.role else obj.organisation, "Edited"
    )
    before = changes()
    response = client.post(url, data)
    if persona_name == "outsider":
        assert response.status_code == 404
        assert client.get(url).status_code == 404
    elif may(persona, reg, "change", obj):
        assert response.status_code == 302, response.content[:2000]
        one_write(reg, before, "update", persona.email)
    else:
        assert response.status_code == 403
        assert client.get(url).status_code == 403
    if persona_name == "outsider" or not may(persona, reg, "change", obj):
        assert changes() == before


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("reg", REGISTRATIONS, ids=IDS)
def test_ui_delete(reg: Any, persona_name: str, personas: Any, records: Any, client_for: Any) -> None:
    if not reg.views.allow_delete:
        with pytest.raises(NoReverseMatch):
            reverse(reg.views.name("delete"), kwargs={"key": "X-0001"})
        return
    obj = records(reg)["contributors"]
    persona = personas[persona_name]
    client = client_for(persona_name)
    url = reverse(reg.views.name("delete"), kwargs={"key": obj.key})
    before = changes()
    if persona_name == "outsider":
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    elif may(persona, reg, "delete", obj):
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
        assert not reg.model.objects.filter(pk=obj.pk).exists()
        one_write(reg, before, "delete", persona.email)
        return
    else:
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    assert reg.model.objects.filter(pk=obj.pk).exists()
    assert changes() == before


@pytest.mark.parametrize("persona_name", ["auditor", "viewer", "outsider", "contributor"])
@pytest.mark.parametrize("reg", REGISTRATIONS, ids=IDS)
def test_ui_journal_note(reg: Any, persona_name: str, personas: Any, records: Any, client_for: Any) -> None:
    """Auditors may add journal notes; viewers may not; outsiders cannot see the record at all."""
    obj = records(reg)["managers"]
    url = reverse(reg.views.name("journal"), kwargs={"key": obj.key})
    before = changes()
    response = client_for(persona_name).post(url, {"kind": "note", "comments": "Checked in test"})
    expected = {"auditor": 200, "viewer": 403, "outsider": 404, "contributor": 403}[persona_name]
    assert response.status_code == expected
    assert changes() == before + (1 if expected == 200 else 0)


API_REGS = [r for r in REGISTRATIONS if r.api_viewset is not None]


def test_every_registered_model_has_an_api() -> None:
    assert [r.label for r in API_REGS] == IDS


def patch_payload(reg: Any) -> dict[str, str]:
    """Change the first free-text field the API accepts."""
    from rest_framework import serializers

    for name, field in reg.api_viewset.serializer_class().fields.items():
        if (
            isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.ChoiceField)
            and not field.read_only
            and not isinstance(field, serializers.URLField | serializers.EmailField)
        ):
            return {name: "Patched in test"}
    raise AssertionError(f"{reg.label}: no free-text field to patch")


def api_url(reg: Any, key: str | None = None) -> str:
    base = f"/api/v1/{reg.api_prefix}/"
    return f"{base}{key}/" if key else base


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("reg", API_REGS, ids=[r.label for r in API_REGS])
def test_api_matrix(reg: Any, persona_name: str, personas: Any, records: Any, api_for: Any) -> None:
    objs = records(reg)
    persona = personas[persona_name]
    api = api_for(persona_name)
    listing = api.get(api_url(reg))
    assert listing.status_code == 200
    keys = {row["key"] for row in listing.json()["results"]}
    outsider = persona_name == "outsider"
    # An outsider's organisation may use the same key numbers: compare by uid.
    uids = {row["uid"] for row in listing.json()["results"]}
    assert (str(objs["managers"].uid) in uids) is (not outsider)
    assert keys or outsider

    detail = api.get(api_url(reg, objs["managers"].key))
    assert detail.status_code == (404 if outsider else 200)

    for owner in ("managers", "contributors"):
        obj = objs[owner]
        before = changes()
        patched = api.patch(api_url(reg, obj.key), patch_payload(reg), format="json")
        if outsider:
            assert patched.status_code == 404
        elif may(persona, reg, "change", obj):
            assert patched.status_code == 200, patched.json()
            one_write(reg, before, "update", persona.email)
            continue
        else:
            assert patched.status_code == 403
        assert changes() == before

    obj = objs["contributors"]
    before = changes()
    deleted = api.delete(api_url(reg, obj.key))
    if "delete" not in reg.api_viewset.http_method_names:
        assert deleted.status_code in (404, 405) and changes() == before
    elif outsider:
        assert deleted.status_code == 404
    elif may(persona, reg, "delete", obj):
        assert deleted.status_code == 204
        one_write(reg, before, "delete", persona.email)
    else:
        assert deleted.status_code == 403
        assert changes() == before

    # Created last: an outsider's new record may reuse a key number of the records above.
    if "post" not in reg.api_viewset.http_method_names:
        return
    payload = api_payload(reg.api_viewset.serializer_class, reg.views.form_class, persona.organisation, "Api")
    before = changes()
    created = api.post(api_url(reg), payload, format="json")
    if may(persona, reg, "add"):
        assert created.status_code == 201, created.json()
        one_write(reg, before, "create", persona.email)
    else:
        assert created.status_code == 403
        assert changes() == before


@pytest.mark.parametrize("reg", API_REGS, ids=[r.label for r in API_REGS])
def test_read_only_token_cannot_write(reg: Any, personas: Any, records: Any, api_for: Any) -> None:
    obj = records(reg)["managers"]
    api = api_for("admin", read_only=True)
    assert api.get(api_url(reg)).status_code == 200
    before = changes()
    assert api.post(api_url(reg), {}, format="json").status_code in (403, 405)
    assert api.patch(api_url(reg, obj.key), {}, format="json").status_code == 403
    assert api.delete(api_url(reg, obj.key)).status_code in (403, 405)
    assert changes() == before
