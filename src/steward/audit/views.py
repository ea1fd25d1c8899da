"""Organisation-wide activity log with filters and export, and chain verification as a background job."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views import View
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from steward.audit.filters import ChangeRecordFilterSet
from steward.audit.models import ChangeRecord
from steward.audit.tables import ChangeRecordTable
from steward.core.htmx import htmx_redirect, render_htmx
from steward.core.roles import Action
from steward.core.views import OrganisationViewMixin, actor_for


class ActivityLogView(OrganisationViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = ChangeRecord.objects.restrict(request.user, Action.VIEW, self.organisation)
        filterset = ChangeRecordFilterSet(request.GET, queryset=qs)
        qs = filterset.qs if filterset.is_valid() else qs.none()
        table = ChangeRecordTable(qs)
        export = request.GET.get("_export")
        if export in ("csv", "xlsx"):
            RequestConfig(request, paginate=False).configure(table)
            return TableExport(export, table).response(f"activity-log.{export}")
        if export:
            return HttpResponse("Unknown export format; use csv or xlsx.", status=400)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        context = {"table": table, "filterset": filterset}
        return render_htmx(request, "audit/activity_log.html", "audit/_activity_results.html", context)


class VerifyChainView(OrganisationViewMixin, View):
    """Starts ``audit.verify`` in the background and sends the user to the job's status page."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from steward.jobs.queue import enqueue

        job = enqueue("audit.verify", organisation_id=self.organisation.pk, by=actor_for(request))
        return htmx_redirect(request, reverse("jobs:detail", kwargs={"uid": job.uid}))
