import django_filters

from steward.context.models import ContextIssue, InterestedParty


class ContextIssueFilterSet(django_filters.FilterSet):
    class Meta:
        model = ContextIssue
        fields = ["origin", "category", "owner"]


class InterestedPartyFilterSet(django_filters.FilterSet):
    class Meta:
        model = InterestedParty
        fields = ["party_type", "relevance", "owner"]
