import django_tables2 as tables

from steward.core.tables import OrganisationalTable
from steward.implementation.models import Control, FrameworkAdoption, RequirementAssessment


class FrameworkAdoptionTable(OrganisationalTable):
    framework = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(OrganisationalTable.Meta):
        model = FrameworkAdoption
        fields = ("key", "framework", "adopted_on", "updated")


class ControlTable(OrganisationalTable):
    title = tables.Column(linkify=True)

    class Meta(OrganisationalTable.Meta):
        model = Control
        fields = ("key", "title", "status", "control_type", "owner", "next_review", "updated")


class RequirementAssessmentTable(OrganisationalTable):
    framework = tables.Column(
        accessor="node__framework", verbose_name="Framework", order_by="node__framework__title"
    )
    requirement = tables.Column(accessor="node__label", verbose_name="Requirement", order_by="node__order")
    title = tables.Column(
        accessor="node__title", verbose_name="Title", linkify=lambda record: record.get_absolute_url()
    )

    class Meta(OrganisationalTable.Meta):
        model = RequirementAssessment
        fields = ("key", "framework", "requirement", "title", "status", "result", "owner", "due_date")
