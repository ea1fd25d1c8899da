"""Per-request context: correlation id, the active organisation and the acting user."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from steward.audit.context import Actor, acting_as

SESSION_ORG = "steward_organisation"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def active_membership(request: HttpRequest) -> Any:
    """The membership of the organisation the user is working in (session), or their first one."""
    from steward.organisations.models import Membership

    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    wanted = request.session.get(SESSION_ORG)
    chosen = memberships.filter(organisation__uid=wanted).first() if wanted else None
    if chosen is None:
        chosen = memberships.order_by("organisation__name").first()
        if chosen is not None:
            request.session[SESSION_ORG] = str(chosen.organisation.uid)
    return chosen


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        membership = active_membership(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.organisation = membership.organisation if membership else None  # type: ignore[attr-defined]
        request.role = membership.role if membership else None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            with acting_as(Actor.for_user(request.user), request_id=request_id):
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
