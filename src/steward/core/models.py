"""Abstract bases every domain model is declared on.

``AuditedModel``: every create/update/delete writes one hash-chained change record (ISO/IEC 42001 7.5.3;
A.6.2.8 applied to the AIMS itself). ``OrganisationalModel``: belongs to exactly one organisation, has a
UUID and a readable per-organisation key (``IP-0007``) used in URLs, and is reached only through the
permission gate ``objects.restrict()``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q

from steward.core.querysets import RestrictedManager
from steward.core.roles import Scope


class KeySequence(models.Model):
    """Per-organisation counters for readable keys. Not audited: it only numbers audited records."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=16)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "prefix"], name="core_keyseq_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"

    @classmethod
    def next_key(cls, organisation_id: int, prefix: str) -> str:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("keys are allocated inside the writing transaction")
        seq, _ = cls.objects.select_for_update().get_or_create(organisation_id=organisation_id, prefix=prefix)
        cls.objects.filter(pk=seq.pk).update(last=F("last") + 1)
        seq.refresh_from_db(fields=["last"])
        return f"{prefix}-{seq.last:04d}"


class AuditedModel(models.Model):
    """Marker base: saves and deletes of subclasses are written to the audit trail by steward.audit."""

    audited: ClassVar[bool] = True
    #: fields left out of change records (secrets, derived values)
    audit_exclude: ClassVar[tuple[str, ...]] = ()
    permission_scope: ClassVar[str] = Scope.GOVERNANCE
    organisation_lookup: ClassVar[str] = "organisation"

    class Meta:
        abstract = True

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id  # type: ignore[attr-defined]

    @property
    def public_id(self) -> str:
        return str(getattr(self, "key", "") or getattr(self, "uid", "") or self.pk)

    @classmethod
    def ownership_q(cls, user: Any) -> Q:
        """Which records count as the user's own (contributors and auditors may edit only those)."""
        q = Q(created_by=user) if any(f.name == "created_by" for f in cls._meta.fields) else Q(pk__in=[])
        if any(f.name == "owner" for f in cls._meta.fields):
            q |= Q(owner=user)
        return q

    def is_owned_by(self, user: Any) -> bool:
        return bool(
            getattr(self, "created_by_id", None) == user.pk or getattr(self, "owner_id", None) == user.pk
        )


class OrganisationalModel(AuditedModel):
    """A domain record of one organisation (the tenant)."""

    key_prefix: ClassVar[str] = ""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", editable=False
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=32, editable=False, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = RestrictedManager()

    class Meta:
        abstract = True
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="%(app_label)s_%(class)s_unique_key")
        ]

    def __str__(self) -> str:
        title = getattr(self, "title", None) or getattr(self, "name", None)
        return f"{self.key} {title}" if title else self.key

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}_detail", kwargs={"key": self.key})

    def assign_key(self) -> None:
        if not self.key:
            prefix = self.key_prefix or type(self).__name__[:3].upper()
            self.key = KeySequence.next_key(self.organisation_id, prefix)


class OwnerMixin(models.Model):
    """A named person accountable for the record (5.3; A.3.2)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person accountable for this record.",
    )

    class Meta:
        abstract = True


class ReviewScheduleMixin(models.Model):
    """Records that must be reviewed at planned intervals (e.g. 5.2 policy review, A.2.4)."""

    review_interval_days = models.PositiveIntegerField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True
