from django.contrib.auth import get_user_model
from rest_framework import serializers

from steward.context.models import ContextIssue, InterestedParty
from steward.core import registry
from steward.core.api import OrganisationalSerializer, OrganisationalViewSet


class ContextIssueSerializer(OrganisationalSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="email", queryset=get_user_model().objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = ContextIssue
        fields = [
            *OrganisationalSerializer.base_fields,
            "title",
            "origin",
            "category",
            "description",
            "effect_on_aims",
            "owner",
            "next_review",
        ]


class InterestedPartySerializer(OrganisationalSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="email", queryset=get_user_model().objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = InterestedParty
        fields = [
            *OrganisationalSerializer.base_fields,
            "name",
            "party_type",
            "relevance",
            "needs_and_expectations",
            "requirements_addressed",
            "owner",
            "next_review",
        ]


class ContextIssueViewSet(OrganisationalViewSet):
    queryset = ContextIssue.objects.all()
    serializer_class = ContextIssueSerializer
    filterset_fields = ["origin", "category"]
    search_fields = ["title", "description"]
    ordering_fields = ["key", "title", "created", "updated", "next_review"]
    select_related = ("owner", "created_by")


class InterestedPartyViewSet(OrganisationalViewSet):
    queryset = InterestedParty.objects.all()
    serializer_class = InterestedPartySerializer
    filterset_fields = ["party_type", "relevance"]
    search_fields = ["name", "needs_and_expectations"]
    ordering_fields = ["key", "name", "created", "updated", "next_review"]
    select_related = ("owner", "created_by")


registry.register_api(ContextIssue, ContextIssueViewSet, "context/issues")
registry.register_api(InterestedParty, InterestedPartyViewSet, "context/interested-parties")
