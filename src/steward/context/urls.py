from steward.context.views import ContextIssueViews, InterestedPartyViews

app_name = "context"
urlpatterns = [*ContextIssueViews.urls(), *InterestedPartyViews.urls()]
