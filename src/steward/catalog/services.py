"""Catalog actions shared by the UI, the API and the CLI: load files, export frameworks, relate nodes.

The catalog is global reference data (ISO/IEC 42001 clauses 4 to 10 and Annex A, used by 6.1.3 and the
Statement of Applicability; the documented-information kinds of 7.5; crosswalks to the NIST AI RMF, the
EU AI Act and ISO/IEC 27001). Loading goes through :mod:`steward.catalog.loader` (validate everything,
then write in one transaction); exports rebuild :mod:`steward.catalog.schema` objects from the database so
that an exported file is exactly what the validator accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q

from steward.catalog import schema
from steward.catalog.choices import CatalogKind, CatalogSource
from steward.catalog.loader import LoadReport, load_bundled_into_database, load_items
from steward.catalog.models import CrosswalkRelation, Framework, RequirementNode

EXPORT_FORMATS = ("oscal", "json")

#: How a relation reads from its target's side: "A subset B" is "B superset A".
INVERSE_RELATION = {
    "equivalent": "equivalent",
    "subset": "superset",
    "superset": "subset",
    "intersects": "intersects",
}
RELATION_PHRASES = {
    "equivalent": "equivalent to",
    "subset": "subset of",
    "superset": "superset of",
    "intersects": "intersects with",
}


# ------------------------------------------------------------------------------------------------ load


def load_bundled() -> LoadReport:
    """Load or upgrade every file shipped with Steward (idempotent)."""
    return load_bundled_into_database()


def load_catalog_file(path: str | Path, *, identifier: str | None = None) -> LoadReport:
    """Load one user-supplied file: Steward YAML/JSON, an OSCAL catalog (JSON) or a CISO Assistant library.

    The file is parsed, converted and validated completely before anything is written; any problem raises
    :class:`schema.CatalogError` naming the file, the line or node and the reason. ``identifier`` names
    the framework made from an OSCAL catalog or a CISO Assistant library (default: taken from the file).
    """
    item = parse_catalog_file(path, identifier=identifier)
    return load_items([item], source=CatalogSource.IMPORTED)


def parse_catalog_file(path: str | Path, *, identifier: str | None = None) -> schema.CatalogFile:
    """Recognise the format by extension and content, convert if needed and validate (no database)."""
    p = Path(path)
    name = p.name
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise schema.CatalogError(name, None, f"not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise schema.CatalogError(name, None, f"cannot read the file: {exc.strerror}") from None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise schema.CatalogError(name, exc.lineno, f"invalid JSON: {exc.msg}") from None
        if isinstance(data, dict) and "schema" not in data and ("catalog" in data or "metadata" in data):
            from steward.catalog import oscal

            converted = _convert(
                name, "OSCAL catalog", oscal.oscal_catalog_to_framework_yaml, data, identifier
            )
            return schema.load_text(converted, f"{name} (converted from OSCAL)")
        if not (isinstance(data, dict) and "schema" in data):
            raise schema.CatalogError(
                name, 1, "not a Steward catalog file ('schema' key) or an OSCAL catalog ('catalog' key)"
            )
    elif _looks_like_ciso_assistant(text):
        from steward.catalog import oscal

        converted = _convert(
            name, "CISO Assistant library", oscal.ciso_assistant_to_framework_yaml, text, identifier
        )
        return schema.load_text(converted, f"{name} (converted from CISO Assistant)")
    if identifier is not None:
        raise schema.CatalogError(
            name, None, "a Steward catalog file names its own 'id'; an identifier applies only to imports"
        )
    # Steward's YAML, or its JSON export (JSON is YAML): the one validator, with line numbers.
    return schema.load_text(text, name)


def _looks_like_ciso_assistant(text: str) -> bool:
    """CISO Assistant libraries carry ``urn`` and ``objects`` at the top level; Steward files ``schema``."""
    top_keys = {line.split(":", 1)[0] for line in text.splitlines() if line[:1].isalpha() and ":" in line}
    return "schema" not in top_keys and {"urn", "objects"} <= top_keys


def _convert(name: str, what: str, converter: Any, data: Any, identifier: str | None) -> str:
    """Run an :mod:`steward.catalog.oscal` converter; its errors already name the file and the node."""
    try:
        return str(converter(data, identifier=identifier, name=name))
    except schema.CatalogError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise schema.CatalogError(name, None, f"not a valid {what}: {reason}") from None


# ---------------------------------------------------------------------------------------------- export


def _ordered_nodes(framework: Framework) -> list[RequirementNode]:
    """Current (non-retired) nodes in file order — one query; parents resolved in Python."""
    return list(framework.nodes.filter(retired=False).order_by("order"))


def framework_document(framework: Framework) -> dict[str, Any]:
    """Steward's own JSON of a framework or taxonomy: the structure of its YAML file (docs/catalog-format.md).

    Retired nodes are left out: the document describes the version currently loaded. The result loads
    back through ``steward catalog load`` (a test proves the round trip).
    """
    nodes = _ordered_nodes(framework)
    ids = {n.pk: n.node_id for n in nodes}
    if framework.kind == CatalogKind.TAXONOMY:
        return {
            "schema": schema.TAXONOMY_SCHEMA,
            "id": framework.identifier,
            "version": framework.version,
            "data_version": framework.data_version,
            "title": framework.title,
            "licence": framework.licence,
            "terms": [
                {
                    "id": n.node_id,
                    "label": n.label,
                    "title": n.title,
                    "description": (n.guidance or {}).get("summary") or n.title,
                    "parent": ids.get(n.parent_id) if n.parent_id else None,
                }
                for n in nodes
            ],
        }
    document: dict[str, Any] = {
        "schema": schema.FRAMEWORK_SCHEMA,
        "id": framework.identifier,
        "version": framework.version,
        "data_version": framework.data_version,
        "title": framework.title,
        "short_title": framework.short_title or framework.title,
        "publisher": framework.publisher,
        "published": framework.published,
        "licence": framework.licence,
        "url": framework.url,
        "guidance_required": framework.guidance_required,
        "nodes": [],
    }
    for n in nodes:
        node: dict[str, Any] = {
            "id": n.node_id,
            "label": n.label,
            "kind": n.kind,
            "title": n.title,
            "parent": ids.get(n.parent_id) if n.parent_id else None,
            "assessable": n.assessable,
            "excludable": n.excludable,
            "documented_information": n.documented_information,
            "di_items": list(n.di_items or []),
            "links": [link for link in (n.links or []) if link in ids.values()],
            "attributes": dict(n.attributes or {}),
        }
        guidance = n.guidance or {}
        if guidance.get("summary"):
            node["guidance"] = {"summary": guidance["summary"]} | {
                key: list(guidance[key]) for key in ("evidence", "pitfalls", "features") if guidance.get(key)
            }
        document["nodes"].append(node)
    return document


def to_schema_framework(framework: Framework) -> schema.Framework:
    """The database framework as a validated-shape :class:`schema.Framework` (for the OSCAL converter).

    A taxonomy becomes a flat framework of ``theme`` nodes whose guidance summary is the term's description,
    so any catalog entry can be exported as an OSCAL catalog.
    """
    nodes = _ordered_nodes(framework)
    ids = {n.pk: n.node_id for n in nodes}
    taxonomy = framework.kind == CatalogKind.TAXONOMY
    out: list[schema.Node] = []
    for order, n in enumerate(nodes):
        g = n.guidance or {}
        guidance = (
            schema.Guidance(
                summary=g["summary"],
                evidence=tuple(g.get("evidence") or ()),
                pitfalls=tuple(g.get("pitfalls") or ()),
                features=tuple(g.get("features") or ()),
            )
            if g.get("summary")
            else None
        )
        out.append(
            schema.Node(
                id=n.node_id,
                label=n.label,
                kind="theme" if taxonomy else n.kind,
                title=n.title,
                parent=ids.get(n.parent_id) if n.parent_id else None,
                assessable=n.assessable,
                excludable=n.excludable,
                documented_information=n.documented_information,
                di_items=tuple(n.di_items or ()),
                guidance=guidance,
                links=tuple(link for link in (n.links or []) if link in ids.values()),
                attributes=dict(n.attributes or {}),
                order=order,
                line=0,
            )
        )
    return schema.Framework(
        id=framework.identifier,
        version=framework.version,
        data_version=framework.data_version,
        title=framework.title,
        short_title=framework.short_title or framework.title,
        publisher=framework.publisher,
        published=framework.published,
        licence=framework.licence,
        url=framework.url,
        guidance_required=framework.guidance_required,
        nodes=tuple(out),
        content_hash=framework.content_hash,
        file=f"{framework.identifier} (database)",
    )


def export_framework(framework: Framework, fmt: str) -> dict[str, Any]:
    """``oscal``: an OSCAL catalog document; ``json``: Steward's own JSON (:func:`framework_document`)."""
    if fmt == "json":
        return framework_document(framework)
    if fmt == "oscal":
        from steward.catalog.oscal import framework_to_oscal_catalog

        return framework_to_oscal_catalog(to_schema_framework(framework))
    raise ValueError(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")


def export_filename(framework: Framework, fmt: str) -> str:
    return f"{framework.identifier}.oscal.json" if fmt == "oscal" else f"{framework.identifier}.json"


# ----------------------------------------------------------------------------------------- relations


@dataclass(frozen=True)
class RelatedNode:
    """A node of another framework related to the node in view through a crosswalk relation.

    ``type`` reads from the node in view (``this <type> other``): for a relation recorded in the other
    direction the recorded type is inverted (subset ↔ superset), and ``recorded`` keeps the original.
    """

    node: RequirementNode
    type: str
    recorded: str
    direction: str  # "outgoing" (this node is the crosswalk's source) | "incoming"
    confidence: str
    rationale: str
    crosswalk: Any

    @property
    def phrase(self) -> str:
        return RELATION_PHRASES.get(self.type, self.type)

    @property
    def framework(self) -> Framework:
        return self.node.framework

    @property
    def provenance(self) -> str:
        return str(self.crosswalk.provenance)


def related_nodes(node: RequirementNode) -> list[RelatedNode]:
    """Every crosswalk relation touching ``node``, in both directions, in one query."""
    relations = (
        CrosswalkRelation.objects.filter(Q(source=node) | Q(target=node))
        .select_related("crosswalk", "source__framework", "target__framework")
        .order_by("crosswalk__title", "id")
    )
    out = []
    for r in relations:
        outgoing = r.source_id == node.pk
        out.append(
            RelatedNode(
                node=r.target if outgoing else r.source,
                type=r.type if outgoing else INVERSE_RELATION.get(r.type, r.type),
                recorded=r.type,
                direction="outgoing" if outgoing else "incoming",
                confidence=r.confidence,
                rationale=r.rationale,
                crosswalk=r.crosswalk,
            )
        )
    out.sort(key=lambda rel: (rel.framework.title, rel.node.order))
    return out
