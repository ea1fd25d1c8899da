"""Filters over the catalog (global reference data, so no organisation scoping): UI search and API lists.

Serves finding requirements quickly — ISO/IEC 42001 clauses 4 to 10 and Annex A controls, and their
counterparts in the NIST AI RMF, the EU AI Act and ISO/IEC 27001.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from steward.catalog.choices import CatalogKind, CatalogSource
from steward.catalog.models import Crosswalk, Framework, RequirementNode
from steward.catalog.schema import NODE_KINDS

#: Node kinds of frameworks plus ``term`` (taxonomy entries).
ALL_KINDS = (*NODE_KINDS, "term")


def node_search(text: str) -> Q:
    """Label, title or Steward's guidance summary contains every word of ``text`` (case-insensitive)."""
    condition = Q()
    for word in text.split():
        condition &= (
            Q(label__icontains=word)
            | Q(node_id__icontains=word)
            | Q(title__icontains=word)
            | Q(guidance__summary__icontains=word)
        )
    return condition


class RequirementNodeFilterSet(django_filters.FilterSet):
    """``q`` (search), ``kind``, ``assessable`` and — across frameworks — ``framework`` (identifier)."""

    q = django_filters.CharFilter(method="filter_q", label="Search")
    framework = django_filters.CharFilter(field_name="framework__identifier", label="Framework identifier")
    kind = django_filters.ChoiceFilter(choices=[(k, k.capitalize()) for k in ALL_KINDS], label="Kind")
    assessable = django_filters.BooleanFilter(label="Assessable only")
    retired = django_filters.BooleanFilter(label="Retired")

    class Meta:
        model = RequirementNode
        fields = ["q", "framework", "kind", "assessable", "retired"]

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:  # only the kinds one framework uses
            kind = self.filters["kind"]
            kind.extra["choices"] = [(k, k.capitalize()) for k in kinds]
            # The form field may already be cached on the class-level filter (schema generation builds it).
            kind.__dict__.pop("_field", None)

    def filter_q(
        self, queryset: QuerySet[RequirementNode], name: str, value: str
    ) -> QuerySet[RequirementNode]:
        return queryset.filter(node_search(value)) if value.strip() else queryset


class FrameworkFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CatalogKind.choices)
    source = django_filters.ChoiceFilter(choices=CatalogSource.choices)

    class Meta:
        model = Framework
        fields = ["kind", "source"]


class CrosswalkFilterSet(django_filters.FilterSet):
    """``source``/``target``: framework identifiers; ``framework``: either side."""

    source = django_filters.CharFilter(field_name="source__identifier")
    target = django_filters.CharFilter(field_name="target__identifier")
    framework = django_filters.CharFilter(method="filter_framework", label="Framework (either side)")

    class Meta:
        model = Crosswalk
        fields = ["source", "target", "framework"]

    def filter_framework(self, queryset: QuerySet[Crosswalk], name: str, value: str) -> QuerySet[Crosswalk]:
        return queryset.filter(Q(source__identifier=value) | Q(target__identifier=value))
