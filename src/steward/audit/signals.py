"""Write one change record for every save/delete of an audited model, in the same transaction.

Signals (not only service functions) are the safety net: a write from any entry point — view, API, CLI,
job, shell — is recorded, and a write with no actor or outside a transaction is refused before it happens.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from steward.audit import chain
from steward.audit.choices import ChangeAction
from steward.audit.context import require_actor


class AuditTransactionError(RuntimeError):
    pass


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
    return field.value_from_object(instance)


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
        if not changes:
            return
    chain.append(
        organisation_id=instance.audit_organisation_id,
        actor=require_actor(),
        action=action,
        object_type=object_type(sender),
        object_id=instance.public_id,
        object_repr=str(instance),
        changes=changes,
    )
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
    chain.append(
        organisation_id=instance.audit_organisation_id,
        actor=require_actor(),
        action=ChangeAction.DELETE,
        object_type=object_type(sender),
        object_id=instance.public_id,
        object_repr=str(instance),
        changes={k: [v, None] for k, v in before.items()},
    )
