"""Evidence API: metadata as JSON; files uploaded as multipart to ``{key}/files/``, downloaded by revision."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from steward.core import registry
from steward.core.api import OrganisationalSerializer, OrganisationalViewSet
from steward.core.permissions import request_actor
from steward.evidence import services
from steward.evidence.models import Evidence, EvidenceFile


class EvidenceFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceFile
        fields = ["revision", "original_name", "sha256", "size", "content_type", "created"]


class EvidenceSerializer(OrganisationalSerializer):
    owner: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="email", queryset=get_user_model().objects.none(), required=False, allow_null=True
    )
    status = serializers.CharField(read_only=True)
    files = EvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = Evidence
        fields = [
            *OrganisationalSerializer.base_fields,
            "title",
            "kind",
            "description",
            "url",
            "owner",
            "valid_from",
            "expires",
            "status",
            "revision",
            "files",
        ]
        read_only_fields = ["revision"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        valid_from = attrs.get("valid_from", getattr(self.instance, "valid_from", None))
        expires = attrs.get("expires", getattr(self.instance, "expires", None))
        if valid_from and expires and expires < valid_from:
            raise serializers.ValidationError({"expires": "Expiry must not be before the start of validity."})
        if attrs.get("kind") == "link" and not attrs.get("url", getattr(self.instance, "url", "")):
            raise serializers.ValidationError({"url": "A link needs an address."})
        return attrs


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class EvidenceViewSet(OrganisationalViewSet):
    """Evidence shared by every module. Auditors read and download; they cannot alter."""

    queryset = Evidence.objects.all()
    serializer_class = EvidenceSerializer
    filterset_fields = ["kind"]
    search_fields = ["title", "description"]
    ordering_fields = ["key", "title", "expires", "updated"]
    select_related = ("owner", "created_by")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("files")

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses=EvidenceFileSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="files")
    def upload(self, request: Request, key: str | None = None) -> Response:
        """Upload a new revision (hashed, type-checked, size-limited)."""
        evidence = self.get_object()
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            stored = services.add_revision(evidence, upload.validated_data["file"], by=request_actor(request))
        except ValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(EvidenceFileSerializer(stored).data, status=201)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<revision>[0-9]+)")
    def download(self, request: Request, key: str | None = None, revision: str = "") -> Any:
        """Download one revision."""
        evidence = self.get_object()
        stored = evidence.files.filter(revision=int(revision)).first()
        if stored is None:
            return Response({"detail": "No such revision."}, status=404)
        return FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=stored.original_name,
            content_type=stored.content_type,
        )


registry.register_api(Evidence, EvidenceViewSet, "evidence/items")
