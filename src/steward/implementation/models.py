"""Adopted frameworks, requirement assessments and the organisation's controls.

ISO/IEC 42001: clauses 4–10 are assessed units that can never be excluded; Annex A controls are selected in
the SoA (6.1.3). One Control may implement nodes of several frameworks at once (42001 A.6.2.4, NIST AI RMF
MEASURE 2.x and EU AI Act Art. 15), which is how one piece of work answers all of them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from steward.core.models import OrganisationalModel, OwnerMixin, ReviewScheduleMixin
from steward.implementation.choices import AssessmentResult, AssessmentStatus, ControlStatus, ControlType


class FrameworkAdoption(OrganisationalModel):
    """The organisation works to this framework: each of its assessable nodes gets an assessment."""

    key_prefix = "ADP"

    framework = models.ForeignKey("catalog.Framework", on_delete=models.PROTECT, related_name="+")
    adopted_on = models.DateField()
    scope_note = models.TextField(blank=True)

    class Meta(OrganisationalModel.Meta):
        constraints = [
            *OrganisationalModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["organisation", "framework"], name="implementation_adoption_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.framework}"


class Control(OwnerMixin, ReviewScheduleMixin, OrganisationalModel):
    """A measure the organisation operates, implementing requirement nodes across frameworks (6.1.3)."""

    key_prefix = "CTL"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=15, choices=ControlStatus.choices, default=ControlStatus.PLANNED)
    control_type = models.CharField(
        "type", max_length=15, choices=ControlType.choices, default=ControlType.PROCESS
    )
    implements = models.ManyToManyField(
        "catalog.RequirementNode", blank=True, related_name="+", help_text="Requirements this control meets."
    )
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="controls")

    class Meta(OrganisationalModel.Meta):
        pass


class RequirementAssessment(OwnerMixin, OrganisationalModel):
    """Where the organisation stands on one requirement node of an adopted framework."""

    key_prefix = "REQ"

    node = models.ForeignKey(
        "catalog.RequirementNode", on_delete=models.PROTECT, related_name="+", editable=False
    )
    status = models.CharField(
        max_length=15, choices=AssessmentStatus.choices, default=AssessmentStatus.NOT_STARTED
    )
    result = models.CharField(max_length=15, choices=AssessmentResult.choices, default="", blank=True)
    due_date = models.DateField(null=True, blank=True)
    implementation = models.TextField("implementation description", blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="assessments")

    class Meta(OrganisationalModel.Meta):
        ordering = ["node__framework", "node__order"]
        constraints = [
            *OrganisationalModel.Meta.constraints,
            models.UniqueConstraint(fields=["organisation", "node"], name="implementation_assessment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.node.label} {self.node.title}"

    def clean(self) -> None:
        if self.status == AssessmentStatus.NOT_APPLICABLE and self.node_id and not self.node.excludable:
            raise ValidationError(
                {"status": f"{self.node.label} is a requirement that can never be marked not applicable."}
            )
