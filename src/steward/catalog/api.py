"""Read-only REST API of the framework catalog (global reference data; every signed-in member may read).

Serves ISO/IEC 42001 6.1.3 (the Annex A reference controls a Statement of Applicability is built from),
7.5 (documented-information kinds per clause unit) and the interoperability of the catalog: OSCAL export
of any framework and crosswalks to the NIST AI RMF, the EU AI Act and ISO/IEC 27001.

Routes (``register(router)`` adds them to the ``/api/v1/`` router):

- ``catalog/frameworks/`` and ``catalog/frameworks/{identifier}/`` — frameworks and taxonomies;
  ``catalog/frameworks/{identifier}/export/?format=oscal|json`` — an OSCAL catalog or Steward's JSON.
- ``catalog/frameworks/{identifier}/nodes/`` and ``.../nodes/{node_id}/`` — one framework's nodes; the
  detail adds children and the related nodes of other frameworks (crosswalk relations, both directions).
  Node ids contain dots (``A.6.2.4``): always end the URL with ``/``.
- ``catalog/nodes/`` — nodes across frameworks (``?framework=<identifier>``), e.g. for a search.
- ``catalog/crosswalks/`` and ``catalog/crosswalks/{identifier}/`` (with every relation).

Lists filter (``kind``, ``assessable``, ``q``/``search``, ``framework``…), order (``ordering``) and page
(``limit``/``offset``). Node lists show current nodes unless ``retired`` is given.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from steward.catalog import services
from steward.catalog.filters import CrosswalkFilterSet, FrameworkFilterSet, RequirementNodeFilterSet
from steward.catalog.models import Crosswalk, CrosswalkRelation, Framework, RequirementNode
from steward.core.permissions import OrganisationPermission

#: Framework identifiers and node ids may contain dots (``GOVERN-1.1``); DRF's default excludes them.
ID_REGEX = r"[A-Za-z0-9._-]+"

# ---------------------------------------------------------------------------------------------- serializers


class FrameworkSerializer(serializers.ModelSerializer):
    node_count = serializers.IntegerField(read_only=True, help_text="Current (not retired) nodes.")
    assessable_count = serializers.IntegerField(
        read_only=True, help_text="Current nodes an organisation assesses."
    )

    class Meta:
        model = Framework
        fields = [
            "identifier",
            "uid",
            "kind",
            "source",
            "version",
            "data_version",
            "title",
            "short_title",
            "publisher",
            "published",
            "licence",
            "url",
            "guidance_required",
            "content_hash",
            "loaded_at",
            "node_count",
            "assessable_count",
        ]
        read_only_fields = fields


class GuidanceSerializer(serializers.Serializer):
    """Steward's own guidance for a node (never text of the standard)."""

    summary = serializers.CharField(read_only=True)
    evidence = serializers.ListField(child=serializers.CharField(), read_only=True)
    pitfalls = serializers.ListField(child=serializers.CharField(), read_only=True)
    features = serializers.ListField(child=serializers.CharField(), read_only=True)


class RequirementNodeSerializer(serializers.ModelSerializer):
    framework: serializers.SlugRelatedField[Framework] = serializers.SlugRelatedField(
        slug_field="identifier", read_only=True
    )
    parent: serializers.SlugRelatedField[RequirementNode] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="node_id", read_only=True
    )
    guidance = GuidanceSerializer(read_only=True)
    di_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    links = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Node ids of the same framework."
    )
    attributes = serializers.DictField(read_only=True, help_text="Framework-specific facts.")

    class Meta:
        model = RequirementNode
        fields = [
            "framework",
            "node_id",
            "label",
            "title",
            "kind",
            "parent",
            "depth",
            "order",
            "assessable",
            "excludable",
            "documented_information",
            "di_items",
            "guidance",
            "links",
            "attributes",
            "retired",
        ]
        read_only_fields = fields


