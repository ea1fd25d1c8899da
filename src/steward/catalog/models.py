"""Standards as reference data: frameworks, their requirement nodes, taxonomies and crosswalks.

Global (not per organisation) and written only by the catalog loader, which upgrades in place by node id so
organisations' assessments survive a new version (ISO/IEC 42001 6.1.3 Annex A reference; 7.5 documented
information kinds; crosswalks to the EU AI Act, NIST AI RMF and ISO/IEC 27001).
"""

from __future__ import annotations

import uuid

from django.db import models

from steward.catalog.choices import (
    CatalogKind,
    CatalogSource,
    Confidence,
    DocumentedInformation,
    RelationType,
)


class Framework(models.Model):
    """A versioned standard, regulation or taxonomy loaded from a data file."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=CatalogKind.choices, default=CatalogKind.FRAMEWORK)
    source = models.CharField(max_length=10, choices=CatalogSource.choices, default=CatalogSource.BUNDLED)
    version = models.CharField(max_length=40)
    data_version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=120, blank=True)
    publisher = models.CharField(max_length=120, blank=True)
    published = models.CharField(max_length=20, blank=True)
    licence = models.TextField(blank=True)
    url = models.URLField(blank=True)
    guidance_required = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalog:framework", kwargs={"identifier": self.identifier})


class RequirementNode(models.Model):
    """A clause, control, subcategory, article, obligation or taxonomy term of a framework."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    node_id = models.CharField(max_length=100)
    label = models.CharField(max_length=100)
    title = models.CharField(max_length=400)
    kind = models.CharField(max_length=20)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    assessable = models.BooleanField(default=False)
    excludable = models.BooleanField(default=False)
    documented_information = models.CharField(
        max_length=20, choices=DocumentedInformation.choices, default=DocumentedInformation.NONE
    )
    di_items = models.JSONField(default=list, blank=True)
    guidance = models.JSONField(default=dict, blank=True)
    links = models.JSONField(default=list, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    #: set when a newer version of the file no longer has this node; kept so assessments keep their anchor
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "node_id"], name="catalog_node_unique")]

    def __str__(self) -> str:
        return f"{self.label} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "catalog:node", kwargs={"identifier": self.framework.identifier, "node_id": self.node_id}
        )

    @property
    def reference(self) -> str:
        """How the node is cited across frameworks, e.g. "ISO/IEC 42001 A.6.2.4"."""
        return f"{self.framework} {self.label}"


class Crosswalk(models.Model):
    """Steward's analysis of how the nodes of two frameworks relate (with provenance)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier = models.SlugField(max_length=150, unique=True)
    version = models.CharField(max_length=40)
    data_version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=300)
    source = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="crosswalks_out")
    target = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="crosswalks_in")
    provenance = models.TextField()
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CrosswalkRelation(models.Model):
    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="relations")
    source = models.ForeignKey(RequirementNode, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(RequirementNode, on_delete=models.CASCADE, related_name="relations_in")
    type = models.CharField(max_length=12, choices=RelationType.choices)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    rationale = models.TextField()

    class Meta:
        ordering = ["crosswalk", "id"]
        indexes = [models.Index(fields=["source"]), models.Index(fields=["target"])]

    def __str__(self) -> str:
        return f"{self.source.label} {self.type} {self.target.label}"
