"""Append to and verify the per-organisation hash chain of change records.

hash_n = SHA-256( prev_hash || canonical_json(content_n) ), with prev_hash of the first record = 64 zeros.
Canonical JSON: sorted keys, no whitespace, UTF-8, timestamps in ISO 8601 UTC with microseconds. Editing a
record breaks its own hash; deleting or reordering records breaks the sequence or the prev_hash link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from steward.audit.context import Actor, current_request_id
from steward.audit.models import ChangeRecord

GENESIS = "0" * 64


def to_json_value(value: Any) -> Any:
    """Normalise to plain JSON types so what is hashed is exactly what the database returns."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_content(record: ChangeRecord, organisation_uid: str, actor_uid: str) -> dict[str, Any]:
    return {
        "organisation": organisation_uid,
        "sequence": record.sequence,
        "timestamp": _timestamp(record.timestamp),
        "actor": {"label": record.actor_label, "kind": record.actor_kind, "user": actor_uid},
        "action": record.action,
        "event": record.event,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "changes": record.changes,
        "request_id": record.request_id,
    }


def compute_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append(
    *,
    organisation_id: int,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    event: str = "",
) -> ChangeRecord:
    """Write the next record of an organisation's chain, inside the caller's transaction."""
    from steward.organisations.models import Organisation

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("change records are written inside the transaction of the change")
    # Lock the organisation row so concurrent writers of one organisation queue up (PostgreSQL); SQLite's
    # IMMEDIATE transactions already serialise writers. The unique (organisation, sequence) constraint is the
    # last line of defence against a forked chain.
    organisation = Organisation._base_manager.select_for_update().only("id", "uid").get(pk=organisation_id)
    last = (
        ChangeRecord.objects.filter(organisation_id=organisation_id)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    actor_user = actor.user if actor.user is not None and actor.user.pk else None
    record = ChangeRecord(
        organisation_id=organisation_id,
        sequence=sequence,
        timestamp=timezone.now(),
        actor_user=actor_user,
        actor_label=actor.label[:255],
        actor_kind=actor.kind,
        action=action,
        event=event,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:255],
        changes=to_json_value(changes or {}),
        request_id=current_request_id(),
        prev_hash=prev_hash,
    )
    actor_uid = str(actor_user.uid) if actor_user is not None else ""
    record.hash = compute_hash(prev_hash, record_content(record, str(organisation.uid), actor_uid))
    record.save()
    return record


@dataclass(frozen=True)
class ChainReport:
    organisation: str
    records: int
    ok: bool
    broken_sequence: int | None = None
    broken_record: str | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"{self.organisation}: {self.records} records, chain intact"
        return (
            f"{self.organisation}: chain broken at record #{self.broken_sequence} "
            f"(uid {self.broken_record}): {self.reason}"
        )


def _iter_records(organisation_id: int) -> Iterator[tuple[ChangeRecord, str]]:
    qs = (
        ChangeRecord.objects.filter(organisation_id=organisation_id)
        .select_related("actor_user")
        .order_by("sequence", "id")
    )
    for record in qs.iterator(chunk_size=2000):
        actor_uid = str(record.actor_user.uid) if record.actor_user_id and record.actor_user else ""
        yield record, actor_uid


def verify(organisation: Any, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute an organisation's chain; report the first broken link precisely."""
    prev_hash = GENESIS
    expected_sequence = 1
    count = 0
    name = organisation.name
    for record, actor_uid in _iter_records(organisation.pk):
        count += 1
        if progress is not None:
            progress(1)
        problem = ""
        if record.sequence != expected_sequence:
            if record.sequence > expected_sequence:
                problem = (
                    f"expected sequence {expected_sequence}, found {record.sequence}: "
                    f"record(s) {expected_sequence}..{record.sequence - 1} are missing (deleted)"
                )
            else:
                problem = f"sequence {record.sequence} appears out of order or twice"
        elif record.prev_hash != prev_hash:
            problem = (
                f"prev_hash {record.prev_hash[:12]}… does not match the hash of record "
                f"#{expected_sequence - 1} ({prev_hash[:12]}…): records were removed or reordered"
            )
        else:
            content = record_content(record, str(organisation.uid), actor_uid)
            if compute_hash(record.prev_hash, content) != record.hash:
                problem = "stored hash does not match the record's content: the record was altered"
        if problem:
            return ChainReport(name, count, False, record.sequence, str(record.uid), problem)
        prev_hash = record.hash
        expected_sequence += 1
    return ChainReport(name, count, True)
