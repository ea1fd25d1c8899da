"""Context register (ISO/IEC 42001 4.1) and interested parties with their requirements (4.2)."""

from __future__ import annotations

from django.db import models

from steward.context.choices import IssueCategory, IssueOrigin, PartyType, Relevance
from steward.core.models import OrganisationalModel, OwnerMixin, ReviewScheduleMixin


class ContextIssue(OwnerMixin, ReviewScheduleMixin, OrganisationalModel):
    """An external or internal issue relevant to the AIMS and its intended outcomes (4.1; climate per
    Amd 1:2024)."""

    key_prefix = "CTX"

    title = models.CharField(max_length=200)
    origin = models.CharField(max_length=10, choices=IssueOrigin.choices)
    category = models.CharField(max_length=20, choices=IssueCategory.choices)
    description = models.TextField(blank=True)
    effect_on_aims = models.TextField("effect on the AIMS", blank=True)

    class Meta(OrganisationalModel.Meta):
        verbose_name = "context issue"


class InterestedParty(OwnerMixin, ReviewScheduleMixin, OrganisationalModel):
    """A party whose needs and expectations bear on the AIMS, and which of them it addresses (4.2)."""

    key_prefix = "IP"

    name = models.CharField(max_length=200)
    party_type = models.CharField("type", max_length=20, choices=PartyType.choices)
    relevance = models.CharField(max_length=10, choices=Relevance.choices, default=Relevance.MEDIUM)
    needs_and_expectations = models.TextField(blank=True)
    requirements_addressed = models.TextField(
        "requirements addressed by the AIMS", blank=True, help_text="Which of these needs the AIMS will meet."
    )

    class Meta(OrganisationalModel.Meta):
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"
