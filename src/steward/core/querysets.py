"""The one permission gate: ``Model.objects.restrict(user, action, organisation)``.

It filters in the database (subqueries on memberships), never by loading id lists into Python. Every view,
API endpoint, export and report loads records through it; service functions re-check before writing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Q

from steward.core.roles import Action, roles_for

if TYPE_CHECKING:
    pass

M = TypeVar("M", bound=models.Model)


class AuditBypassError(RuntimeError):
    """Bulk writes skip the audit trail, so they are refused on audited models."""


def organisation_of(user: Any, organisation: Any) -> Any:
    """Tokens are bound to one organisation: a token user can never reach another one."""
    token = getattr(user, "steward_token", None)
    if token is not None:
        if organisation is not None and _org_id(organisation) != token.organisation_id:
            return False
        return token.organisation_id
    return organisation


def _org_id(organisation: Any) -> Any:
    return getattr(organisation, "pk", organisation)


class RestrictedQuerySet(models.QuerySet[M]):
    def restrict(
        self, user: Any, action: str = Action.VIEW, organisation: Any = None
    ) -> RestrictedQuerySet[M]:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        token = getattr(user, "steward_token", None)
        if token is not None and token.read_only and action != Action.VIEW:
            return self.none()
        organisation = organisation_of(user, organisation)
        if organisation is False:
            return self.none()
        model: Any = self.model
        lookup = model.organisation_lookup
        membership = apps.get_model("organisations", "Membership")
        full, own = roles_for(model.permission_scope, action)
        mine = membership.objects.filter(user=user)
        condition = Q(**{f"{lookup}__in": mine.filter(role__in=full).values("organisation_id")})
        if own:
            condition |= Q(**{f"{lookup}__in": mine.filter(role__in=own).values("organisation_id")}) & (
                model.ownership_q(user)
            )
        qs = self.filter(condition)
        if organisation is not None:
            qs = qs.filter(**{lookup: _org_id(organisation)})
        return qs

    def update(self, **kwargs: Any) -> int:
        if getattr(self.model, "audited", False):
            raise AuditBypassError(
                f"{self.model.__name__}: queryset.update() would skip the audit trail; save each record "
                "through a service function"
            )
        return super().update(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[M]:
        if getattr(self.model, "audited", False):
            raise AuditBypassError(f"{self.model.__name__}: bulk_create() would skip the audit trail")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        if getattr(self.model, "audited", False):
            raise AuditBypassError(f"{self.model.__name__}: bulk_update() would skip the audit trail")
        return super().bulk_update(objs, *args, **kwargs)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
