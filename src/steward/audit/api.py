"""Read-only access to the audit trail, and journal notes on any record."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import Http404
from rest_framework import mixins, serializers, viewsets

from steward.audit.choices import JournalKind
from steward.audit.filters import ChangeRecordFilterSet
from steward.audit.models import ChangeRecord, JournalEntry
from steward.audit.services import add_journal_entry
from steward.core.api import request_actor, request_organisation
from steward.core.roles import Action


class ChangeRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeRecord
        fields = [
            "uid",
            "sequence",
            "timestamp",
            "actor_label",
            "actor_kind",
            "action",
            "event",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
            "prev_hash",
            "hash",
        ]


class ChangeRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation's change records (append-only, hash-chained)."""

    queryset = ChangeRecord.objects.all()
    serializer_class = ChangeRecordSerializer
    lookup_field = "uid"
    filterset_class = ChangeRecordFilterSet
    ordering_fields = ["sequence", "timestamp"]
    ordering = ["-sequence"]

    def get_queryset(self) -> Any:
        return ChangeRecord.objects.restrict(
            self.request.user, Action.VIEW, request_organisation(self.request)
        )


class JournalEntrySerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="created_by", slug_field="email", read_only=True
    )
    object_type = serializers.CharField(help_text="e.g. context.interestedparty")
    object_id = serializers.CharField(help_text="public id of the record, e.g. IP-0003")
    kind = serializers.ChoiceField(choices=JournalKind.choices, default=JournalKind.NOTE)

    class Meta:
        model = JournalEntry
        fields = ["key", "uid", "created", "author", "object_type", "object_id", "kind", "comments"]
        read_only_fields = ["uid", "created"]


class JournalEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Journal notes on any record; auditors may add them."""

    queryset = JournalEntry.objects.all()
    serializer_class = JournalEntrySerializer
    lookup_field = "key"
    filterset_fields = ["object_type", "object_id", "kind"]

    def get_queryset(self) -> Any:
        return JournalEntry.objects.restrict(
            self.request.user, Action.VIEW, request_organisation(self.request)
        ).select_related("created_by")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            model = apps.get_model(data["object_type"])
        except (LookupError, ValueError):
            raise serializers.ValidationError({"object_type": "Unknown record type."}) from None
        target = None
        if hasattr(model, "key"):
            target = (
                model.objects.restrict(self.request.user, Action.VIEW, request_organisation(self.request))
                .filter(key=data["object_id"])
                .first()
            )
        if target is None:
            raise Http404("No such record.")
        serializer.instance = add_journal_entry(
            target=target, comments=data["comments"], kind=data["kind"], by=request_actor(self.request)
        )
