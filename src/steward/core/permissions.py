"""API permission: the REST framework settings import this module, so it must not import DRF views."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from steward.audit.context import Actor
from steward.core.roles import Action, role_may
from steward.core.services import membership_role


def request_organisation(request: Any) -> Any:
    """A token's organisation, or the organisation selected in the browser session."""
    token = getattr(request.user, "steward_token", None)
    if token is not None:
        return token.organisation
    return getattr(request, "organisation", None)


def request_actor(request: Any) -> Actor:
    return Actor.for_user(request.user, token=getattr(request.user, "steward_token", None))


class OrganisationPermission(permissions.BasePermission):
    """Signed in, working in an organisation, and (for writes) a role and token scope that allow it."""

    message = "You are not allowed to do this in this organisation."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        token = getattr(request.user, "steward_token", None)
        if token is not None and token.read_only and request.method not in permissions.SAFE_METHODS:
            self.message = "This token is read-only."
            return False
        organisation = request_organisation(request)
        if organisation is None:
            self.message = "You are not a member of any organisation."
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if request.method == "POST" and getattr(view, "action", None) == "create" and model is not None:
            role = membership_role(request.user, organisation.pk)
            if not role_may(role, model.permission_scope, Action.ADD):
                self.message = "Your role may not create these records."
                return False
        return True
