"""Sign-in, password change (an audited event in each organisation) and the organisation switcher."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views import View
from django.views.decorators.http import require_POST

from steward.audit.context import Actor
from steward.audit.services import record_event
from steward.core.middleware import SESSION_ORG
from steward.core.roles import Action
from steward.core.views import OrganisationViewMixin, actor_for
from steward.organisations.models import ApiToken, Membership
from steward.organisations.services import create_token, revoke_token


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            user: Any = self.request.user
            actor = Actor.for_user(user)
            for membership in Membership.objects.filter(user=user):
                record_event(
                    organisation_id=membership.organisation_id,
                    event="user.password_changed",
                    obj=membership,
                    by=actor,
                )
        messages.success(self.request, "Your password was changed.")
        return response


@login_required
@require_POST
def switch_organisation(request: HttpRequest, uid: str) -> HttpResponse:
    membership = get_object_or_404(Membership, user=request.user, organisation__uid=uid)
    request.session[SESSION_ORG] = str(membership.organisation.uid)
    messages.info(request, f"You are now working in {membership.organisation.name}.")
    return redirect("dashboard:home")


class TokenListView(OrganisationViewMixin, View):
    """The user's API tokens in the current organisation; a new token is shown once, here."""

    def get(self, request: HttpRequest, new_token: str = "", error: str = "") -> HttpResponse:
        user: Any = request.user
        tokens = ApiToken.objects.restrict(user, Action.VIEW, self.organisation).filter(user=user)
        context = {"tokens": tokens, "new_token": new_token, "error": error}
        return render(request, "accounts/tokens.html", context, status=400 if error else 200)

    def post(self, request: HttpRequest) -> HttpResponse:
        expires = request.POST.get("expires", "").strip()
        try:
            days = int(expires) if expires else None
            _, raw = create_token(
                user=request.user,
                organisation=self.organisation,
                by=actor_for(request),
                name=request.POST.get("name", "").strip()[:100],
                read_only=request.POST.get("read_only") == "on",
                expires_in_days=days,
            )
        except ValueError:
            return self.get(request, error="Expiry must be a whole number of days.")
        except ValidationError as exc:
            return self.get(request, error=" ".join(exc.messages))
        return self.get(request, new_token=raw)


@login_required
@require_POST
def revoke_token_view(request: HttpRequest, prefix: str) -> HttpResponse:
    user: Any = request.user
    token = get_object_or_404(ApiToken.objects.filter(user=user), prefix=prefix)
    try:
        revoke_token(token, by=Actor.for_user(request.user))
        messages.success(request, f"Revoked token {token.prefix}….")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tokens")
