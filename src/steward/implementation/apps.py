from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    name = "steward.implementation"
    label = "implementation"
    verbose_name = "Implementation"

    def build_demo_data(
        self, organisation: Any, users: dict[str, Any], progress: Callable[[str], None]
    ) -> None:
        from steward.implementation.demo import build

        build(organisation, users, progress)

    def ready(self) -> None:
        from steward.implementation import api, views  # noqa: F401
