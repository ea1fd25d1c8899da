from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from steward.core.htmx import render_htmx
from steward.core.roles import Action
from steward.core.views import OrganisationViewMixin
from steward.jobs.models import Job


class JobListView(OrganisationViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = Job.objects.restrict(request.user, Action.VIEW, self.organisation)[:100]
        return render_htmx(request, "jobs/job_list.html", "jobs/job_list.html", {"jobs": jobs})


class JobDetailView(OrganisationViewMixin, View):
    """Job status; the partial polls itself every second while the job is not done."""

    def get(self, request: HttpRequest, uid: str) -> HttpResponse:
        job = get_object_or_404(Job.objects.restrict(request.user, Action.VIEW, self.organisation), uid=uid)
        return render_htmx(request, "jobs/job_detail.html", "jobs/_job_status.html", {"job": job})
