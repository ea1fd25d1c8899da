"""URL map: UI pages, the REST API under /api/v1/, OpenAPI schema and offline docs."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from steward.audit.api import ChangeRecordViewSet, JournalEntryViewSet
from steward.catalog import api as catalog_api
from steward.core import registry
from steward.jobs.api import JobViewSet
from steward.organisations.api import MembershipViewSet, OrganisationViewSet, whoami
from steward.soa import api as soa_api

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("members", MembershipViewSet, basename="membership")
router.register("audit/changes", ChangeRecordViewSet, basename="changerecord")
router.register("journal", JournalEntryViewSet, basename="journalentry")
router.register("jobs", JobViewSet, basename="job")
for _model, _viewset, _prefix in registry.api_registrations():
    router.register(_prefix, _viewset, basename=_model._meta.model_name)
# Read-only reference data and nested resources that are not registry models.
catalog_api.register(router)
soa_api.register(router)


def healthz(request: HttpRequest) -> JsonResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", include("steward.dashboard.urls")),
    path("accounts/", include("steward.accounts.urls")),
    path("context/", include("steward.context.urls")),
    path("catalog/", include("steward.catalog.urls")),
    path("evidence/", include("steward.evidence.urls")),
    path("implementation/", include("steward.implementation.urls")),
    path("soa/", include("steward.soa.urls")),
    path("audit/", include("steward.audit.urls")),
    path("jobs/", include("steward.jobs.urls")),
    path("api/v1/me/", whoami, name="api-whoami"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]
