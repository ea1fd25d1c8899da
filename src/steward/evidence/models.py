"""Evidence that controls operate and requirements are met (ISO/IEC 42001 7.5.2, 7.5.3, 9.1; Annex A
controls' documented information). Auditors read and download; they never alter (role matrix)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from steward.core.models import OrganisationalModel, OwnerMixin
from steward.evidence.choices import EvidenceKind, EvidenceStatus

EXPIRING_WITHIN_DAYS = 30


class Evidence(OwnerMixin, OrganisationalModel):
    """One piece of evidence; files are kept as numbered revisions (EvidenceFile)."""

    key_prefix = "EV"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.FILE)
    description = models.TextField(blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    expires = models.DateField(
        null=True, blank=True, help_text="After this date the evidence no longer counts."
    )
    revision = models.PositiveIntegerField(default=0, editable=False)
    record = models.JSONField(null=True, blank=True, editable=False, help_text="Generated evidence records")

    class Meta(OrganisationalModel.Meta):
        verbose_name = "evidence"
        verbose_name_plural = "evidence"

    def status_on(self, day: datetime.date) -> str:
        if self.valid_from and day < self.valid_from:
            return EvidenceStatus.NOT_YET_VALID
        if self.expires is None:
            return EvidenceStatus.CURRENT
        if self.expires < day:
            return EvidenceStatus.EXPIRED
        if self.expires <= day + datetime.timedelta(days=EXPIRING_WITHIN_DAYS):
            return EvidenceStatus.EXPIRING
        return EvidenceStatus.CURRENT

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(EvidenceStatus(self.status).label)

    @property
    def counts(self) -> bool:
        """Whether this evidence may be relied on today (current or expiring, not expired)."""
        return self.status in (EvidenceStatus.CURRENT, EvidenceStatus.EXPIRING)

    @classmethod
    def current_q(cls, prefix: str = "") -> models.Q:
        """Database filter for evidence that counts today."""
        today = timezone.localdate()
        return (
            models.Q(**{f"{prefix}expires__isnull": True}) | models.Q(**{f"{prefix}expires__gte": today})
        ) & (
            models.Q(**{f"{prefix}valid_from__isnull": True})
            | models.Q(**{f"{prefix}valid_from__lte": today})
        )


def evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    # Content-addressed path: names from users never reach the file system.
    return f"evidence/{instance.organisation.uid}/{instance.sha256[:2]}/{instance.sha256}"


class EvidenceFile(models.Model):
    """One uploaded revision of a file, identified by its SHA-256. Part of its Evidence: an upload is recorded
    in the Evidence's change record (revision, name, hash), so it is not audited as a record of its own."""

    audited = False

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="files")
    revision = models.PositiveIntegerField()
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["evidence", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "revision"], name="evidence_file_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (rev. {self.revision})"
