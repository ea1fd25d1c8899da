from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    name = "steward.implementation"
    label = "implementation"
    verbose_name = "Implementation"

    def ready(self) -> None:
        from steward.implementation import api, views  # noqa: F401
