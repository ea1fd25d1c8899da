from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "steward.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
