from steward.context.models import ContextIssue, InterestedParty
from steward.core.forms import OrganisationalModelForm


class ContextIssueForm(OrganisationalModelForm):
    class Meta:
        model = ContextIssue
        fields = ["title", "origin", "category", "description", "effect_on_aims", "owner", "next_review"]


class InterestedPartyForm(OrganisationalModelForm):
    class Meta:
        model = InterestedParty
        fields = [
            "name",
            "party_type",
            "relevance",
            "needs_and_expectations",
            "requirements_addressed",
            "owner",
            "next_review",
        ]
