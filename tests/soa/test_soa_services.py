"""Statement of Applicability services (ISO/IEC 42001 6.1.3): versions, validation, approval, diffs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from steward.audit.context import Actor
from steward.audit.models import ChangeRecord
from steward.catalog.models import RequirementNode
from steward.core.services import create_object, update_object
from steward.implementation.models import Control
from steward.soa import services
from steward.soa.models import SoAEntry, StatementOfApplicability
from tests.soa.conftest import complete

pytestmark = pytest.mark.django_db


def node(framework: str, node_id: str) -> RequirementNode:
    return RequirementNode.objects.get(framework__identifier=framework, node_id=node_id)


@pytest.fixture
def approved_v1(personas: Any, actors: Any, control: Control, catalog: Any) -> StatementOfApplicability:
    soa = services.create_soa(personas["manager"].organisation, by=actors["manager"])
    complete(soa, control, actors["manager"])
    return services.approve_soa(soa, by=actors["manager"], note="Approved at the AI committee")


def test_create_soa_has_one_undecided_entry_per_annex_a_control_in_catalog_order(
    personas: Any, actors: Any, catalog: Any
) -> None:
    soa = services.create_soa(personas["contributor"].organisation, by=actors["contributor"], scope="All AI")
    assert (soa.version, soa.status, soa.framework.identifier) == (1, "draft", "iso-iec-42001")
    ids = [e.control_id for e in soa.entries.select_related("node")]
    assert len(ids) == 38 and ids[0] == "A.2.2" and ids[-1] == "A.10.4"
    assert ids.index("A.6.1.2") < ids.index("A.6.2.2") < ids.index("A.7.2")
    assert all(e.applicable is None for e in soa.entries.all())
    assert services.create_soa(personas["manager"].organisation, by=actors["manager"]).version == 2
    creates = ChangeRecord.objects.filter(object_type="soa.soaentry", action="create")
    assert creates.count() == 76 and set(creates.values_list("actor_label", flat=True)) == {
        "contributor@acme.example",
        "manager@acme.example",
    }


def test_viewers_and_auditors_cannot_create_a_soa(personas: Any, actors: Any, catalog: Any) -> None:
    for name in ("viewer", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            services.create_soa(personas["manager"].organisation, by=actors[name])
    assert not StatementOfApplicability.objects.exists()


def test_approval_refuses_an_incomplete_soa_with_messages_naming_the_controls(
    personas: Any, actors: Any, control: Control, catalog: Any
) -> None:
    soa = services.create_soa(personas["manager"].organisation, by=actors["manager"])
    with pytest.raises(services.ApprovalRefused) as refused:
        services.approve_soa(soa, by=actors["manager"])
    assert len(refused.value.problems) == 38
    assert "A.2.2 AI policy: not decided — mark it applicable or excluded." in refused.value.messages

    complete(soa, control, actors["manager"])
    entries = {e.control_id: e for e in soa.entries.select_related("node")}
    manager = actors["manager"]
    services.update_entry(entries["A.6.2.4"], {"implementing_controls": []}, by=manager)
    services.update_entry(entries["A.5.4"], {"justification_inclusion": ""}, by=manager)
    services.update_entry(entries["A.10.4"], {"justification_exclusion": ""}, by=manager)
    services.update_entry(entries["A.9.4"], {"applicable": None}, by=manager)
    retired = create_object(
        Control,
        organisation_id=soa.organisation_id,
        data={"title": "Old log review", "status": "retired"},
        by=manager,
    )
    services.update_entry(entries["A.6.2.8"], {"implementing_controls": [retired]}, by=manager)
    extra = services.add_additional_control(soa, title="Consumer Duty testing", by=manager)

    problems = services.validate_soa(soa)
    by_control = {(p.control_id, p.field) for p in problems}
    assert by_control == {
        ("A.6.2.4", "implementing_controls"),
        ("A.5.4", "justification_inclusion"),
        ("A.10.4", "justification_exclusion"),
        ("A.9.4", "applicable"),
        ("A.6.2.8", "implementing_controls"),
        (extra.key, "applicable"),
    }
    messages = {p.control_id: p.message for p in problems}
    assert messages["A.6.2.4"].startswith("A.6.2.4 AI system verification and validation: applicable but no ")
    assert "excluded without a justification" in messages["A.10.4"]
    assert "included without a justification" in messages["A.5.4"]
    assert "only retired controls" in messages["A.6.2.8"]
    assert messages[extra.key].startswith(f"{extra.key} “Consumer Duty testing”: not decided")
    with pytest.raises(services.ApprovalRefused) as refused:
        services.approve_soa(soa, by=manager)
    assert [p.message for p in refused.value.problems] == [p.message for p in problems]
    soa.refresh_from_db()
    assert soa.status == "draft" and not ChangeRecord.objects.filter(event="soa.approved").exists()


def test_a_linked_requirement_or_risk_justifies_an_inclusion(
    personas: Any, actors: Any, control: Control, catalog: Any
) -> None:
    soa = services.create_soa(personas["manager"].organisation, by=actors["manager"])
    complete(soa, control, actors["manager"])
    entries = {e.control_id: e for e in soa.entries.select_related("node")}
    services.update_entry(
        entries["A.5.2"],
        {"justification_inclusion": "", "linked_requirements": [node("iso-iec-42001", "6.1.4")]},
        by=actors["manager"],
    )
    services.update_entry(
        entries["A.5.3"],
        {"justification_inclusion": "", "linked_risks": "RSK-1 Unfair declines"},
        by=actors["manager"],
    )
    assert services.validate_soa(soa) == []


def test_approval_by_a_contributor_auditor_or_viewer_is_refused(
    personas: Any, actors: Any, control: Control, catalog: Any
) -> None:
    soa = services.create_soa(personas["contributor"].organisation, by=actors["contributor"])
    complete(soa, control, actors["contributor"])
    before = ChangeRecord.objects.count()
    for name in ("contributor", "auditor", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            services.approve_soa(soa, by=actors[name])
    soa.refresh_from_db()
    assert soa.status == "draft" and ChangeRecord.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.approve_soa(soa, by=Actor.system("tests"))  # an approval names a person


def test_approval_freezes_the_version(
    approved_v1: StatementOfApplicability, actors: Any, control: Control
) -> None:
    soa = approved_v1
    assert soa.status == "approved" and soa.approved_by is not None
    assert soa.approved_by.email == "manager@acme.example" and soa.approved_at is not None
    assert soa.approval_note == "Approved at the AI committee"
    assert soa.content_hash == services.document_hash(services.build_document(soa))
    event = ChangeRecord.objects.get(event="soa.approved")
    assert event.actor_label == "manager@acme.example" and event.object_id == soa.key
    assert event.changes["content_hash"] == soa.content_hash

    entry = soa.entries.select_related("node").first()
    assert entry is not None
    before = ChangeRecord.objects.count()
    frozen = "v1 is approved and frozen; start a new draft"
    with pytest.raises(ValidationError, match=frozen):
        services.update_entry(entry, {"justification_inclusion": "Changed"}, by=actors["manager"])
    with pytest.raises(services.FrozenVersionError, match=frozen):
        services.update_soa(soa, {"title": "Changed"}, by=actors["admin"])
    with pytest.raises(services.FrozenVersionError, match=frozen):
        services.add_additional_control(soa, title="Late addition", by=actors["manager"])
    with pytest.raises(services.FrozenVersionError, match=frozen):
        services.approve_soa(soa, by=actors["manager"])
    with pytest.raises(services.FrozenVersionError, match="v1 is approved and frozen; it cannot be deleted"):
        services.delete_soa(soa, by=actors["admin"])
    assert ChangeRecord.objects.count() == before
    entry.refresh_from_db()
    assert entry.justification_inclusion == "Needed to treat our AI risks."


def test_approving_the_next_version_supersedes_the_previous_one(
    approved_v1: StatementOfApplicability, actors: Any, control: Control
) -> None:
    v2 = services.new_draft(approved_v1.organisation, by=actors["manager"])
    services.approve_soa(v2, by=actors["admin"])
    approved_v1.refresh_from_db()
    v2.refresh_from_db()
    assert (approved_v1.status, v2.status) == ("superseded", "approved")
    assert ChangeRecord.objects.filter(event="soa.approved", object_id=v2.key).get().changes[
        "superseded"
    ] == [approved_v1.key]
    with pytest.raises(services.FrozenVersionError, match="v1 was approved, is now superseded and frozen"):
        services.update_entry(approved_v1.entries.first(), {"linked_risks": "x"}, by=actors["admin"])  # type: ignore[arg-type]


def test_new_draft_copies_entries_and_links_and_only_one_draft_at_a_time(
    approved_v1: StatementOfApplicability, actors: Any, control: Control
) -> None:
    v1 = approved_v1
    first = v1.entries.select_related("node").get(node__label="A.6.2.4")
    services_node = node("eu-ai-act", "art-15")
    assert first.implementing_controls.get() == control
    v2 = services.new_draft(v1.organisation, by=actors["contributor"])
    assert (v2.version, v2.status, v2.based_on_id, v2.scope) == (2, "draft", v1.pk, v1.scope)
    assert v2.entries.count() == 38
    copied = {e.control_id: e for e in v2.entries.select_related("node")}
    original = {e.control_id: e for e in v1.entries.select_related("node")}
    for cid, entry in copied.items():
        old = original[cid]
        assert (entry.applicable, entry.justification_inclusion, entry.justification_exclusion) == (
            old.applicable,
            old.justification_inclusion,
            old.justification_exclusion,
        )
        assert entry.implementation_status == old.implementation_status
        assert list(entry.implementing_controls.all()) == list(old.implementing_controls.all())
        assert entry.pk != old.pk and entry.created_by == actors["contributor"].user
    services.update_entry(
        copied["A.6.2.4"], {"linked_requirements": [services_node]}, by=actors["contributor"]
    )
    assert ChangeRecord.objects.filter(event="soa.draft_created", object_id=v2.key).count() == 1
    with pytest.raises(ValidationError, match="v2 is already a draft; approve or delete it"):
        services.new_draft(v1.organisation, by=actors["manager"])
    services.approve_soa(v2, by=actors["manager"])
    v3 = services.new_draft(v1.organisation, by=actors["manager"])
    assert v3.based_on_id == v2.pk
    linked = v3.entries.get(node__label="A.6.2.4").linked_requirements.get()
    assert linked == services_node


def test_diff_between_two_versions_lists_the_changes(
    approved_v1: StatementOfApplicability, actors: Any, control: Control
) -> None:
    manager = actors["manager"]
    other = create_object(
        Control,
        organisation_id=approved_v1.organisation_id,
        data={"title": "Supplier due diligence"},
        by=manager,
    )
    v2 = services.new_draft(approved_v1.organisation, by=manager)
    entries = {e.control_id: e for e in v2.entries.select_related("node")}
    services.update_entry(
        entries["A.10.4"],
        {
            "applicable": True,
            "justification_inclusion": "We now sell fraud scoring to a credit union.",
            "justification_exclusion": "",
            "implementing_controls": [other],
        },
        by=manager,
    )
    services.update_entry(
        entries["A.10.3"],
        {
            "implementation_status": "in_progress",
            "implementing_controls": [control, other],
            "linked_requirements": [node("eu-ai-act", "art-25")],
        },
        by=manager,
    )
    services.add_additional_control(v2, title="Consumer Duty outcome testing", by=manager)

    diffs = {d.control_id: d for d in services.diff(approved_v1, v2)}
    assert set(diffs) == {"A.10.4", "A.10.3", v2.entries.get(node=None).key}
    a_10_4 = {c.field: c for c in diffs["A.10.4"].changes}
    assert (a_10_4["applicable"].before, a_10_4["applicable"].after) == ("No", "Yes")
    assert a_10_4["implementation_status"].after == "Not started"
    assert a_10_4["implementing_controls"].added == (f"{other.key} Supplier due diligence",)
    assert a_10_4["justification_exclusion"].after == ""
    a_10_3 = {c.field: c for c in diffs["A.10.3"].changes}
    assert (a_10_3["implementation_status"].before, a_10_3["implementation_status"].after) == (
        "Implemented",
        "In progress",
    )
    assert a_10_3["linked_requirements"].added == ("EU AI Act Art. 25",)
    assert a_10_3["implementing_controls"].removed == ()
    added = diffs[v2.entries.get(node=None).key]
    assert added.change == "added" and added.title == "Consumer Duty outcome testing"
    assert diffs["A.10.4"].change == "changed"
    # And back: the additional control is "removed" going from v2 to v1.
    assert [
        d.change for d in services.diff(v2, approved_v1) if d.title == "Consumer Duty outcome testing"
    ] == ["removed"]
    assert services.diff(approved_v1, approved_v1) == []


def test_build_document_has_one_row_per_control_and_additional_control(
    personas: Any, actors: Any, control: Control, catalog: Any
) -> None:
    manager = actors["manager"]
    soa = services.create_soa(personas["manager"].organisation, by=manager, title="SoA", scope="Credit AI")
    entry = soa.entries.select_related("node").get(node__label="A.6.2.4")
    services.update_entry(
        entry,
        {
            "applicable": True,
            "implementing_controls": [control],
            "linked_requirements": [node("iso-iec-42001", "6.1.3"), node("eu-ai-act", "art-15")],
            "linked_risks": "RSK-01 Unfair declines\n\n RSK-02 Drift ",
            "implementation_status": "in_progress",
        },
        by=manager,
    )
    services.add_additional_control(soa, title="Consumer Duty testing", description="Quarterly", by=manager)
    doc = services.build_document(soa)
    assert len(doc.rows) == 39
    assert (doc.organisation, doc.framework_id, doc.framework_title) == (
        "Acme AI",
        "iso-iec-42001",
        "ISO/IEC 42001:2023",
    )
    assert (doc.version, doc.status, doc.scope, doc.approved_by) == (1, "draft", "Credit AI", "")
    row = next(r for r in doc.rows if r.control_id == "A.6.2.4")
    assert (row.title, row.objective_id, row.objective_title) == (
        "AI system verification and validation",
        "A.6.2",
        "AI system life cycle",
    )
    assert row.linked_requirements == ("ISO/IEC 42001 6.1.3", "EU AI Act Art. 15")
    assert row.linked_risks == ("RSK-01 Unfair declines", "RSK-02 Drift")
    assert [(c.key, c.title, c.status) for c in row.implementing_controls] == [
        (control.key, "Model validation procedure", "implemented")
    ]
    assert row.applicable is True and row.implementation_status == "in_progress"
    last = doc.rows[-1]
    assert last.additional and last.title == "Consumer Duty testing" and last.objective_id == ""
    assert [r.objective_id for r in doc.rows[:3]] == ["A.2", "A.2", "A.2"]


def test_deleting_a_draft_deletes_its_entries_with_change_records(
    personas: Any, actors: Any, catalog: Any
) -> None:
    soa = services.create_soa(personas["contributor"].organisation, by=actors["contributor"])
    with pytest.raises(PermissionDenied):
        services.delete_soa(soa, by=actors["contributor"])  # contributors never delete
    services.delete_soa(soa, by=actors["manager"])
    assert not StatementOfApplicability.objects.exists() and not SoAEntry.objects.exists()
    deletes = ChangeRecord.objects.filter(action="delete")
    assert deletes.filter(object_type="soa.soaentry").count() == 38
    assert deletes.filter(object_type="soa.statementofapplicability", object_id=soa.key).count() == 1
    assert set(deletes.values_list("actor_label", flat=True)) == {"manager@acme.example"}


def test_every_entry_write_is_one_change_record_with_the_actor(
    personas: Any, actors: Any, control: Control, catalog: Any
) -> None:
    soa = services.create_soa(personas["contributor"].organisation, by=actors["contributor"])
    entry = soa.entries.select_related("node").get(node__label="A.7.4")
    before = ChangeRecord.objects.count()
    services.update_entry(
        entry,
        {
            "applicable": True,
            "justification_inclusion": "Data quality drives credit decisions.",
            "implementing_controls": [control],
            "linked_requirements": [node("eu-ai-act", "art-10")],
        },
        by=actors["contributor"],
    )
    assert ChangeRecord.objects.count() == before + 1
    record = ChangeRecord.objects.order_by("-id").first()
    assert record is not None
    assert (record.object_type, record.object_id, record.action) == ("soa.soaentry", entry.key, "update")
    assert record.actor_label == "contributor@acme.example"
    assert record.changes["implementing_controls"] == [[], [control.key]]
    assert record.changes["applicable"] == [None, True]


def test_entries_of_others_are_changed_only_by_managers_and_admins(
    personas: Any, actors: Any, catalog: Any
) -> None:
    soa = services.create_soa(personas["manager"].organisation, by=actors["manager"])
    entry = soa.entries.first()
    assert entry is not None
    for name in ("contributor", "auditor", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            services.update_entry(entry, {"applicable": True}, by=actors[name])
    services.update_entry(entry, {"applicable": True}, by=actors["admin"])


def test_excluding_a_control_sets_its_status_and_foreign_controls_are_refused(
    personas: Any, actors: Any, other_org: Any, system_actor: Any, catalog: Any
) -> None:
    soa = services.create_soa(personas["manager"].organisation, by=actors["manager"])
    entry = soa.entries.select_related("node").get(node__label="A.10.4")
    services.update_entry(
        entry, {"applicable": False, "justification_exclusion": "No customers."}, by=actors["manager"]
    )
    assert entry.implementation_status == "not_applicable"
    services.update_entry(entry, {"applicable": True}, by=actors["manager"])
    assert entry.implementation_status == "not_started"
    foreign = create_object(
        Control, organisation_id=other_org.pk, data={"title": "Globex control"}, by=system_actor
    )
    with pytest.raises(ValidationError, match="Only your organisation's controls"):
        services.update_entry(entry, {"implementing_controls": [foreign]}, by=actors["manager"])
    with pytest.raises(ValidationError, match="only additional controls have their own title"):
        services.update_entry(entry, {"additional_title": "Renamed"}, by=actors["manager"])
    with pytest.raises(ValidationError, match="cannot be changed here: soa"):
        services.update_entry(entry, {"soa": None}, by=actors["manager"])
    with pytest.raises(ValidationError, match="needs a title"):
        services.add_additional_control(soa, title="  ", by=actors["manager"])


def test_a_retired_control_is_flagged_after_it_is_retired(
    approved_v1: StatementOfApplicability, actors: Any, control: Control
) -> None:
    update_object(control, data={"status": "retired"}, by=actors["manager"])
    v2 = services.new_draft(approved_v1.organisation, by=actors["manager"])
    problems = services.validate_soa(v2)
    assert len(problems) == 37 and all(p.field == "implementing_controls" for p in problems)
    with pytest.raises(services.ApprovalRefused):
        services.approve_soa(v2, by=actors["manager"])


def test_demo_builder_leaves_an_approved_v1_and_a_draft_v2(personas: Any, catalog: Any) -> None:
    from django.apps import apps

    users = {name: personas[name].user for name in ("admin", "manager", "contributor", "auditor", "viewer")}
    apps.get_app_config("soa").build_demo_data(personas["manager"].organisation, users, lambda _: None)  # type: ignore[attr-defined]
    v1, v2 = StatementOfApplicability.objects.order_by("version")
    assert (v1.status, v2.status, v2.based_on_id) == ("approved", "draft", v1.pk)
    assert v1.approved_by == users["manager"] and services.validate_soa(v1) == []
    excluded = [e.control_id for e in v1.entries.select_related("node") if e.applicable is False]
    assert excluded == ["A.10.4"]
    diffs = {d.control_id for d in services.diff(v1, v2)}
    assert {"A.10.4", "A.6.2.6", "A.8.4"} <= diffs and len(diffs) == 4
    assert ChangeRecord.objects.filter(
        event="soa.draft_created", actor_label="contributor@acme.example"
    ).exists()
