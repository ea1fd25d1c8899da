"""Organisation, membership and token actions (all audited, all in one transaction each)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from steward.audit.context import Actor, acting_as
from steward.audit.services import record_event
from steward.core.roles import Action, Role
from steward.core.services import ensure_allowed
from steward.organisations.models import TOKEN_PREFIX, ApiToken, Membership, Organisation, hash_token


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_organisation(
    name: str, *, by: Actor, is_demo: bool = False, description: str = ""
) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise ValidationError("an organisation needs a name")
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"an organisation named {name!r} already exists")
    with acting_as(by), transaction.atomic():
        org = Organisation(name=name, slug=_unique_slug(name), is_demo=is_demo, description=description)
        org.save()
    return org


def add_member(organisation: Organisation, user: Any, role: str, *, by: Actor) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    ensure_allowed(by, Membership, Action.ADD, organisation.pk)
    with acting_as(by), transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            organisation=organisation, user=user, defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save()
    return membership


def create_user(email: str, password: str, *, full_name: str = "") -> Any:
    """Users are global; what they may do is decided by memberships, which are audited."""
    user_model = get_user_model()
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise ValidationError(f"{email!r} is not an e-mail address")
    if user_model.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"a user with e-mail {email} already exists")
    if not password:
        raise ValidationError("a password is required")
    return user_model.objects.create_user(email=email, password=password, full_name=full_name)


def create_token(
    *,
    user: Any,
    organisation: Organisation,
    by: Actor,
    name: str = "",
    read_only: bool = False,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Return the token record and the secret, which is shown once and never stored."""
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(f"{user.email} is not a member of {organisation.name}")
    if expires_in_days is not None and expires_in_days <= 0:
        raise ValidationError("--expires must be a positive number of days")
    if not by.is_system and by.user != user:
        ensure_allowed(by, ApiToken, Action.ADD, organisation.pk)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with acting_as(by), transaction.atomic():
        token = ApiToken(
            organisation=organisation,
            user=user,
            name=name,
            prefix=raw[:12],
            digest=hash_token(raw),
            read_only=read_only,
            expires=expires,
        )
        token.save()
        record_event(
            organisation_id=organisation.pk,
            event="token.created",
            obj=token,
            by=by,
            changes={"user": user.email, "read_only": read_only, "expires": expires},
        )
    return token, raw


def revoke_token(token: ApiToken, *, by: Actor) -> ApiToken:
    if not by.is_system and by.user != token.user:
        ensure_allowed(by, ApiToken, Action.DELETE, token.organisation_id)
    if token.revoked is not None:
        raise ValidationError("this token is already revoked")
    with acting_as(by), transaction.atomic():
        token.revoked = timezone.now()
        token.save()
        record_event(organisation_id=token.organisation_id, event="token.revoked", obj=token, by=by)
    return token


def authenticate_token(raw: str) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user", "organisation").filter(digest=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # last_used is operational metadata (excluded from change records); refresh at most once a minute.
    if token.last_used is None or now - token.last_used > timedelta(minutes=1):
        ApiToken._base_manager.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def require_membership(user: Any, organisation: Organisation) -> None:
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied("not a member of this organisation")


def remove_member(membership: Membership, *, by: Actor) -> None:
    ensure_allowed(by, Membership, Action.DELETE, membership.organisation_id)
    admins = Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
    if membership.role == Role.ADMIN and admins.count() == 1:
        raise ValidationError("an organisation keeps at least one admin")
    with acting_as(by), transaction.atomic():
        membership.delete()


def change_role(membership: Membership, role: str, *, by: Actor) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}")
    ensure_allowed(by, Membership, Action.CHANGE, membership.organisation_id)
    admins = Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
    if membership.role == Role.ADMIN and role != Role.ADMIN and admins.count() == 1:
        raise ValidationError("an organisation keeps at least one admin")
    with acting_as(by), transaction.atomic():
        membership.role = role
        membership.save()
    return membership
