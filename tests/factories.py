"""Valid input for any registered model, generated from its form, so generic tests cover new models."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms


def _unique_per_organisation(model: Any) -> set[str]:
    """Fields that must differ between records of one organisation (e.g. one adoption per framework)."""
    names: set[str] = set()
    for constraint in model._meta.constraints:
        fields = set(getattr(constraint, "fields", ()))
        if "organisation" in fields and len(fields) == 2:
            names |= fields - {"organisation"}
    return names


def form_data(form_class: Any, organisation: Any, marker: str) -> dict[str, Any]:
    form = form_class(organisation=organisation)
    model = form_class._meta.model
    unique = _unique_per_organisation(model)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelMultipleChoiceField):
            first = field.queryset.first()
            data[name] = [first.pk] if first is not None else []
        elif isinstance(field, forms.ModelChoiceField):
            queryset = field.queryset
            if name in unique:
                used = model._base_manager.filter(organisation=organisation).values(f"{name}_id")
                queryset = queryset.exclude(pk__in=used)
            first = queryset.first()
            data[name] = first.pk if first is not None else ""
        elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
            choices = [value for value, _ in field.choices if value not in ("", None)]
            data[name] = choices[0] if choices else ""
        elif isinstance(field, forms.FileField):
            from django.core.files.uploadedfile import SimpleUploadedFile

            data[name] = SimpleUploadedFile(
                f"{name}.txt", f"{marker} sample\n".encode(), content_type="text/plain"
            )
        elif isinstance(field, forms.URLField):
            data[name] = "https://example.org/evidence"
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


def _assessment(registration: Any, persona: Any, marker: str) -> Any:
    """Assessments come from adopting a framework; take the next node without one."""
    from steward.audit.context import Actor
    from steward.catalog.models import RequirementNode
    from steward.core.services import create_object

    used = registration.model.objects.filter(organisation=persona.organisation).values("node_id")
    node = (
        RequirementNode.objects.filter(framework__identifier="iso-iec-42001", assessable=True)
        .exclude(pk__in=used)
        .order_by("order")
        .first()
    )
    return create_object(
        registration.model,
        organisation_id=persona.organisation.pk,
        data={"node": node, "implementation": marker},
        by=Actor.for_user(persona.user),
    )


#: models whose records are not created through an add form
CUSTOM_FACTORIES = {"implementation.requirementassessment": _assessment}


def create_record(registration: Any, persona: Any, marker: str) -> Any:
    from steward.audit.context import Actor

    if registration.label in CUSTOM_FACTORIES:
        return CUSTOM_FACTORIES[registration.label](registration, persona, marker)
    views = registration.views
    data = form_data(views.form_class, persona.organisation, marker)
    files = {k: data.pop(k) for k in list(data) if hasattr(data[k], "read")}
    form = views.form_class(
        data,
        files,
        instance=views.model(organisation=persona.organisation),
        organisation=persona.organisation,
    )
    assert form.is_valid(), form.errors
    return views.save(form, organisation_id=persona.organisation.pk, by=Actor.for_user(persona.user))


def api_payload(serializer_class: Any, form_class: Any, organisation: Any, marker: str) -> dict[str, Any]:
    """The API takes the same fields as the form; related records in the API's own notation
    (e-mail for people, keys for records, identifiers for frameworks)."""
    from rest_framework import relations

    data = form_data(form_class, organisation, marker)
    fields = serializer_class().fields
    payload: dict[str, Any] = {}
    for name, value in data.items():
        if name not in fields or fields[name].read_only or hasattr(value, "read"):
            continue
        field = fields[name]
        related = getattr(field, "child_relation", field)
        if isinstance(related, relations.RelatedField) and value not in ("", None, []):
            model = form_class._meta.model._meta.get_field(name).related_model
            pks = value if isinstance(value, list) else [value]
            rendered = [related.to_representation(model._base_manager.get(pk=pk)) for pk in pks]
            value = rendered if isinstance(value, list) else rendered[0]
        payload[name] = value if value != "" else None
    return payload
