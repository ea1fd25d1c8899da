"""Queued and finished background jobs, with progress for the UI (9.1 monitoring runs, exports, checks)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from steward.core.querysets import RestrictedManager
from steward.core.roles import Scope


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """Operational queue state. Not itself audited (progress updates are not changes to the AIMS):
    enqueueing writes a ``job.enqueued`` event, and everything a job changes is audited with its actor."""

    audited = False
    permission_scope = Scope.GOVERNANCE
    organisation_lookup = "organisation"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    task = models.CharField(max_length=100)
    arguments = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by_label = models.CharField(max_length=255)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.task} ({self.get_status_display()})"

    @property
    def public_id(self) -> str:
        return str(self.uid)

    @classmethod
    def ownership_q(cls, user: Any) -> Q:
        return Q(requested_by=user)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.progress / self.total))

    @property
    def done(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
