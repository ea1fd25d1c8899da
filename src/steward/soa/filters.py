"""Filters of the Statement of Applicability version list (ISO/IEC 42001 6.1.3)."""

from steward.core.filters import OrganisationalFilterSet
from steward.soa.models import StatementOfApplicability


class StatementOfApplicabilityFilterSet(OrganisationalFilterSet):
    class Meta:
        model = StatementOfApplicability
        fields = ["status"]
