"""API for adoptions, controls and requirement assessments, plus coverage."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from steward.catalog.choices import CatalogKind
from steward.catalog.models import Framework, RequirementNode
from steward.core import registry
from steward.core.api import OrganisationalSerializer, OrganisationalViewSet
from steward.core.permissions import request_actor, request_organisation
from steward.evidence.models import Evidence
from steward.implementation import services
from steward.implementation.models import Control, FrameworkAdoption, RequirementAssessment


def _owner_field() -> Any:
    return serializers.SlugRelatedField(
        slug_field="email", queryset=get_user_model().objects.none(), required=False, allow_null=True
    )


class NodeRefField(serializers.RelatedField):
    """A requirement node as "framework:node_id", e.g. "iso-iec-42001:A.6.2.4" or "eu-ai-act:art-15"."""

    def to_representation(self, value: Any) -> str:
        return f"{value.framework.identifier}:{value.node_id}"

    def to_internal_value(self, data: Any) -> RequirementNode:
        if not isinstance(data, str) or ":" not in data:
            raise serializers.ValidationError('Use "framework:node_id", e.g. "iso-iec-42001:A.6.2.4".')
        framework, node_id = data.split(":", 1)
        node = RequirementNode.objects.filter(framework__identifier=framework, node_id=node_id).first()
        if node is None:
            raise serializers.ValidationError(f"No requirement {data!r} in the catalog.")
        return node


class FrameworkAdoptionSerializer(OrganisationalSerializer):
    framework = serializers.SlugRelatedField(
        slug_field="identifier", queryset=Framework.objects.filter(kind=CatalogKind.FRAMEWORK)
    )

    class Meta:
        model = FrameworkAdoption
        fields = [*OrganisationalSerializer.base_fields, "framework", "adopted_on", "scope_note"]


class ControlSerializer(OrganisationalSerializer):
    owner = _owner_field()
    implements = NodeRefField(many=True, required=False, queryset=RequirementNode.objects.all())
    evidence = serializers.SlugRelatedField(
        slug_field="key", many=True, required=False, queryset=Evidence.objects.none()
    )

    class Meta:
        model = Control
        fields = [
            *OrganisationalSerializer.base_fields,
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


class RequirementAssessmentSerializer(OrganisationalSerializer):
    owner = _owner_field()
    node = NodeRefField(read_only=True)
    evidence = serializers.SlugRelatedField(
        slug_field="key", many=True, required=False, queryset=Evidence.objects.none()
    )

    class Meta:
        model = RequirementAssessment
        fields = [
            *OrganisationalSerializer.base_fields,
            "node",
            "status",
            "result",
            "owner",
            "due_date",
            "implementation",
            "evidence",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        node = self.instance.node if self.instance else None
        if attrs.get("status") == "not_applicable" and node is not None and not node.excludable:
            raise serializers.ValidationError(
                {"status": f"{node.label} is a requirement that can never be marked not applicable."}
            )
        return attrs


class FrameworkAdoptionViewSet(OrganisationalViewSet):
    """Frameworks the organisation works to; adopting one creates its requirement assessments."""

    queryset = FrameworkAdoption.objects.all()
    serializer_class = FrameworkAdoptionSerializer
    ordering_fields = ["key", "adopted_on"]
    search_fields = ["framework__title"]
    select_related = ("framework", "created_by")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.adopt_framework(
                request_organisation(self.request).pk,
                data["framework"],
                by=request_actor(self.request),
                adopted_on=data.get("adopted_on"),
                scope_note=data.get("scope_note", ""),
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc


class ControlViewSet(OrganisationalViewSet):
    """The organisation's controls; one control may implement requirements of several frameworks."""

    queryset = Control.objects.all()
    serializer_class = ControlSerializer
    filterset_fields = ["status", "control_type"]
    search_fields = ["title", "description"]
    ordering_fields = ["key", "title", "next_review", "updated"]
    select_related = ("owner", "created_by")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("implements__framework", "evidence")

    @extend_schema(request=None, responses={201: ControlSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="from-annex-a")
    def from_annex_a(self, request: Request) -> Response:
        """Generate a starter control for every Annex A control not yet implemented."""
        created = services.generate_starter_controls(
            request_organisation(request).pk, by=request_actor(request)
        )
        return Response(ControlSerializer(created, many=True, context={"request": request}).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("framework", str, description="framework identifier, e.g. nist-ai-rmf")],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request: Request) -> Response:
        """Share of a framework covered by implemented controls with current evidence, with the paths."""
        framework = Framework.objects.filter(identifier=request.query_params.get("framework", "")).first()
        if framework is None:
            return Response({"framework": ["Unknown framework identifier."]}, status=400)
        result = services.coverage(request_organisation(request).pk, framework)
        return Response(
            {
                "framework": framework.identifier,
                "covered": result.covered,
                "total": result.total,
                "percent": result.percent,
                "nodes": [
                    {
                        "node": n.node.node_id,
                        "label": n.node.label,
                        "covered": n.covered,
                        "paths": [
                            {"control": p.control, "via": p.via, "relation": p.relation} for p in n.paths
                        ],
                    }
                    for n in result.nodes
                ],
            }
        )


class RequirementAssessmentViewSet(OrganisationalViewSet):
    """Assessments are created by adopting a framework; they are read and updated, never posted or deleted."""

    http_method_names = ["get", "patch", "put", "head", "options"]
    queryset = RequirementAssessment.objects.all()
    serializer_class = RequirementAssessmentSerializer
    filterset_fields = ["status", "result", "node__framework__identifier"]
    search_fields = ["node__label", "node__title", "implementation"]
    ordering_fields = ["key", "due_date", "updated"]
    select_related = ("node__framework", "owner", "created_by")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("evidence")


registry.register_api(FrameworkAdoption, FrameworkAdoptionViewSet, "implementation/adoptions")
registry.register_api(Control, ControlViewSet, "implementation/controls")
registry.register_api(RequirementAssessment, RequirementAssessmentViewSet, "implementation/assessments")
