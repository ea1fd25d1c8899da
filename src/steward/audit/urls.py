from django.urls import path

from steward.audit import views

app_name = "audit"
urlpatterns = [
    path("activity/", views.ActivityLogView.as_view(), name="activity"),
    path("activity/verify/", views.VerifyChainView.as_view(), name="verify"),
]
