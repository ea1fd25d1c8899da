"""Which models have UI views and API endpoints — read by navigation, URL building and the meta-tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Navigation follows the standard's areas, plus the AI system inventory.
NAV_GROUPS = [
    "Context",
    "Leadership",
    "Planning",
    "Support",
    "Operation",
    "Performance evaluation",
    "Improvement",
    "Inventory",
]


@dataclass
class Registration:
    model: Any
    views: Any  # the ModelViews declaration
    nav_group: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def api_viewset(self) -> Any:
        return _api.get(self.label, (None, ""))[0]

    @property
    def api_prefix(self) -> str:
        return _api.get(self.label, (None, ""))[1]

    @property
    def label(self) -> str:
        return str(self.model._meta.label_lower)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def list_url(self) -> str:
        from django.urls import reverse

        return reverse(self.views.name("list"))


@dataclass(frozen=True)
class NavLink:
    """A page that is not a model list (catalog browser, readiness, coverage)."""

    verbose_name_plural: str
    url_name: str
    nav_group: str

    @property
    def list_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name)


_registry: dict[str, Registration] = {}
_pages: list[NavLink] = []
_api: dict[str, tuple[Any, str]] = {}


def register(views: Any, *, nav_group: str) -> Any:
    if nav_group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {nav_group!r}")
    reg = Registration(model=views.model, views=views, nav_group=nav_group)
    _registry[reg.label] = reg
    return views


def register_api(model: Any, viewset: Any, prefix: str) -> None:
    _api[model._meta.label_lower] = (viewset, prefix)


def api_registrations() -> list[tuple[Any, Any, str]]:
    """(model, viewset, url prefix) for every model with an API."""
    from django.apps import apps

    return [(apps.get_model(label), viewset, prefix) for label, (viewset, prefix) in _api.items()]


def registrations() -> list[Registration]:
    return list(_registry.values())


def get(model: Any) -> Registration | None:
    return _registry.get(model._meta.label_lower)


def register_page(label: str, url_name: str, *, nav_group: str) -> None:
    if nav_group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {nav_group!r}")
    link = NavLink(label, url_name, nav_group)
    if link not in _pages:
        _pages.append(link)


def navigation() -> list[tuple[str, list[Any]]]:
    return [
        (
            group,
            [r for r in _registry.values() if r.nav_group == group]
            + [p for p in _pages if p.nav_group == group],
        )
        for group in NAV_GROUPS
    ]
