"""Base filter set: people pickers list only members of the current organisation (no cross-tenant leak)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model


class OrganisationalFilterSet(django_filters.FilterSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = getattr(self.request, "organisation", None)
        user_model = get_user_model()
        for filter_ in self.filters.values():
            queryset = filter_.extra.get("queryset")
            model = getattr(queryset, "model", None) or getattr(
                getattr(self._meta.model, filter_.field_name, None), "field", None
            )
            if isinstance(filter_, django_filters.ModelChoiceFilter) and (
                model is user_model or getattr(model, "related_model", None) is user_model
            ):
                filter_.queryset = user_model.objects.filter(memberships__organisation=organisation).order_by(
                    "email"
                )
