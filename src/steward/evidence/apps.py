from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "steward.evidence"
    label = "evidence"
    verbose_name = "Evidence"

    def ready(self) -> None:
        from steward.evidence import api, views  # noqa: F401
