"""The tenant and who belongs to it (ISO/IEC 42001 4.3 scope holder; 5.3 roles and authorities)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from steward.core.models import AuditedModel
from steward.core.querysets import RestrictedManager
from steward.core.roles import Role, Scope


class Organisation(AuditedModel):
    """The organisation operating an AIMS. Every domain record belongs to exactly one (4.1, 4.3)."""

    permission_scope = Scope.ADMINISTRATION
    organisation_lookup = "id"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation_id(self) -> int:
        return self.pk

    @property
    def public_id(self) -> str:
        return self.slug

    @classmethod
    def ownership_q(cls, user: Any) -> Q:
        return Q(pk__in=[])


class Membership(AuditedModel):
    """A user's role in one organisation (5.3). One membership per user and organisation."""

    permission_scope = Scope.ADMINISTRATION

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisations_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.organisation}"

    @property
    def public_id(self) -> str:
        return str(self.uid)

    @classmethod
    def ownership_q(cls, user: Any) -> Q:
        return Q(user=user)


TOKEN_PREFIX = "stw_"


def hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast unsalted hash is enough to make a stolen table useless.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(AuditedModel):
    """A bearer token for the REST API and CI pipelines; the secret is shown once and stored hashed."""

    permission_scope = Scope.ADMINISTRATION
    audit_exclude = ("digest", "last_used")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True, help_text="First characters, to recognise a token")
    digest = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=False)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def public_id(self) -> str:
        return self.prefix

    @classmethod
    def ownership_q(cls, user: Any) -> Q:
        return Q(user=user)

    @property
    def is_active(self) -> bool:
        if self.revoked is not None:
            return False
        return self.expires is None or self.expires > timezone.now()
