from django.urls import path

from steward.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.JobListView.as_view(), name="list"),
    path("<uuid:uid>/", views.JobDetailView.as_view(), name="detail"),
]
