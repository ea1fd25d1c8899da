import django_tables2 as tables
from django.utils.html import format_html

from steward.core.tables import OrganisationalTable
from steward.evidence.models import Evidence

BADGES = {"current": "success", "expiring": "warning", "expired": "danger", "not_yet_valid": "secondary"}


class EvidenceTable(OrganisationalTable):
    title = tables.Column(linkify=True)
    status = tables.Column(empty_values=(), orderable=False)

    class Meta(OrganisationalTable.Meta):
        model = Evidence
        fields = ("key", "title", "kind", "status", "expires", "revision", "owner", "updated")

    def render_status(self, record: Evidence) -> str:
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', BADGES[record.status], record.get_status_display()
        )

    def value_status(self, record: Evidence) -> str:
        return record.get_status_display()
