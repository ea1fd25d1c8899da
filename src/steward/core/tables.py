"""Base table: key column links to the record; consistent Bootstrap styling."""

from __future__ import annotations

import django_tables2 as tables


class OrganisationalTable(tables.Table):
    key = tables.Column(linkify=True, verbose_name="ID")

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        per_page = 25
