"""The generic API: one viewset class, one permission class, JSON errors (never a 500 for bad input)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import serializers, viewsets

from steward.audit.context import acting_as
from steward.audit.signals import audit_batch
from steward.core.permissions import OrganisationPermission, request_actor, request_organisation
from steward.core.roles import Action
from steward.core.services import ensure_allowed


class OrganisationalSerializer(serializers.ModelSerializer):
    """Base serializer: public identifiers, never database ids."""

    key = serializers.CharField(read_only=True)
    uid = serializers.UUIDField(read_only=True)
    created = serializers.DateTimeField(read_only=True)
    updated = serializers.DateTimeField(read_only=True)
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="email", read_only=True
    )

    base_fields = ("key", "uid", "created", "updated", "created_by")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        organisation = request_organisation(request) if request is not None else None
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        from steward.core.forms import is_organisational

        for field in fields.values():
            target: Any = getattr(field, "child_relation", field)  # many=True wraps the related field
            queryset = getattr(target, "queryset", None)
            if queryset is None:
                continue
            if queryset.model is user_model:
                target.queryset = user_model.objects.filter(memberships__organisation=organisation)
            elif is_organisational(queryset.model):
                target.queryset = queryset.filter(organisation=organisation)
        return fields


class OrganisationalViewSet(viewsets.ModelViewSet):
    """List/retrieve/create/update/delete scoped to the caller's organisation, writes audited."""

    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9_.-]+"
    select_related: tuple[str, ...] = ()

    def get_queryset(self) -> Any:
        model = self.queryset.model  # type: ignore[union-attr]
        qs = model.objects.restrict(self.request.user, Action.VIEW, request_organisation(self.request))
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def perform_create(self, serializer: Any) -> None:
        organisation = request_organisation(self.request)
        actor = request_actor(self.request)
        ensure_allowed(actor, serializer.Meta.model, Action.ADD, organisation.pk)
        extra: dict[str, Any] = {"organisation": organisation}
        if any(f.name == "created_by" for f in serializer.Meta.model._meta.fields):
            extra["created_by"] = self.request.user
        with acting_as(actor), transaction.atomic(), audit_batch():
            serializer.save(**extra)

    def perform_update(self, serializer: Any) -> None:
        instance = serializer.instance
        actor = request_actor(self.request)
        ensure_allowed(actor, type(instance), Action.CHANGE, instance.audit_organisation_id, instance)
        with acting_as(actor), transaction.atomic(), audit_batch():
            serializer.save()

    def perform_destroy(self, instance: Any) -> None:
        actor = request_actor(self.request)
        ensure_allowed(actor, type(instance), Action.DELETE, instance.audit_organisation_id, instance)
        with acting_as(actor), transaction.atomic():
            instance.delete()


__all__ = [
    "OrganisationPermission",
    "OrganisationalSerializer",
    "OrganisationalViewSet",
    "request_actor",
    "request_organisation",
]