class RelatedNodeSerializer(serializers.Serializer):
    """A node of another framework, related through a crosswalk (Steward's analysis)."""

    framework = serializers.CharField(source="node.framework.identifier", read_only=True)
    node_id = serializers.CharField(source="node.node_id", read_only=True)
    label = serializers.CharField(source="node.label", read_only=True)  # type: ignore[assignment]
    title = serializers.CharField(source="node.title", read_only=True)
    type = serializers.CharField(
        read_only=True, help_text="Read from this node: this <type> the related node."
    )
    recorded_type = serializers.CharField(
        source="recorded", read_only=True, help_text="As recorded: crosswalk source <type> target."
    )
    direction = serializers.ChoiceField(
        choices=["outgoing", "incoming"],
        read_only=True,
        help_text="outgoing: this node is the crosswalk's source; incoming: its target.",
    )
    confidence = serializers.CharField(read_only=True)
    rationale = serializers.CharField(read_only=True)
    crosswalk = serializers.CharField(source="crosswalk.identifier", read_only=True)
    provenance = serializers.CharField(read_only=True)


class RequirementNodeDetailSerializer(RequirementNodeSerializer):
    children = serializers.ListField(
        child=serializers.CharField(), source="child_ids", read_only=True, help_text="Node ids, in order."
    )
    related = RelatedNodeSerializer(many=True, read_only=True, source="related_nodes")

    class Meta(RequirementNodeSerializer.Meta):
        fields = [*RequirementNodeSerializer.Meta.fields, "children", "related"]
        read_only_fields = fields


class CrosswalkRelationSerializer(serializers.ModelSerializer):
    source: serializers.SlugRelatedField[RequirementNode] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="node_id", read_only=True
    )
    target: serializers.SlugRelatedField[RequirementNode] = serializers.SlugRelatedField(
        slug_field="node_id", read_only=True
    )

    class Meta:
        model = CrosswalkRelation
        fields = ["source", "target", "type", "confidence", "rationale"]
        read_only_fields = fields


class CrosswalkSerializer(serializers.ModelSerializer):
    source: serializers.SlugRelatedField[Framework] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="identifier", read_only=True
    )
    target: serializers.SlugRelatedField[Framework] = serializers.SlugRelatedField(
        slug_field="identifier", read_only=True
    )
    relation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Crosswalk
        fields = [
            "identifier",
            "uid",
            "version",
            "data_version",
            "title",
            "source",
            "target",
            "provenance",
            "content_hash",
            "loaded_at",
            "relation_count",
        ]
        read_only_fields = fields


class CrosswalkDetailSerializer(CrosswalkSerializer):
    relations = CrosswalkRelationSerializer(many=True, read_only=True)

    class Meta(CrosswalkSerializer.Meta):
        fields = [*CrosswalkSerializer.Meta.fields, "relations"]
        read_only_fields = fields


# ------------------------------------------------------------------------------------------------ viewsets


class IgnoreFormatOverride(DefaultContentNegotiation):
    """The export's ``?format=oscal|json`` names the document format, not DRF's renderer override."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        renderer = renderers[0]
        return renderer, renderer.media_type


class CatalogViewSet(viewsets.GenericViewSet):
    """Read-only, any member of any organisation (the catalog is the same for all)."""

    permission_classes = [OrganisationPermission]
    lookup_value_regex = ID_REGEX


def _framework_queryset() -> Any:
    current = Q(nodes__retired=False)
    return Framework.objects.annotate(
        node_count=Count("nodes", filter=current, distinct=True),
        assessable_count=Count("nodes", filter=current & Q(nodes__assessable=True), distinct=True),
    )


class FrameworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CatalogViewSet):
    """Frameworks and taxonomies of the catalog."""

    queryset = _framework_queryset()
    serializer_class = FrameworkSerializer
    lookup_field = "identifier"
    filterset_class = FrameworkFilterSet
    search_fields = ["identifier", "title", "short_title", "publisher"]
    ordering_fields = ["identifier", "title", "kind", "version", "loaded_at"]
    ordering = ["kind", "title"]

    def get_queryset(self) -> Any:
        return _framework_queryset().order_by("kind", "title")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                OpenApiParameter.QUERY,
                enum=list(services.EXPORT_FORMATS),
                default="json",
                description="oscal: an OSCAL catalog (validates with compliance-trestle); json: Steward's "
                "own format (the structure of its YAML file, loadable with `steward catalog load`).",
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=IgnoreFormatOverride, filter_backends=[])
    def export(self, request: Request, identifier: str, **kwargs: Any) -> Response:
        """Export the framework as an OSCAL catalog or as Steward's JSON."""
        fmt = request.query_params.get("format", "json")
        if fmt not in services.EXPORT_FORMATS:
            raise ValidationError({"format": [f"Use one of: {', '.join(services.EXPORT_FORMATS)}."]})
        framework = get_object_or_404(Framework, identifier=identifier)
        response = Response(services.export_framework(framework, fmt))
        response["Content-Disposition"] = f'attachment; filename="{services.export_filename(framework, fmt)}"'
        return response


