from typing import Any

import django_filters

from steward.core.filters import OrganisationalFilterSet
from steward.evidence.models import Evidence


class EvidenceFilterSet(OrganisationalFilterSet):
    class Meta:
        model = Evidence
        fields = ["kind", "owner"]

    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("current", "Current or expiring"), ("expired", "Expired")],
        method="filter_status",
    )

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        current = Evidence.current_q()
        return queryset.filter(current) if value == "current" else queryset.exclude(current)
