from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from steward.core.api import request_organisation
from steward.core.roles import Action
from steward.organisations.models import Membership, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["uid", "name", "slug", "description", "created"]


class MembershipSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Membership
        fields = ["uid", "user", "role", "created"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations the caller belongs to (a token sees only its own)."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    ordering_fields = ["name"]
    search_fields = ["name"]

    def get_queryset(self) -> Any:
        qs = Organisation.objects.restrict(self.request.user, Action.VIEW)
        token = getattr(self.request.user, "steward_token", None)
        return qs.filter(pk=token.organisation_id) if token else qs


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Members of the current organisation and their roles."""

    queryset = Membership.objects.all()
    serializer_class = MembershipSerializer
    lookup_field = "uid"
    filterset_fields = ["role"]
    ordering_fields = ["created"]

    def get_queryset(self) -> Any:
        return Membership.objects.restrict(
            self.request.user, Action.VIEW, request_organisation(self.request)
        ).select_related("user")


class WhoAmISerializer(serializers.Serializer):
    email = serializers.EmailField()
    organisation = serializers.CharField()
    role = serializers.CharField()
    token = serializers.CharField(allow_null=True)
    read_only = serializers.BooleanField()  # type: ignore[assignment]


@extend_schema(responses=WhoAmISerializer)
@api_view(["GET"])
def whoami(request: Request) -> Response:
    """Who the caller is, in which organisation, with which role — handy to check a CI token."""
    organisation = request_organisation(request)
    user: Any = request.user
    token = getattr(user, "steward_token", None)
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return Response(
        {
            "email": user.email,
            "organisation": organisation.name if organisation else "",
            "role": membership.role if membership else "",
            "token": token.prefix if token else None,
            "read_only": bool(token and token.read_only),
        }
    )
