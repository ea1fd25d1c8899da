from steward.context import filters, forms, models, tables
from steward.core import registry
from steward.core.views import ModelViews


class ContextIssueViews(ModelViews):
    model = models.ContextIssue
    form_class = forms.ContextIssueForm
    table_class = tables.ContextIssueTable
    filterset_class = filters.ContextIssueFilterSet
    search_fields = ("title", "description", "effect_on_aims")
    select_related = ("owner",)
    url_path = "issues"


class InterestedPartyViews(ModelViews):
    model = models.InterestedParty
    form_class = forms.InterestedPartyForm
    table_class = tables.InterestedPartyTable
    filterset_class = filters.InterestedPartyFilterSet
    search_fields = ("name", "needs_and_expectations", "requirements_addressed")
    select_related = ("owner",)
    url_path = "interested-parties"


registry.register(ContextIssueViews, nav_group="Context")
registry.register(InterestedPartyViews, nav_group="Context")
