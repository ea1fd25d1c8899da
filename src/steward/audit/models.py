"""Change records and journal entries (ISO/IEC 42001 7.5.3 control of documented information; A.6.2.8
event logs applied to the AIMS itself; 9.2 audit evidence)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from steward.audit.choices import ActorKind, ChangeAction, JournalKind
from steward.core.models import OrganisationalModel
from steward.core.querysets import RestrictedQuerySet
from steward.core.roles import Scope


class AppendOnlyError(RuntimeError):
    pass


class ChangeRecordQuerySet(RestrictedQuerySet["ChangeRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("change records are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("change records are append-only")


class ChangeRecord(models.Model):
    """One create/update/delete or semantic event, chained to the previous record of its organisation.

    ``hash`` = SHA-256 over the canonical JSON of the record's content and ``prev_hash``; see chain.py.
    """

    audited = False
    permission_scope = Scope.GOVERNANCE  # everyone in the organisation may read the trail
    organisation_lookup = "organisation"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField()
    timestamp = models.DateTimeField()
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=255)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    event = models.CharField(max_length=100, blank=True, help_text="Semantic event, e.g. token.created")
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sequence"], name="audit_changerecord_seq_unique")
        ]
        indexes = [models.Index(fields=["organisation", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("change records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("change records are append-only")

    @classmethod
    def ownership_q(cls, user: Any) -> Q:
        return Q(pk__in=[])


class JournalEntry(OrganisationalModel):
    """A human note on any record, with author and time (7.5.3; auditors may write these)."""

    key_prefix = "JRN"
    permission_scope = Scope.AUDIT

    object_type = models.CharField(max_length=100, editable=False)
    object_id = models.CharField(max_length=64, editable=False)
    kind = models.CharField(max_length=20, choices=JournalKind.choices, default=JournalKind.NOTE)
    comments = models.TextField()

    class Meta(OrganisationalModel.Meta):
        ordering = ["-created"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["organisation", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.key} on {self.object_id}"
