"""Valid input for any registered model, generated from its form, so generic tests cover new models."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms


def form_data(form_class: Any, organisation: Any, marker: str) -> dict[str, Any]:
    form = form_class(organisation=organisation)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            first = field.queryset.first()
            data[name] = first.pk if first is not None else ""
        elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
            choices = [value for value, _ in field.choices if value not in ("", None)]
            data[name] = choices[0] if choices else ""
        elif isinstance(field, forms.DateField):
            data[name] = datetime.date.today().isoformat()
        elif isinstance(field, forms.BooleanField):
            data[name] = ""
        elif isinstance(field, forms.IntegerField):
            data[name] = 1
        elif isinstance(field, forms.CharField):
            data[name] = f"{marker} {name}"[: field.max_length or 200]
        elif field.required:
            raise NotImplementedError(
                f"tests/factories.py: no sample value for {name} ({type(field).__name__})"
            )
    return data


def create_record(registration: Any, persona: Any, marker: str) -> Any:
    from steward.audit.context import Actor
    from steward.core.services import save_form

    views = registration.views
    form = views.form_class(
        form_data(views.form_class, persona.organisation, marker),
        instance=views.model(organisation=persona.organisation),
        organisation=persona.organisation,
    )
    assert form.is_valid(), form.errors
    return save_form(form, organisation_id=persona.organisation.pk, by=Actor.for_user(persona.user))


def api_payload(serializer_class: Any, form_class: Any, organisation: Any, marker: str) -> dict[str, Any]:
    """The API takes the same fields as the form; user references are e-mail addresses."""
    from django.contrib.auth import get_user_model

    data = form_data(form_class, organisation, marker)
    fields = serializer_class().fields
    payload: dict[str, Any] = {}
    for name, value in data.items():
        if name not in fields or fields[name].read_only:
            continue
        if value != "" and getattr(fields[name], "slug_field", None) == "email":
            value = get_user_model().objects.get(pk=value).email
        payload[name] = value if value != "" else None
    return payload
