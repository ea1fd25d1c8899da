"""REST API of the Statement of Applicability (ISO/IEC 42001 6.1.3): versions, entries, validation,
approval, new drafts, diffs and exports. Every write calls ``steward.soa.services``.

``/api/v1/soa/statements/`` is registered through the registry (the router and the generic API matrix pick it
up); the entries endpoint ``/api/v1/soa/entries/`` has no UI list page, so ``steward.urls`` adds it with
``register(router)``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from steward.catalog.models import RequirementNode
from steward.core import registry
from steward.core.api import (
    OrganisationalSerializer,
    OrganisationalViewSet,
    request_actor,
    request_organisation,
)
from steward.core.roles import Action
from steward.implementation.models import Control
from steward.soa import services
from steward.soa.choices import ImplementationStatus
from steward.soa.models import SoAEntry, StatementOfApplicability

EXPORT_FORMATS = ["xlsx", "pdf", "csv", "oscal"]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the record's current state."
    default_code = "conflict"


class FrozenVersionsAreConflicts:
    """A write to an approved or superseded version answers 409 with the reason."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.FrozenVersionError):
            exc = Conflict(" ".join(exc.messages))
        return super().handle_exception(exc)  # type: ignore[misc]


@extend_schema_field(OpenApiTypes.STR)
class RequirementNodeField(serializers.RelatedField):
    """A requirement of any framework as ``<framework>:<node id>``, e.g. ``iso-iec-42001:6.1.2`` or
    ``eu-ai-act:art-15``."""

    default_error_messages = {
        "invalid": "Use <framework identifier>:<node id>, e.g. iso-iec-42001:6.1.2.",
        "does_not_exist": "No requirement {value!r} in the catalog.",
    }

    def to_representation(self, value: Any) -> str:
        return f"{value.framework.identifier}:{value.node_id}"

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or ":" not in data:
            self.fail("invalid")
        identifier, node_id = data.split(":", 1)
        queryset = self.get_queryset()
        node = (
            queryset.filter(framework__identifier=identifier, node_id=node_id).first() if queryset else None
        )
        if node is None:
            self.fail("does_not_exist", value=data)
        return node


class StatementOfApplicabilitySerializer(OrganisationalSerializer):
    framework: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="identifier", read_only=True
    )
    based_on: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    approved_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="email", read_only=True
    )

    class Meta:
        model = StatementOfApplicability
        fields = [
            *OrganisationalSerializer.base_fields,
            "title",
            "scope",
            "notes",
            "framework",
            "version",
            "status",
            "based_on",
            "approved_by",
            "approved_at",
            "approval_note",
            "content_hash",
        ]
        read_only_fields = ["version", "status", "approved_at", "approval_note", "content_hash"]


class SoAEntrySerializer(OrganisationalSerializer):
    soa: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="key", read_only=True)
    version = serializers.IntegerField(source="soa.version", read_only=True)
    control_id = serializers.CharField(read_only=True)
    title = serializers.SerializerMethodField()
    objective = serializers.SerializerMethodField()
    additional = serializers.SerializerMethodField()
    applicable = serializers.BooleanField(allow_null=True, required=False)
    implementation_status = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False)
    implementing_controls: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="key", many=True, queryset=Control.objects.all(), required=False
    )
    linked_requirements = RequirementNodeField(
        many=True, queryset=RequirementNode.objects.select_related("framework"), required=False
    )

    class Meta:
        model = SoAEntry
        fields = [
            *OrganisationalSerializer.base_fields,
            "soa",
            "version",
            "control_id",
            "title",
            "objective",
            "additional",
            "additional_title",
            "additional_description",
            "applicable",
            "justification_inclusion",
            "justification_exclusion",
            "implementation_status",
            "implementing_controls",
            "linked_requirements",
            "linked_risks",
        ]

    def get_title(self, obj: SoAEntry) -> str:
        return services.entry_title(obj)

    def get_objective(self, obj: SoAEntry) -> str:
        parent = obj.node.parent if obj.node is not None else None
        return f"{parent.label} {parent.title}" if parent is not None else ""

    def get_additional(self, obj: SoAEntry) -> bool:
        return not obj.node_id


class ProblemSerializer(serializers.Serializer):
    control_id = serializers.CharField()
    entry_key = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ValidationResultSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    problems = ProblemSerializer(many=True)


class ApprovalRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = ProblemSerializer(many=True)


class AdditionalControlSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ApprovalSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.CharField()
    after = serializers.CharField()
    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())


class EntryDiffSerializer(serializers.Serializer):
    control_id = serializers.CharField()
    title = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    changes = FieldChangeSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    entries = EntryDiffSerializer(many=True)


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """On the export action ``?format=`` names the file format, not a DRF renderer."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def entry_queryset(user: Any, organisation: Any) -> Any:
    visible = SoAEntry.objects.restrict(user, Action.VIEW, organisation)
    return visible.select_related("soa", "node__parent", "node__framework", "created_by").prefetch_related(
        "implementing_controls", "linked_requirements__framework"
    )


FROZEN = OpenApiResponse(
    description="The version is approved or superseded, hence frozen: start a new draft."
)


@extend_schema_view(
    list=extend_schema(summary="Versions of the Statement of Applicability"),
    retrieve=extend_schema(summary="One version"),
    create=extend_schema(summary="Start a new version with one undecided entry per Annex A control"),
    update=extend_schema(
        summary="Change title, scope and notes of a draft",
        responses={200: StatementOfApplicabilitySerializer, 409: FROZEN},
    ),
    partial_update=extend_schema(
        summary="Change title, scope or notes of a draft",
        responses={200: StatementOfApplicabilitySerializer, 409: FROZEN},
    ),
    destroy=extend_schema(summary="Delete a draft and its entries", responses={204: None, 409: FROZEN}),
)
class StatementOfApplicabilityViewSet(FrozenVersionsAreConflicts, OrganisationalViewSet):
    """Versions of the Statement of Applicability (6.1.3). Approved versions are frozen: writes answer 409."""

    queryset = StatementOfApplicability.objects.all()
    serializer_class = StatementOfApplicabilitySerializer
    filterset_fields = ["status", "version"]
    search_fields = ["title", "scope", "notes"]
    ordering_fields = ["key", "version", "created", "updated", "approved_at"]
    select_related = ("framework", "based_on", "approved_by", "created_by")
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_soa(
            request_organisation(self.request),
            by=request_actor(self.request),
            title=data.get("title") or services.DEFAULT_TITLE,
            scope=data.get("scope", ""),
            notes=data.get("notes", ""),
        )

    def perform_update(self, serializer: Any) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.SOA_FIELDS}
        serializer.instance = services.update_soa(serializer.instance, data, by=request_actor(self.request))

    def perform_destroy(self, instance: Any) -> None:
        services.delete_soa(instance, by=request_actor(self.request))

    @extend_schema(
        summary="The entries (one per control) of this version",
        responses=SoAEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def entries(self, request: Request, key: str | None = None) -> Response:
        soa = self.get_object()
        qs = entry_queryset(request.user, request_organisation(request)).filter(soa=soa).order_by("order")
        page = self.paginate_queryset(qs)
        serializer = SoAEntrySerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Check whether this version is ready for approval", responses=ValidationResultSerializer
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def validate(self, request: Request, key: str | None = None) -> Response:
        problems = services.validate_soa(self.get_object())
        return Response({"ready": not problems, "problems": [p.as_dict() for p in problems]})

    @extend_schema(
        summary="Approve and freeze this version (manager or admin)",
        request=ApprovalSerializer,
        responses={
            200: StatementOfApplicabilitySerializer,
            400: OpenApiResponse(
                ApprovalRefusedSerializer, description="Incomplete: every problem, per control."
            ),
            403: OpenApiResponse(description="Only managers and admins approve."),
            409: OpenApiResponse(description="The version is already approved or superseded."),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request: Request, key: str | None = None) -> Response:
        soa = self.get_object()
        body = ApprovalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            soa = services.approve_soa(soa, by=request_actor(request), note=body.validated_data["note"])
        except services.ApprovalRefused as exc:
            return Response(
                {
                    "detail": f"v{soa.version} cannot be approved yet: {len(exc.problems)} problem(s).",
                    "problems": [p.as_dict() for p in exc.problems],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(self.get_serializer(soa).data)

    @extend_schema(
        summary="Add a control of the organisation's own (beyond Annex A) to a draft",
        request=AdditionalControlSerializer,
        responses={201: SoAEntrySerializer, 409: FROZEN},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def additional(self, request: Request, key: str | None = None) -> Response:
        soa = self.get_object()
        body = AdditionalControlSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.add_additional_control(
            soa,
            title=body.validated_data["title"],
            description=body.validated_data["description"],
            by=request_actor(request),
        )
        entry = entry_queryset(request.user, request_organisation(request)).get(pk=entry.pk)
        data = SoAEntrySerializer(entry, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Start the next version as a copy of the latest approved one",
        request=None,
        responses={
            201: StatementOfApplicabilitySerializer,
            409: OpenApiResponse(description="A draft already exists."),
        },
    )
    @action(detail=False, methods=["post"], url_path="new-draft", filter_backends=[])
    def new_draft(self, request: Request) -> Response:
        try:
            soa = services.new_draft(request_organisation(request), by=request_actor(request))
        except services.FrozenVersionError:
            raise
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "draft_exists":
                raise Conflict(" ".join(exc.messages)) from exc
            raise
        return Response(self.get_serializer(soa).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="What changed between this version and another one",
        parameters=[OpenApiParameter("against", int, required=True, description="The other version number.")],
        responses={200: DiffSerializer, 400: OpenApiResponse(description="No or bad version number.")},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def diff(self, request: Request, key: str | None = None) -> Response:
        soa = self.get_object()
        against = str(request.query_params.get("against", "")).strip().lstrip("v")
        if not against.isdigit():
            raise exceptions.ValidationError({"against": "Give the other version number, e.g. ?against=1."})
        other = self.get_queryset().filter(version=int(against)).first()
        if other is None:
            raise exceptions.NotFound(f"There is no version {against}.")
        older, newer = (other, soa) if other.version < soa.version else (soa, other)
        return Response(
            {
                "from_version": older.version,
                "to_version": newer.version,
                "entries": [d.as_dict() for d in services.diff(older, newer)],
            }
        )

    @extend_schema(
        summary="Download this version as XLSX, PDF, CSV or OSCAL JSON",
        parameters=[
            OpenApiParameter("format", str, enum=EXPORT_FORMATS, description="File format (default xlsx).")
        ],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="Unknown format."),
        },
    )
    @action(
        detail=True, methods=["get"], filter_backends=[], content_negotiation_class=IgnoreFormatNegotiation
    )
    def export(self, request: Request, key: str | None = None) -> HttpResponse:
        from steward.soa.views import export_response

        return export_response(self.get_object(), str(request.query_params.get("format", "xlsx")))


class SoAEntryFilterSet(django_filters.FilterSet):
    soa = django_filters.CharFilter(field_name="soa__key", help_text="The version's key, e.g. SOA-0001.")
    version = django_filters.NumberFilter(field_name="soa__version")
    control = django_filters.CharFilter(field_name="node__label", help_text="Annex A id, e.g. A.6.2.4.")

    class Meta:
        model = SoAEntry
        fields = ["soa", "version", "control", "applicable", "implementation_status"]


@extend_schema_view(
    list=extend_schema(summary="Entries of every version (filter by soa, version, control)"),
    retrieve=extend_schema(summary="One control's decision in one version"),
    partial_update=extend_schema(
        summary="Decide, justify and link one control of a draft",
        responses={200: SoAEntrySerializer, 409: FROZEN},
    ),
)
class SoAEntryViewSet(FrozenVersionsAreConflicts, OrganisationalViewSet):
    """One control's decision in one version; PATCH changes it while the version is a draft (409 after)."""

    queryset = SoAEntry.objects.all()
    serializer_class = SoAEntrySerializer
    filterset_class = SoAEntryFilterSet
    search_fields = ["justification_inclusion", "justification_exclusion", "additional_title", "node__title"]
    ordering_fields = ["key", "order"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return entry_queryset(self.request.user, request_organisation(self.request)).order_by("soa", "order")

    def perform_update(self, serializer: Any) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.ENTRY_FIELDS}
        serializer.instance = services.update_entry(serializer.instance, data, by=request_actor(self.request))


def register(router: Any) -> None:
    """Add the entries endpoint (``/api/v1/soa/entries/``), which has no UI list page of its own."""
    router.register("soa/entries", SoAEntryViewSet, basename="soaentry")


registry.register_api(StatementOfApplicability, StatementOfApplicabilityViewSet, "soa/statements")
