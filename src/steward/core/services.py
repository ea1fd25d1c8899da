"""Generic state changes used by every view, API endpoint, CLI command and job.

Each runs in ``transaction.atomic()`` under ``acting_as(by)`` so the change record is written in the same
transaction, and re-checks the actor's permission — callers may not be trusted to have checked.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from steward.audit.context import Actor, acting_as
from steward.audit.signals import audit_batch
from steward.core.roles import Action, role_may

M = TypeVar("M", bound=models.Model)


def membership_role(user: Any, organisation_id: int) -> str | None:
    membership = apps.get_model("organisations", "Membership")
    return (
        membership.objects.filter(user=user, organisation_id=organisation_id)
        .values_list("role", flat=True)
        .first()
    )


def ensure_allowed(actor: Actor, model: Any, action: str, organisation_id: int, obj: Any = None) -> None:
    """Raise PermissionDenied unless the actor may perform ``action`` on ``model`` in the organisation."""
    if actor.is_system:
        return  # operators with shell or worker access act as named system actors
    user = actor.user
    if user is None:
        raise PermissionDenied("no user")
    token = getattr(user, "steward_token", None)
    if token is not None:
        if token.organisation_id != organisation_id:
            raise PermissionDenied("this token belongs to another organisation")
        if token.read_only and action != Action.VIEW:
            raise PermissionDenied("this token is read-only")
    role = membership_role(user, organisation_id)
    owns = obj is not None and obj.is_owned_by(user)
    if not role_may(role, model.permission_scope, action, owns=owns):
        raise PermissionDenied(f"your role may not {action} {model._meta.verbose_name_plural}")


def create_object(model: type[M], *, organisation_id: int, data: dict[str, Any], by: Actor) -> M:
    ensure_allowed(by, model, Action.ADD, organisation_id)
    with acting_as(by), transaction.atomic(), audit_batch():
        obj = model(organisation_id=organisation_id, **data)
        if hasattr(obj, "created_by_id") and by.user is not None:
            obj.created_by = by.user  # type: ignore[attr-defined]
        obj.full_clean(exclude=["key"])
        obj.save()
    return obj


def save_form(form: Any, *, organisation_id: int, by: Actor) -> Any:
    """Create or update from a validated ModelForm (views and the API share the same path)."""
    instance = form.instance
    creating = instance.pk is None
    action = Action.ADD if creating else Action.CHANGE
    ensure_allowed(by, type(instance), action, organisation_id, None if creating else instance)
    with acting_as(by), transaction.atomic(), audit_batch():
        obj = form.save(commit=False)
        if creating:
            obj.organisation_id = organisation_id
            if hasattr(obj, "created_by_id") and by.user is not None:
                obj.created_by = by.user
        obj.save()
        form.save_m2m()
    return obj


def update_object(obj: M, *, data: dict[str, Any], by: Actor) -> M:
    ensure_allowed(by, type(obj), Action.CHANGE, obj.audit_organisation_id, obj)  # type: ignore[attr-defined]
    with acting_as(by), transaction.atomic(), audit_batch():
        for name, value in data.items():
            setattr(obj, name, value)
        obj.full_clean(exclude=["key"])
        obj.save()
    return obj


def delete_object(obj: models.Model, *, by: Actor) -> None:
    ensure_allowed(by, type(obj), Action.DELETE, obj.audit_organisation_id, obj)  # type: ignore[attr-defined]
    with acting_as(by), transaction.atomic():
        obj.delete()
