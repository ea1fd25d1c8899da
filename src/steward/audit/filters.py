import django_filters
from django import forms

from steward.audit.choices import ActorKind, ChangeAction
from steward.audit.models import ChangeRecord


class ChangeRecordFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label="Actor")
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices)
    actor_kind = django_filters.ChoiceFilter(choices=ActorKind.choices, label="Actor kind")
    object_type = django_filters.CharFilter(lookup_expr="icontains", label="Object type")
    object_id = django_filters.CharFilter(label="Object ID")
    since = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__lte",
        label="Until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ChangeRecord
        fields = ["actor", "action", "actor_kind", "object_type", "object_id", "event", "since", "until"]
