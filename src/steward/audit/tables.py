import django_tables2 as tables

from steward.audit.models import ChangeRecord


class ChangeRecordTable(tables.Table):
    sequence = tables.Column(verbose_name="#")
    timestamp = tables.DateTimeColumn(format="Y-m-d H:i:s")
    changes = tables.Column(orderable=False, verbose_name="Fields changed")

    class Meta:
        model = ChangeRecord
        fields = (
            "sequence",
            "timestamp",
            "actor_label",
            "actor_kind",
            "action",
            "event",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        order_by = "-sequence"

    def render_changes(self, value: dict) -> str:
        return ", ".join(sorted(value)) if isinstance(value, dict) else ""

    def value_changes(self, value: dict) -> str:
        import json

        return json.dumps(value, sort_keys=True)
