"""The list of Statement of Applicability versions (ISO/IEC 42001 6.1.3; 7.5.3 version control)."""

import django_tables2 as tables

from steward.core.tables import OrganisationalTable
from steward.soa.models import StatementOfApplicability


class StatementOfApplicabilityTable(OrganisationalTable):
    version = tables.Column(verbose_name="Version")
    title = tables.Column(linkify=True)
    approved_by = tables.Column(verbose_name="Approved by")
    approved_at = tables.DateTimeColumn(verbose_name="Approved", format="Y-m-d H:i")

    class Meta(OrganisationalTable.Meta):
        model = StatementOfApplicability
        fields = ("key", "version", "title", "status", "approved_by", "approved_at", "updated")

    def render_version(self, value: int) -> str:
        return f"v{value}"
