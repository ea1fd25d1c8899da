"""Dashboard: what the AIMS holds per area, recent activity and a 14-day activity chart."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from steward.audit.models import ChangeRecord
from steward.core import registry
from steward.core.charts import bar_chart
from steward.core.roles import Action
from steward.core.views import OrganisationViewMixin


class DashboardView(OrganisationViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        org = self.organisation
        panels = []
        for reg in registry.registrations():
            count = reg.model.objects.restrict(request.user, Action.VIEW, org).count()
            panels.append(
                {
                    "group": reg.nav_group,
                    "label": reg.model._meta.verbose_name_plural,
                    "count": count,
                    "url": reverse(reg.views.name("list")),
                }
            )
        changes = ChangeRecord.objects.restrict(request.user, Action.VIEW, org)
        today = timezone.now().date()
        start = today - timedelta(days=13)
        per_day = dict(
            changes.filter(timestamp__date__gte=start)
            .annotate(day=TruncDate("timestamp"))
            .values_list("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        days = [start + timedelta(days=i) for i in range(14)]
        chart = bar_chart(
            [d.strftime("%d %b") for d in days],
            [per_day.get(d, 0) for d in days],
            title="Changes recorded per day, last 14 days",
        )
        context = {
            "panels": panels,
            "recent": changes.order_by("-sequence")[:10],
            "activity_chart": chart,
            "total_changes": changes.count(),
        }
        return render(request, "dashboard/home.html", context)
