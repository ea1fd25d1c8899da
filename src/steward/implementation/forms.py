from __future__ import annotations

from typing import Any

from django import forms

from steward.catalog.choices import CatalogKind
from steward.catalog.models import Framework, RequirementNode
from steward.core.forms import OrganisationalModelForm
from steward.implementation.models import Control, FrameworkAdoption, RequirementAssessment


class NodeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework} {obj.label} — {obj.title}"[:160]


class FrameworkAdoptionForm(OrganisationalModelForm):
    framework = forms.ModelChoiceField(queryset=Framework.objects.filter(kind=CatalogKind.FRAMEWORK))

    class Meta:
        model = FrameworkAdoption
        fields = ["framework", "adopted_on", "scope_note"]
        widgets = {"adopted_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["framework"].disabled = True


class ControlForm(OrganisationalModelForm):
    implements = NodeChoiceField(
        queryset=RequirementNode.objects.filter(assessable=True, retired=False)
        .select_related("framework")
        .order_by("framework__title", "order"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Requirements of any framework this control meets (Ctrl/Cmd-click to choose several).",
    )

    class Meta:
        model = Control
        fields = [
            "title",
            "description",
            "status",
            "control_type",
            "owner",
            "review_interval_days",
            "next_review",
            "implements",
            "evidence",
        ]
        widgets = {"next_review": forms.DateInput(attrs={"type": "date"})}


class RequirementAssessmentForm(OrganisationalModelForm):
    class Meta:
        model = RequirementAssessment
        fields = ["status", "result", "owner", "due_date", "implementation", "evidence"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        node = getattr(self.instance, "node", None) if self.instance.node_id else None
        if node is not None and not node.excludable:
            # Clause units can never be excluded: do not even offer the choice.
            status: Any = self.fields["status"]
            status.choices = [c for c in status.choices if c[0] != "not_applicable"]
