"""Statement of Applicability pages (ISO/IEC 42001 6.1.3), included at ``/soa/``."""

from steward.soa.views import StatementOfApplicabilityViews

app_name = "soa"
urlpatterns = [*StatementOfApplicabilityViews.urls()]
