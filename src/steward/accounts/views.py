"""Sign-in, password change (an audited event in each organisation) and the organisation switcher."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from steward.audit.context import Actor
from steward.audit.services import record_event
from steward.core.middleware import SESSION_ORG
from steward.organisations.models import Membership


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
