"""The Statement of Applicability (ISO/IEC 42001 6.1.3): one versioned record per organisation, one entry per
Annex A control (plus any controls the organisation adds). Approved versions are frozen."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from steward.core.models import OrganisationalModel
from steward.soa.choices import ImplementationStatus, SoAStatus


class StatementOfApplicability(OrganisationalModel):
    """A version of the SoA: v1, v2, …; a draft until approved by a manager or admin."""

    key_prefix = "SOA"

    framework = models.ForeignKey(
        "catalog.Framework", on_delete=models.PROTECT, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(editable=False)
    status = models.CharField(
        max_length=12, choices=SoAStatus.choices, default=SoAStatus.DRAFT, editable=False
    )
    title = models.CharField(max_length=200, default="Statement of Applicability")
    scope = models.TextField("AIMS scope", blank=True, help_text="The scope this SoA applies to (4.3).")
    notes = models.TextField(blank=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approval_note = models.TextField(blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta(OrganisationalModel.Meta):
        ordering = ["-version"]
        verbose_name = "statement of applicability"
        verbose_name_plural = "statements of applicability"
        constraints = [
            *OrganisationalModel.Meta.constraints,
            models.UniqueConstraint(fields=["organisation", "version"], name="soa_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == SoAStatus.DRAFT


class SoAEntry(OrganisationalModel):
    """The decision on one control: applicable or not, why, and what implements it."""

    key_prefix = "SOE"

    soa = models.ForeignKey(
        StatementOfApplicability, on_delete=models.CASCADE, related_name="entries", editable=False
    )
    node = models.ForeignKey(
        "catalog.RequirementNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    additional_title = models.CharField("additional control", max_length=200, blank=True)
    additional_description = models.TextField(blank=True)
    applicable = models.BooleanField(null=True, blank=True)
    justification_inclusion = models.TextField("justification for inclusion", blank=True)
    justification_exclusion = models.TextField("justification for exclusion", blank=True)
    implementation_status = models.CharField(
        max_length=15, choices=ImplementationStatus.choices, default=ImplementationStatus.NOT_STARTED
    )
    implementing_controls = models.ManyToManyField(
        "implementation.Control", blank=True, related_name="soa_entries"
    )
    linked_requirements = models.ManyToManyField(
        "catalog.RequirementNode",
        blank=True,
        related_name="+",
        help_text="Requirements or obligations that call for it.",
    )
    linked_risks = models.TextField("linked risks", blank=True, help_text="Risk references, one per line.")
    order = models.PositiveIntegerField(default=0, editable=False)

    class Meta(OrganisationalModel.Meta):
        ordering = ["soa", "order"]
        verbose_name = "SoA entry"
        verbose_name_plural = "SoA entries"

    def __str__(self) -> str:
        if self.node is not None:
            return f"{self.node.label} {self.node.title}"
        return self.additional_title or self.key

    @property
    def control_id(self) -> str:
        return self.node.label if self.node is not None else self.key
