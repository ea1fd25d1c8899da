from steward.implementation.views import (
    ControlViews,
    FrameworkAdoptionViews,
    RequirementAssessmentViews,
    extra_urls,
)

app_name = "implementation"
urlpatterns = [
    *extra_urls,
    *FrameworkAdoptionViews.urls(),
    *ControlViews.urls(),
    *RequirementAssessmentViews.urls(),
]
