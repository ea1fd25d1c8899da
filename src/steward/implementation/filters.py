import django_filters

from steward.catalog.models import Framework
from steward.core.filters import OrganisationalFilterSet
from steward.implementation.choices import AssessmentStatus
from steward.implementation.models import Control, FrameworkAdoption, RequirementAssessment


class FrameworkAdoptionFilterSet(OrganisationalFilterSet):
    class Meta:
        model = FrameworkAdoption
        fields: list[str] = []


class ControlFilterSet(OrganisationalFilterSet):
    class Meta:
        model = Control
        fields = ["status", "control_type", "owner"]


class RequirementAssessmentFilterSet(OrganisationalFilterSet):
    framework = django_filters.ModelChoiceFilter(
        field_name="node__framework", queryset=Framework.objects.filter(kind="framework"), label="Framework"
    )
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)

    class Meta:
        model = RequirementAssessment
        fields = ["framework", "status", "result", "owner"]
