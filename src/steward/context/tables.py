import django_tables2 as tables

from steward.context.models import ContextIssue, InterestedParty
from steward.core.tables import OrganisationalTable


class ContextIssueTable(OrganisationalTable):
    title = tables.Column(linkify=True)

    class Meta(OrganisationalTable.Meta):
        model = ContextIssue
        fields = ("key", "title", "origin", "category", "owner", "next_review", "updated")


class InterestedPartyTable(OrganisationalTable):
    name = tables.Column(linkify=True)

    class Meta(OrganisationalTable.Meta):
        model = InterestedParty
        fields = ("key", "name", "party_type", "relevance", "owner", "next_review", "updated")
