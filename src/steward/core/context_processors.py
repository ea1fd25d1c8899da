from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from steward import __version__
from steward.core import registry


def steward(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    memberships: list[Any] = []
    if user.is_authenticated:
        from steward.organisations.models import Membership

        memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    return {
        "steward_version": __version__,
        "nav": registry.navigation(),
        "current_org": getattr(request, "organisation", None),
        "current_role": getattr(request, "role", None),
        "my_memberships": memberships,
    }
