from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "steward.context"
    label = "context"
    verbose_name = "Context"

    def ready(self) -> None:
        from steward.context import api, views  # noqa: F401  (register UI views, then API viewsets)
