from steward.evidence.views import EvidenceViews, download_urls

app_name = "evidence"
urlpatterns = [*EvidenceViews.urls(), *download_urls]
