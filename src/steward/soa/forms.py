"""Forms of the Statement of Applicability (ISO/IEC 42001 6.1.3): the version itself, one control's decision,
an additional control and the approval note. Saving always goes through ``steward.soa.services``."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.catalog.choices import CatalogKind
from steward.catalog.models import RequirementNode
from steward.core.forms import OrganisationalModelForm
from steward.core.roles import Action
from steward.implementation.choices import ControlStatus
from steward.implementation.models import Control
from steward.soa.choices import ImplementationStatus
from steward.soa.models import SoAEntry, StatementOfApplicability

APPLICABLE_CHOICES = [
    ("", "Undecided"),
    ("yes", "Applicable (included)"),
    ("no", "Not applicable (excluded)"),
]


def _applicable(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def applicable_value(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")  # type: ignore[arg-type]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")
        if isinstance(widget, forms.Textarea) and widget.attrs.get("rows") in (None, 10, "10"):
            widget.attrs["rows"] = 3  # Django's default is 10: too tall for an inline row editor


def _mark_invalid(form: forms.BaseForm) -> None:
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["class"] = attrs.get("class", "") + " is-invalid"
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = (
                f"{form.auto_id % name if isinstance(form.auto_id, str) else name}-error"
            )


class StatementOfApplicabilityForm(OrganisationalModelForm):
    """Title, scope and notes of a draft; the entries are edited one control at a time."""

    class Meta:
        model = StatementOfApplicability
        fields = ["title", "scope", "notes"]


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.title}"[:160]


class ControlChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        retired = " (retired)" if obj.status == ControlStatus.RETIRED else ""
        return f"{obj.key} {obj.title}{retired}"


def requirement_choices() -> Any:
    """Requirements and obligations of every framework (42001 clauses, EU AI Act articles, AI RMF, 27001)."""
    return (
        RequirementNode.objects.filter(assessable=True, retired=False, framework__kind=CatalogKind.FRAMEWORK)
        .select_related("framework")
        .order_by("framework__title", "order")
    )


class SoAEntryForm(forms.Form):
    """The decision on one control, edited inline in the SoA table."""

    applicable = forms.TypedChoiceField(
        choices=APPLICABLE_CHOICES, coerce=_applicable, empty_value=None, required=False
    )
    justification_inclusion = forms.CharField(
        label="Justification for inclusion",
        required=False,
        widget=forms.Textarea,
        help_text=(
            "Why the control is needed: risk treatment, legal or contractual obligations, stakeholder needs."
        ),
    )
    justification_exclusion = forms.CharField(
        label="Justification for exclusion", required=False, widget=forms.Textarea
    )
    implementation_status = forms.ChoiceField(
        choices=ImplementationStatus.choices,
        help_text="An excluded control left at “Not started” is saved as “Not applicable”.",
    )
    implementing_controls = ControlChoiceField(
        queryset=Control.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Your controls that implement it (Ctrl/Cmd-click to choose several).",
    )
    linked_requirements = RequirementChoiceField(
        queryset=RequirementNode.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Clauses, obligations or other requirements that call for it.",
    )
    linked_risks = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Risk references, one per line."
    )
    additional_title = forms.CharField(label="Title", max_length=200, required=False)
    additional_description = forms.CharField(label="Description", required=False, widget=forms.Textarea)

    field_order = [
        "applicable",
        "implementation_status",
        "additional_title",
        "justification_inclusion",
        "justification_exclusion",
        "implementing_controls",
        "linked_requirements",
        "linked_risks",
        "additional_description",
    ]

    def __init__(self, *args: Any, entry: SoAEntry, user: Any, **kwargs: Any) -> None:
        if "initial" not in kwargs and not args:
            kwargs["initial"] = self.initial_for(entry)
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.auto_id = f"id_{entry.key}_%s"
        linked = entry.implementing_controls.values("pk") if entry.pk else Control.objects.none().values("pk")
        controls = Control.objects.restrict(user, Action.VIEW, entry.organisation_id).filter(
            organisation_id=entry.organisation_id
        )
        self.fields["implementing_controls"].queryset = (  # type: ignore[attr-defined]
            (controls.exclude(status=ControlStatus.RETIRED) | controls.filter(pk__in=linked))
            .distinct()
            .order_by("key")
        )
        self.fields["linked_requirements"].queryset = requirement_choices()  # type: ignore[attr-defined]
        if entry.node_id:
            del self.fields["additional_title"]
            del self.fields["additional_description"]
        else:
            self.fields["additional_title"].required = True
        _style(self)

    @staticmethod
    def initial_for(entry: SoAEntry) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "applicable": applicable_value(entry.applicable),
            "justification_inclusion": entry.justification_inclusion,
            "justification_exclusion": entry.justification_exclusion,
            "implementation_status": entry.implementation_status,
            "linked_risks": entry.linked_risks,
            "additional_title": entry.additional_title,
            "additional_description": entry.additional_description,
        }
        if entry.pk:
            initial["implementing_controls"] = [c.pk for c in entry.implementing_controls.all()]
            initial["linked_requirements"] = [n.pk for n in entry.linked_requirements.all()]
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        applicable = data.get("applicable")
        status = data.get("implementation_status")
        label = self.entry.control_id
        if applicable is False:
            if not (data.get("justification_exclusion") or "").strip():
                self.add_error("justification_exclusion", f"Say why {label} does not apply.")
            if status == ImplementationStatus.NOT_STARTED:
                data["implementation_status"] = ImplementationStatus.NOT_APPLICABLE
            elif status in (ImplementationStatus.IN_PROGRESS, ImplementationStatus.IMPLEMENTED):
                self.add_error(
                    "implementation_status",
                    "An excluded control is not being implemented; choose “Not applicable”.",
                )
        elif applicable is True:
            justified = (
                (data.get("justification_inclusion") or "").strip()
                or data.get("linked_requirements")
                or (data.get("linked_risks") or "").strip()
            )
            if not justified:
                self.add_error(
                    "justification_inclusion",
                    f"Say why {label} is needed, or link the requirements or risks that call for it.",
                )
            if status == ImplementationStatus.NOT_APPLICABLE:
                self.add_error("implementation_status", "An applicable control cannot be “Not applicable”.")
        return data

    def is_valid(self) -> bool:
        valid = super().is_valid()
        _mark_invalid(self)
        return valid


class AdditionalControlForm(forms.Form):
    """A control of the organisation's own, beyond Annex A."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        _mark_invalid(self)
        return valid


class ApprovalForm(forms.Form):
    """Approval of a complete version by a manager or admin (6.1.3; 7.5.2 review and approval)."""

    note = forms.CharField(
        label="Approval note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. the management review or meeting that approved it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
