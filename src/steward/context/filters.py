from steward.context.models import ContextIssue, InterestedParty
from steward.core.filters import OrganisationalFilterSet


class ContextIssueFilterSet(OrganisationalFilterSet):
    class Meta:
        model = ContextIssue
        fields = ["origin", "category", "owner"]


class InterestedPartyFilterSet(OrganisationalFilterSet):
    class Meta:
        model = InterestedParty
        fields = ["party_type", "relevance", "owner"]
