from django.urls import path

from steward.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.DashboardView.as_view(), name="home")]
