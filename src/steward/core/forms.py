"""Base form: user pickers list only members of the organisation being edited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model


def is_organisational(model: Any) -> bool:
    from steward.core.models import OrganisationalModel

    return isinstance(model, type) and issubclass(model, OrganisationalModel)


class OrganisationalModelForm(forms.ModelForm):
    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        user_model = get_user_model()
        for field in self.fields.values():
            if (
                isinstance(field, forms.ModelChoiceField)
                and getattr(field.queryset, "model", None) is user_model
            ):
                field.queryset = user_model.objects.filter(memberships__organisation=organisation).order_by(
                    "email"
                )
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-control")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-error"
        return valid
