"""Actions on the audit trail: semantic events and journal notes."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from steward.audit import chain
from steward.audit.choices import ChangeAction
from steward.audit.context import Actor, acting_as
from steward.audit.models import JournalEntry
from steward.audit.signals import object_type
from steward.core.roles import Action
from steward.core.services import ensure_allowed


def record_event(
    *, organisation_id: int, event: str, obj: Any, by: Actor, changes: dict[str, Any] | None = None
) -> None:
    """Write a semantic event ("soa.approved", "token.created") in the caller's transaction."""
    chain.append(
        organisation_id=organisation_id,
        actor=by,
        action=ChangeAction.EVENT,
        event=event,
        object_type=object_type(type(obj)),
        object_id=obj.public_id,
        object_repr=str(obj),
        changes=changes or {},
    )


def add_journal_entry(*, target: Any, comments: str, kind: str, by: Actor) -> JournalEntry:
    comments = (comments or "").strip()
    if not comments:
        raise ValueError("a journal entry needs some text")
    organisation_id = target.audit_organisation_id
    ensure_allowed(by, JournalEntry, Action.ADD, organisation_id)
    with acting_as(by), transaction.atomic():
        entry = JournalEntry(
            organisation_id=organisation_id,
            object_type=object_type(type(target)),
            object_id=target.public_id,
            kind=kind,
            comments=comments,
            created_by=by.user,
        )
        entry.save()
    return entry
