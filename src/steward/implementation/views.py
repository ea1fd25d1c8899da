"""Adopted frameworks, controls, requirement assessments, cross-framework coverage and Stage 1 readiness."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View

from steward.audit.context import Actor
from steward.catalog.choices import CatalogKind
from steward.catalog.models import Framework
from steward.core import registry
from steward.core.roles import Action
from steward.core.views import ModelViews, OrganisationViewMixin, actor_for
from steward.implementation import filters, forms, models, readiness, services, tables


class FrameworkAdoptionViews(ModelViews):
    model = models.FrameworkAdoption
    form_class = forms.FrameworkAdoptionForm
    table_class = tables.FrameworkAdoptionTable
    filterset_class = filters.FrameworkAdoptionFilterSet
    search_fields = ("framework__title", "scope_note")
    select_related = ("framework",)
    url_path = "adoptions"

    @classmethod
    def save(cls, form: Any, *, organisation_id: int, by: Actor) -> Any:
        return services.save_adoption_form(form, organisation_id=organisation_id, by=by)


class ControlViews(ModelViews):
    model = models.Control
    form_class = forms.ControlForm
    table_class = tables.ControlTable
    filterset_class = filters.ControlFilterSet
    search_fields = ("title", "description")
    select_related = ("owner",)
    url_path = "controls"
    list_actions = (("Generate from ISO/IEC 42001 Annex A", "implementation:starter_controls"),)
    detail_partial = "implementation/_control_details.html"
    detail_fields = (
        "title",
        "description",
        "status",
        "control_type",
        "owner",
        "review_interval_days",
        "next_review",
    )

    @classmethod
    def detail_context(cls, view: Any, obj: Any) -> dict[str, Any]:
        return {
            "implements": obj.implements.select_related("framework").order_by("framework__title", "order"),
            "evidence_list": obj.evidence.all(),
        }


class RequirementAssessmentViews(ModelViews):
    model = models.RequirementAssessment
    form_class = forms.RequirementAssessmentForm
    table_class = tables.RequirementAssessmentTable
    filterset_class = filters.RequirementAssessmentFilterSet
    search_fields = ("node__label", "node__title", "implementation")
    select_related = ("node", "node__framework", "owner")
    url_path = "assessments"
    allow_add = False
    allow_delete = False
    detail_partial = "implementation/_assessment_details.html"
    detail_fields = ("status", "result", "owner", "due_date", "implementation")

    @classmethod
    def detail_context(cls, view: Any, obj: Any) -> dict[str, Any]:
        controls = models.Control.objects.restrict(view.request.user, Action.VIEW, view.organisation).filter(
            implements=obj.node
        )
        return {"node": obj.node, "controls": controls, "evidence_list": obj.evidence.all()}


class StarterControlsView(OrganisationViewMixin, View):
    """One action: a control per Annex A control, linked across frameworks through crosswalks."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(models.Control, Action.ADD):
            raise PermissionDenied("Your role may not add controls.")
        created = services.generate_starter_controls(self.organisation.pk, by=actor_for(request))
        messages.success(request, f"Created {len(created)} controls from ISO/IEC 42001 Annex A.")
        return redirect("implementation:control_list")


class CoverageView(OrganisationViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        frameworks = Framework.objects.filter(kind=CatalogKind.FRAMEWORK).order_by("title")
        chosen = (
            frameworks.filter(identifier=request.GET.get("framework", "nist-ai-rmf")).first()
            or frameworks.first()
        )
        summary = []
        for framework in frameworks:
            result = services.coverage(self.organisation.pk, framework)
            summary.append(result)
        detail = next((c for c in summary if chosen is not None and c.framework.pk == chosen.pk), None)
        from steward.core.charts import bar_chart

        chart = bar_chart(
            [str(c.framework) for c in summary],
            [c.percent for c in summary],
            title="Coverage by framework, %",
        )
        context = {
            "summary": summary,
            "detail": detail,
            "chart": chart,
            "frameworks": frameworks,
            "chosen": chosen,
        }
        return render(request, "implementation/coverage.html", context)


class ReadinessView(OrganisationViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "implementation/readiness.html", readiness.build(request.user, self.organisation)
        )


for views in (FrameworkAdoptionViews, ControlViews, RequirementAssessmentViews):
    registry.register(
        views,
        nav_group={"adoptions": "Context", "controls": "Planning"}.get(
            views.url_path, "Performance evaluation"
        ),
    )
registry.register_page(
    "Coverage across frameworks", "implementation:coverage", nav_group="Performance evaluation"
)
registry.register_page(
    "Certification readiness", "implementation:readiness", nav_group="Performance evaluation"
)

extra_urls = [
    path("controls/from-annex-a/", StarterControlsView.as_view(), name="starter_controls"),
    path("coverage/", CoverageView.as_view(), name="coverage"),
    path("readiness/", ReadinessView.as_view(), name="readiness"),
]
