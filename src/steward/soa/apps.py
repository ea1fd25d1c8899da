from django.apps import AppConfig


class SoaConfig(AppConfig):
    name = "steward.soa"
    label = "soa"
    verbose_name = "Statement of Applicability"

    def ready(self) -> None:
        from steward.soa import api, views  # noqa: F401
