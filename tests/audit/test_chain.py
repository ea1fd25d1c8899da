"""The audit trail: one record per write, an actor on every write, and tampering detected precisely."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from steward.audit.chain import verify
from steward.audit.context import Actor, MissingActorError, acting_as
from steward.audit.models import AppendOnlyError, ChangeRecord
from steward.audit.signals import AuditTransactionError
from steward.context.models import InterestedParty
from steward.core.querysets import AuditBypassError
from steward.core.services import create_object, delete_object, update_object

pytestmark = pytest.mark.django_db


@pytest.fixture
def party(org: Any, personas: Any) -> InterestedParty:
    return create_object(
        InterestedParty,
        organisation_id=org.pk,
        data={"name": "Regulator", "party_type": "regulator"},
        by=Actor.for_user(personas["manager"].user),
    )


def _raw_update(record_id: int, column: str, value: Any) -> None:
    # Tampering as an attacker with database access would do it: behind the ORM's back.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_changerecord SET {column} = %s WHERE id = %s", [value, record_id])


def test_create_update_delete_each_write_one_record_with_actor_and_diff(party: Any, personas: Any) -> None:
    manager = Actor.for_user(personas["manager"].user)
    records = ChangeRecord.objects.filter(object_id=party.key)
    created = records.get()
    assert created.action == "create"
    assert created.actor_label == "manager@acme.example"
    assert created.changes["name"] == [None, "Regulator"]
    assert created.request_id

    update_object(party, data={"relevance": "high"}, by=manager)
    updated = records.order_by("-sequence").first()
    assert updated is not None and updated.action == "update"
    assert updated.changes == {"relevance": ["medium", "high"]}

    key = party.key
    delete_object(party, by=manager)
    deleted = ChangeRecord.objects.filter(object_id=key).order_by("-sequence").first()
    assert deleted is not None and deleted.action == "delete"
    assert deleted.changes["name"] == ["Regulator", None]


def test_saving_without_changes_writes_no_record(party: Any, personas: Any) -> None:
    before = ChangeRecord.objects.count()
    update_object(party, data={}, by=Actor.for_user(personas["manager"].user))
    assert ChangeRecord.objects.count() == before


def test_a_write_with_no_actor_is_an_error_and_writes_nothing(org: Any) -> None:
    before = InterestedParty.objects.count(), ChangeRecord.objects.count()
    with pytest.raises(MissingActorError), transaction.atomic():
        InterestedParty(organisation=org, name="Nobody's", party_type="customer").save()
    assert (InterestedParty.objects.count(), ChangeRecord.objects.count()) == before


def test_a_write_outside_a_transaction_is_refused(org: Any, system_actor: Any) -> None:
    # pytest-django wraps each test in a transaction; leave it to see what application code would see.
    with acting_as(system_actor):
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            with pytest.raises(AuditTransactionError):
                InterestedParty(organisation=org, name="Loose", party_type="customer").save()
        finally:
            connection.in_atomic_block = saved


def test_bulk_writes_that_would_skip_the_trail_are_refused(party: Any) -> None:
    with pytest.raises(AuditBypassError):
        InterestedParty.objects.filter(pk=party.pk).update(name="sneaky")
    with pytest.raises(AuditBypassError):
        InterestedParty.objects.bulk_create([InterestedParty(organisation=party.organisation, name="x")])


def test_change_records_are_append_only_through_the_orm(party: Any) -> None:
    record = ChangeRecord.objects.first()
    assert record is not None
    record.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ChangeRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ChangeRecord.objects.update(object_repr="x")


def test_chains_are_per_organisation_and_start_at_one(org: Any, other_org: Any, personas: Any) -> None:
    for organisation in (org, other_org):
        sequences = list(
            ChangeRecord.objects.filter(organisation=organisation)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert sequences == list(range(1, len(sequences) + 1))
        assert verify(organisation).ok


def test_editing_a_record_is_detected_at_that_record(org: Any, party: Any) -> None:
    target = ChangeRecord.objects.filter(organisation=org).order_by("sequence")[2]
    _raw_update(target.pk, "object_repr", "forged")
    report = verify(org)
    assert not report.ok
    assert report.broken_sequence == target.sequence
    assert report.broken_record == str(target.uid)
    assert "altered" in report.reason


def test_editing_the_changes_json_is_detected(org: Any, party: Any) -> None:
    target = ChangeRecord.objects.get(organisation=org, object_id=party.key)
    _raw_update(target.pk, "changes", '{"name": [null, "Someone else"]}')
    report = verify(org)
    assert not report.ok and report.broken_sequence == target.sequence


def test_deleting_a_record_is_detected_at_the_gap(org: Any, party: Any) -> None:
    records = list(ChangeRecord.objects.filter(organisation=org).order_by("sequence"))
    victim = records[3]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_changerecord WHERE id = %s", [victim.pk])
    report = verify(org)
    assert not report.ok
    assert report.broken_sequence == victim.sequence + 1
    assert "missing" in report.reason


def test_deleting_the_last_record_and_resequencing_is_detected(org: Any, party: Any) -> None:
    records = list(ChangeRecord.objects.filter(organisation=org).order_by("sequence"))
    victim = records[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_changerecord WHERE id = %s", [victim.pk])
        # A careful attacker renumbers the rest to close the gap.
        for record in records[2:]:
            cursor.execute(
                "UPDATE audit_changerecord SET sequence = %s WHERE id = %s", [record.sequence - 1, record.pk]
            )
    report = verify(org)
    assert not report.ok
    assert report.broken_sequence == victim.sequence
    assert "prev_hash" in report.reason


def test_reordering_records_is_detected(org: Any, party: Any) -> None:
    a, b = list(ChangeRecord.objects.filter(organisation=org).order_by("sequence"))[1:3]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_changerecord SET sequence = %s WHERE id = %s", [10**9, a.pk])
        cursor.execute("UPDATE audit_changerecord SET sequence = %s WHERE id = %s", [a.sequence, b.pk])
        cursor.execute("UPDATE audit_changerecord SET sequence = %s WHERE id = %s", [b.sequence, a.pk])
    report = verify(org)
    assert not report.ok
    assert report.broken_sequence == a.sequence


def test_tampering_in_one_organisation_does_not_break_another(org: Any, other_org: Any, party: Any) -> None:
    target = ChangeRecord.objects.filter(organisation=org).first()
    assert target is not None
    _raw_update(target.pk, "actor_label", "someone@else")
    assert not verify(org).ok
    assert verify(other_org).ok


def test_journal_entries_are_audited(party: Any, personas: Any) -> None:
    from steward.audit.services import add_journal_entry

    entry = add_journal_entry(
        target=party, comments="Looks fine", kind="note", by=Actor.for_user(personas["auditor"].user)
    )
    record = ChangeRecord.objects.filter(object_id=entry.key).get()
    assert record.actor_label == "auditor@acme.example"
    assert entry.object_id == party.key


def test_background_jobs_run_as_a_named_system_actor(org: Any, personas: Any) -> None:
    from steward.jobs.models import Job, JobStatus
    from steward.jobs.queue import enqueue, run_pending

    job = enqueue("audit.verify", organisation_id=org.pk, by=Actor.for_user(personas["admin"].user))
    event = ChangeRecord.objects.filter(event="job.enqueued").get()
    assert event.actor_label == "admin@acme.example"
    assert run_pending() == 1
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["ok"] is True
    assert job.progress == job.total
