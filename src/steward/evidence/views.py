"""Evidence register, detail with file revisions, and download (read access suffices: auditors download)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views import View

from steward.audit.context import Actor
from steward.core import registry
from steward.core.roles import Action
from steward.core.views import ModelViews, OrganisationViewMixin
from steward.evidence import filters, forms, models, services, tables


class EvidenceViews(ModelViews):
    model = models.Evidence
    form_class = forms.EvidenceForm
    table_class = tables.EvidenceTable
    filterset_class = filters.EvidenceFilterSet
    search_fields = ("title", "description", "url")
    select_related = ("owner",)
    url_path = "items"
    detail_partial = "evidence/_evidence_details.html"
    detail_fields = ("title", "kind", "description", "url", "owner", "valid_from", "expires")

    @classmethod
    def save(cls, form: Any, *, organisation_id: int, by: Actor) -> Any:
        return services.save_evidence_form(form, organisation_id=organisation_id, by=by)

    @classmethod
    def detail_context(cls, view: Any, obj: Any) -> dict[str, Any]:
        return {
            "files": obj.files.select_related("created_by"),
            "controls": obj.controls.all(),
            "assessments": obj.assessments.select_related("node", "node__framework"),
        }


class EvidenceDownloadView(OrganisationViewMixin, View):
    """Serves one stored revision as an attachment; viewing rights are enough (auditors)."""

    def get(self, request: HttpRequest, key: str, revision: int) -> FileResponse:
        evidence = get_object_or_404(
            models.Evidence.objects.restrict(request.user, Action.VIEW, self.organisation), key=key
        )
        stored = get_object_or_404(evidence.files, revision=revision)
        response = FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=stored.original_name,
            content_type=stored.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Digest"] = f"sha-256={stored.sha256}"
        return response


registry.register(EvidenceViews, nav_group="Support")

download_urls = [
    path("items/<str:key>/files/<int:revision>/", EvidenceDownloadView.as_view(), name="evidence_download"),
]
