from typing import Any

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "steward.catalog"
    label = "catalog"
    verbose_name = "Framework catalog"

    def ready(self) -> None:
        from steward.core import registry

        registry.register_page("Framework catalog", "catalog:index", nav_group="Planning")

    def load_reference_data(self, verbose: bool = True, **kwargs: Any) -> None:
        """Called by `steward init` and `steward demo`: load or upgrade the bundled frameworks."""
        import click

        from steward.catalog.loader import load_bundled_into_database

        report = load_bundled_into_database()
        if verbose:
            click.echo(report.summary(), err=True)