class RequirementNodeViewSet(mixins.ListModelMixin, CatalogViewSet):
    """Requirement nodes across frameworks; filter by ``framework`` identifier, ``kind``, ``assessable``."""

    queryset = RequirementNode.objects.select_related("framework", "parent")
    serializer_class = RequirementNodeSerializer
    filterset_class = RequirementNodeFilterSet
    search_fields = ["label", "node_id", "title", "guidance__summary"]
    ordering_fields = ["order", "node_id", "label", "title", "kind", "framework__identifier"]
    ordering = ["framework__identifier", "order"]

    def get_queryset(self) -> Any:
        qs = RequirementNode.objects.select_related("framework", "parent")
        if "retired" not in self.request.query_params:
            qs = qs.filter(retired=False)
        return qs.order_by("framework__identifier", "order")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("identifier", str, OpenApiParameter.PATH, description="Framework identifier.")
        ]
    ),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter("identifier", str, OpenApiParameter.PATH, description="Framework identifier."),
            OpenApiParameter("node_id", str, OpenApiParameter.PATH, description="Node id, e.g. A.6.2.4."),
        ]
    ),
)
class FrameworkNodeViewSet(mixins.RetrieveModelMixin, RequirementNodeViewSet):
    """The nodes of one framework; the detail adds children and cross-framework relations."""

    lookup_field = "node_id"
    ordering = ["order"]

    def framework(self) -> Framework:
        return get_object_or_404(Framework, identifier=self.kwargs["identifier"])

    def get_queryset(self) -> Any:
        qs = RequirementNode.objects.select_related("framework", "parent").filter(framework=self.framework())
        if self.action == "list" and "retired" not in self.request.query_params:
            qs = qs.filter(retired=False)
        return qs.order_by("order")

    def get_serializer_class(self) -> Any:
        return RequirementNodeDetailSerializer if self.action == "retrieve" else RequirementNodeSerializer

    def get_object(self) -> RequirementNode:
        node: RequirementNode = super().get_object()
        node.child_ids = list(  # type: ignore[attr-defined]
            node.children.filter(retired=False).order_by("order").values_list("node_id", flat=True)
        )
        node.related_nodes = services.related_nodes(node)  # type: ignore[attr-defined]
        return node


class CrosswalkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CatalogViewSet):
    """Steward's crosswalks between frameworks; the detail lists every relation."""

    queryset = Crosswalk.objects.select_related("source", "target").annotate(
        relation_count=Count("relations")
    )
    serializer_class = CrosswalkSerializer
    lookup_field = "identifier"
    filterset_class = CrosswalkFilterSet
    search_fields = ["identifier", "title"]
    ordering_fields = ["identifier", "title", "loaded_at"]
    ordering = ["title"]

    def get_queryset(self) -> Any:
        qs = Crosswalk.objects.select_related("source", "target").annotate(relation_count=Count("relations"))
        if self.action == "retrieve":
            relations = CrosswalkRelation.objects.select_related("source", "target").order_by("id")
            qs = qs.prefetch_related(Prefetch("relations", queryset=relations))
        return qs.order_by("title")

    def get_serializer_class(self) -> Any:
        return CrosswalkDetailSerializer if self.action == "retrieve" else CrosswalkSerializer


def register(router: Any) -> None:
    """Add the catalog routes to the ``/api/v1/`` router (``steward/urls.py`` calls this once)."""
    router.register("catalog/frameworks", FrameworkViewSet, basename="catalog-framework")
    router.register(
        rf"catalog/frameworks/(?P<identifier>{ID_REGEX})/nodes",
        FrameworkNodeViewSet,
        basename="catalog-framework-node",
    )
    router.register("catalog/nodes", RequirementNodeViewSet, basename="catalog-node")
    router.register("catalog/crosswalks", CrosswalkViewSet, basename="catalog-crosswalk")
