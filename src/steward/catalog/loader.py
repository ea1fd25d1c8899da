"""Load catalog files into the database: validate everything first, then write in one transaction.

Idempotent (unchanged content hash → nothing written) and upgrade-safe: nodes are matched by id, nodes that
disappear are marked retired rather than deleted, so an organisation's assessments keep their anchor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from steward.catalog import schema
from steward.catalog.choices import CatalogKind, CatalogSource
from steward.catalog.models import Crosswalk, CrosswalkRelation, Framework, RequirementNode


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    upgraded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired_nodes: int = 0

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} new",
            f"{len(self.upgraded)} upgraded",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.retired_nodes:
            parts.append(f"{self.retired_nodes} nodes retired")
        return "Catalog: " + ", ".join(parts)


def _framework_fields(item: schema.Framework | schema.Taxonomy, source: str) -> dict[str, Any]:
    common = {
        "version": item.version,
        "data_version": item.data_version,
        "title": item.title,
        "licence": item.licence,
        "content_hash": item.content_hash,
        "source": source,
    }
    if isinstance(item, schema.Framework):
        return {
            **common,
            "kind": CatalogKind.FRAMEWORK,
            "short_title": item.short_title,
            "publisher": item.publisher,
            "published": item.published,
            "url": item.url,
            "guidance_required": item.guidance_required,
        }
    return {**common, "kind": CatalogKind.TAXONOMY, "short_title": item.title[:120]}


def _node_rows(item: schema.Framework | schema.Taxonomy) -> list[dict[str, Any]]:
    rows = []
    if isinstance(item, schema.Framework):
        depth: dict[str, int] = {}
        for node in sorted(item.nodes, key=lambda n: n.order):
            depth[node.id] = depth[node.parent] + 1 if node.parent else 0
            guidance = node.guidance
            rows.append(
                {
                    "node_id": node.id,
                    "parent": node.parent,
                    "label": node.label,
                    "title": node.title,
                    "kind": node.kind,
                    "order": node.order,
                    "depth": depth[node.id],
                    "assessable": node.assessable,
                    "excludable": node.excludable,
                    "documented_information": node.documented_information,
                    "di_items": list(node.di_items),
                    "guidance": {
                        "summary": guidance.summary,
                        "evidence": list(guidance.evidence),
                        "pitfalls": list(guidance.pitfalls),
                        "features": list(guidance.features),
                    }
                    if guidance
                    else {},
                    "links": list(node.links),
                    "attributes": schema.thaw(node.attributes),
                }
            )
    else:
        depth = {}
        for term in sorted(item.terms, key=lambda t: t.order):
            depth[term.id] = depth[term.parent] + 1 if term.parent else 0
            rows.append(
                {
                    "node_id": term.id,
                    "parent": term.parent,
                    "label": term.label,
                    "title": term.title,
                    "kind": "term",
                    "order": term.order,
                    "depth": depth[term.id],
                    "guidance": {"summary": term.description} if term.description else {},
                }
            )
    return rows


def _upsert_framework(item: schema.Framework | schema.Taxonomy, source: str, report: LoadReport) -> None:
    existing = Framework.objects.filter(identifier=item.id).first()
    if existing is not None and existing.content_hash == item.content_hash:
        report.unchanged.append(item.id)
        return
    fields = _framework_fields(item, source)
    framework, created = Framework.objects.update_or_create(identifier=item.id, defaults=fields)
    (report.created if created else report.upgraded).append(item.id)
    rows = _node_rows(item)
    current = {n.node_id: n for n in framework.nodes.all()}
    seen: set[str] = set()
    for row in rows:
        parent = row.pop("parent")
        node = current.get(row["node_id"]) or RequirementNode(framework=framework, node_id=row["node_id"])
        for name, value in row.items():
            setattr(node, name, value)
        node.retired = False
        node.parent = None
        node.save()
        current[node.node_id] = node
        seen.add(node.node_id)
        row["parent"] = parent
    # Parents after every node exists (a file may list a child before its parent).
    for row in rows:
        if row["parent"]:
            node = current[row["node_id"]]
            node.parent = current[row["parent"]]
            node.save(update_fields=["parent"])
    gone = [n for node_id, n in current.items() if node_id not in seen and not n.retired]
    for node in gone:
        node.retired = True
        node.save(update_fields=["retired"])
    report.retired_nodes += len(gone)


def _upsert_crosswalk(item: schema.Crosswalk, report: LoadReport) -> None:
    existing = Crosswalk.objects.filter(identifier=item.id).first()
    if existing is not None and existing.content_hash == item.content_hash:
        report.unchanged.append(item.id)
        return
    source = Framework.objects.get(identifier=item.source)
    target = Framework.objects.get(identifier=item.target)
    crosswalk, created = Crosswalk.objects.update_or_create(
        identifier=item.id,
        defaults={
            "version": item.version,
            "data_version": item.data_version,
            "title": item.title,
            "source": source,
            "target": target,
            "provenance": item.provenance,
            "content_hash": item.content_hash,
        },
    )
    (report.created if created else report.upgraded).append(item.id)
    crosswalk.relations.all().delete()
    src = {n.node_id: n for n in source.nodes.all()}
    tgt = {n.node_id: n for n in target.nodes.all()}
    CrosswalkRelation.objects.bulk_create(
        CrosswalkRelation(
            crosswalk=crosswalk,
            source=src[r.source],
            target=tgt[r.target],
            type=r.type,
            confidence=r.confidence,
            rationale=r.rationale,
        )
        for r in item.relations
    )


def _check_crosswalk_against_database(item: schema.Crosswalk, pending: dict[str, schema.Framework]) -> None:
    """A crosswalk loaded on its own may refer to frameworks already in the database."""
    for side, identifier in (("source", item.source), ("target", item.target)):
        if identifier in pending:
            ids = {n.id for n in pending[identifier].nodes}
        else:
            ids = set(
                RequirementNode.objects.filter(framework__identifier=identifier).values_list(
                    "node_id", flat=True
                )
            )
            if not ids:
                raise schema.CatalogError(
                    item.file, 0, reason=f"{side} framework {identifier!r} is not loaded"
                )
        for relation in item.relations:
            node = getattr(relation, side)
            if node not in ids:
                raise schema.CatalogError(
                    item.file,
                    relation.line,
                    reason=f"{side} node {node!r} is not in {identifier}",
                    relation=(relation.source, relation.target),
                )


def load_items(items: Iterable[schema.CatalogFile], source: str = CatalogSource.BUNDLED) -> LoadReport:
    items = list(items)
    frameworks = {i.id: i for i in items if isinstance(i, schema.Framework)}
    for item in items:
        if isinstance(item, schema.Crosswalk):
            _check_crosswalk_against_database(item, frameworks)
    report = LoadReport()
    with transaction.atomic():
        for item in items:
            if not isinstance(item, schema.Crosswalk):
                _upsert_framework(item, source, report)
        for item in items:
            if isinstance(item, schema.Crosswalk):
                _upsert_crosswalk(item, report)
    return report


def load_bundled_into_database() -> LoadReport:
    bundle = schema.load_bundled()
    return load_items([*bundle.frameworks.values(), *bundle.taxonomies.values(), *bundle.crosswalks.values()])


def load_path(path: str | Path) -> LoadReport:
    """Load one user-supplied file (validated completely before anything is written)."""
    item = schema.load_file(path)
    return load_items([item], source=CatalogSource.IMPORTED)
