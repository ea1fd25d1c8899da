"""Write one change record for every save/delete of an audited model, in the same transaction.

Signals (not only service functions) are the safety net: a write from any entry point — view, API, CLI,
job, shell — is recorded, and a write with no actor or outside a transaction is refused before it happens.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from steward.audit import chain
from steward.audit.choices import ChangeAction
from steward.audit.context import require_actor


class AuditTransactionError(RuntimeError):
    pass


# While a batch is open, each object's field and link changes are merged into ONE change record, written when
# the batch closes (still inside the transaction): saving a form with many-to-many fields is one write.
_batch: contextvars.ContextVar[dict[tuple[str, Any], dict[str, Any]] | None] = contextvars.ContextVar(
    "steward_audit_batch", default=None
)


@contextmanager
def audit_batch() -> Iterator[None]:
    if _batch.get() is not None:  # nested: the outer batch writes
        yield
        return
    pending: dict[tuple[str, Any], dict[str, Any]] = {}
    token = _batch.set(pending)
    try:
        yield
        for entry in pending.values():
            if entry["action"] == ChangeAction.UPDATE and not entry["changes"]:
                continue
            _write(entry["instance"], entry["action"], entry["changes"])
    finally:
        _batch.reset(token)


def _write(instance: Any, action: str, changes: dict[str, Any]) -> None:
    chain.append(
        organisation_id=instance.audit_organisation_id,
        actor=require_actor(),
        action=action,
        object_type=object_type(type(instance)),
        object_id=instance.public_id,
        object_repr=str(instance),
        changes=changes,
    )


def note_change(instance: Any, name: str, before: Any, after: Any) -> None:
    """Record a change that is not a model field (an uploaded file revision) with the object's own record."""
    _record(instance, ChangeAction.UPDATE, chain.to_json_value({name: [before, after]}))


def _record(instance: Any, action: str, changes: dict[str, Any]) -> None:
    pending = _batch.get()
    if pending is None:
        if action != ChangeAction.UPDATE or changes:
            _write(instance, action, changes)
        return
    key = (object_type(type(instance)), instance.pk)
    entry = pending.get(key)
    if entry is None:
        pending[key] = {"instance": instance, "action": action, "changes": dict(changes)}
        return
    entry["instance"] = instance
    if action == ChangeAction.DELETE:
        entry["action"] = action
    for name, (before, after) in changes.items():
        if name in entry["changes"]:
            entry["changes"][name] = [entry["changes"][name][0], after]
        else:
            entry["changes"][name] = [before, after]


def is_audited(model: Any) -> bool:
    return bool(getattr(model, "audited", False)) and not model._meta.abstract


def object_type(model: Any) -> str:
    return model._meta.label_lower


def _field_value(instance: models.Model, field: models.Field) -> Any:
    if field.is_relation and field.many_to_one:
        related_id = getattr(instance, field.attname)
        if related_id is None:
            return None
        related = getattr(instance, field.name, None)
        public = getattr(related, "public_id", None)
        return str(public) if public is not None else related_id
    value = field.value_from_object(instance)
    if isinstance(field, models.FileField):
        return value.name or None
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    exclude = set(getattr(instance, "audit_exclude", ())) | {"id", "created", "updated"}
    values = {
        field.name: _field_value(instance, field)
        for field in instance._meta.concrete_fields
        if field.name not in exclude
    }
    return chain.to_json_value(values)


def _precheck() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise AuditTransactionError(
            "audited records are written inside transaction.atomic() so that the change record commits "
            "with the change; use a service function"
        )
    require_actor()


@receiver(pre_save)
def _before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender):
        return
    _precheck()
    if hasattr(instance, "assign_key"):
        instance.assign_key()
    before = None
    if instance.pk is not None:
        old = sender._base_manager.filter(pk=instance.pk).first()
        before = snapshot(old) if old is not None else None
    instance._audit_before = before


@receiver(post_save)
def _after_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender):
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        action, changes = ChangeAction.CREATE, {k: [None, v] for k, v in after.items()}
    else:
        action = ChangeAction.UPDATE
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    _record(instance, action, changes)
    instance._audit_before = after


@receiver(pre_delete)
def _before_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not is_audited(sender):
        return
    _precheck()
    instance._audit_before = snapshot(instance)


@receiver(post_delete)
def _after_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not is_audited(sender):
        return
    before = getattr(instance, "_audit_before", None) or snapshot(instance)
    _record(instance, ChangeAction.DELETE, {k: [v, None] for k, v in before.items()})


def _related_ids(model: Any, pks: Any) -> list[str]:
    objs = model._base_manager.filter(pk__in=list(pks))
    return sorted(str(getattr(o, "public_id", None) or o.pk) for o in objs)


@receiver(m2m_changed)
def _m2m_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    """Links between records (controls ↔ requirements, evidence ↔ controls) are changes too."""
    if reverse or not is_audited(type(instance)):
        return
    field = next(
        (f for f in instance._meta.many_to_many if f.remote_field.through is sender),
        None,
    )
    if field is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        _precheck()
        instance._audit_m2m_before = _related_ids(
            model, getattr(instance, field.name).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    before = getattr(instance, "_audit_m2m_before", [])
    after = _related_ids(model, getattr(instance, field.name).values_list("pk", flat=True))
    if before != after:
        _record(instance, ChangeAction.UPDATE, {field.name: [before, after]})
