from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "steward.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from steward.jobs import tasks  # noqa: F401  (registers the built-in tasks)
