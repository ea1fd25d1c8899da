from steward.core.filters import OrganisationalFilterSet

from steward.context.models import ContextIssue, InterestedParty


class ContextIssueFilterSet(OrganisationalFilterSet):
    class Meta:
        model = ContextIssue
        fields = ["origin", "category", "owner"]


class InterestedPartyFilterSet(OrganisationalFilterSet):
    class Meta:
        model = InterestedParty
        fields = ["party_type", "relevance", "owner"]
