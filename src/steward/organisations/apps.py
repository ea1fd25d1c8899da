from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "steward.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from steward.organisations import schema  # noqa: F401  (registers the OpenAPI auth extension)
