"""Members of the current organisation and their roles (5.3). Everyone sees who holds which role; only
admins add people, change roles or remove members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from steward.core.roles import Action, Role
from steward.core.views import OrganisationViewMixin, actor_for
from steward.organisations import services
from steward.organisations.models import Membership


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(label="Full name", required=False, max_length=200)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(
        label="Initial password",
        required=False,
        widget=forms.PasswordInput,
        help_text="Only for someone who has no Steward account yet.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = data.get("email", "")
        exists = get_user_model().objects.filter(email__iexact=email).exists()
        if email and not exists:
            if not data.get("password"):
                self.add_error("password", "A new account needs an initial password.")
            else:
                try:
                    validate_password(data["password"])
                except ValidationError as exc:
                    self.add_error("password", exc)
        return data


class MembersView(OrganisationViewMixin, View):
    def render_page(self, form: AddMemberForm, status: int = 200) -> HttpResponse:
        members = Membership.objects.restrict(
            self.request.user, Action.VIEW, self.organisation
        ).select_related("user")
        context = {
            "members": members,
            "form": form,
            "roles": Role.choices,
            "can_manage": self.can(Membership, Action.CHANGE),
        }
        return render(self.request, "organisations/members.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(AddMemberForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AddMemberForm(request.POST)
        if not self.can(Membership, Action.ADD):
            return self.render_page(form, status=403)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = get_user_model().objects.filter(email__iexact=data["email"]).first()
                if user is None:
                    user = services.create_user(data["email"], data["password"], full_name=data["full_name"])
                services.add_member(self.organisation, user, data["role"], by=actor_for(request))
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_page(form, status=400)
        messages.success(request, f"{user.email} is now {data['role']} in {self.organisation.name}.")
        return redirect("members")


class MemberChangeView(OrganisationViewMixin, View):
    def post(self, request: HttpRequest, uid: str) -> HttpResponse:
        membership = get_object_or_404(
            Membership.objects.restrict(request.user, Action.VIEW, self.organisation), uid=uid
        )
        try:
            if request.POST.get("remove"):
                services.remove_member(membership, by=actor_for(request))
                messages.success(request, f"Removed {membership.user.email}.")
            else:
                services.change_role(membership, request.POST.get("role", ""), by=actor_for(request))
                messages.success(request, f"{membership.user.email} is now {membership.role}.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages).capitalize() + ".")
        return redirect("members")
