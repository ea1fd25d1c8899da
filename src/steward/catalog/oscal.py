"""OSCAL catalogs and CISO Assistant libraries in and out of Steward's framework format.

Serves ISO/IEC 42001 clause 7.5 (documented information that other tools can read and verify) and
6.1.3 (the Annex A catalog an organisation's Statement of Applicability refers to), and the issue's
interoperability requirement: export any framework as an OSCAL catalog, import any framework from an
OSCAL catalog JSON file or from the YAML library format used by CISO Assistant.

Pure Python, no Django: the CLI, the web layer and the tests call the same functions.

Export (:func:`framework_to_oscal_catalog`) — how a Steward framework maps onto an OSCAL 1.2 catalog
(validated with compliance-trestle's ``Catalog`` model before it is returned):

- Non-assessable structural nodes (sections, objectives, functions, categories, chapters …) become
  ``groups``; assessable nodes become ``controls``; children of a control become nested controls.
  trestle's OSCAL 1.2 model lets a group hold *either* groups *or* controls, so when a structural node
  sits next to assessable siblings (ISO/IEC 42001 heading 6.1 beside units 6.2 and 6.3) it becomes a
  control too, marked ``assessable=false`` in the Steward namespace, with its units as sub-controls.
- Ids: OSCAL ids are NCName-like tokens. trestle's pattern (``trestle.oscal.common``, every ``id`` and
  ``control-id``) is ``^[_A-Za-z<unicode letters>][_A-Za-z<unicode letters>\\-.0-9<combining marks>]*$``:
  the first character must be a letter or ``_``; upper case and dots are allowed, so Annex A ids such
  as ``A.6.2.8`` stay as they are and nothing is lower-cased. Ids starting with a digit get a ``cl-``
  prefix (:func:`oscal_control_id`: ``4.1`` → ``cl-4.1``) and the original id travels in a
  ``node-id`` prop.
- ``label`` prop (OSCAL's own) = the node's human label; ``class`` = the node's kind.
- Guidance summary → a ``guidance`` part (prose). Typical evidence → an ``assessment-method`` part
  (prop ``method=EXAMINE``) holding an ``assessment-objects`` part with one bullet per item, which is
  how SP 800-53A-style catalogs list what an assessor examines. Audit pitfalls → a ``pitfalls`` part
  in the Steward namespace. Features, documented-information kind and items, ``excludable`` and the
  free-form ``attributes`` (compact JSON) → props in the Steward namespace, so that importing the
  catalog again restores the framework.
- ``links`` between nodes → OSCAL links ``{"href": "#<oscal id>", "rel": "related"}``.
- ``metadata``: title, version (of the framework), last-modified, a remark that the guidance is
  Steward's own words, and Steward-namespace props for the file id, data version and content hash.

Steward's namespace ``https://steward.example/ns/oscal`` (:data:`STEWARD_NS`) is a placeholder until
the project owns a domain; consumers must treat it as an opaque identifier.

Import: :func:`oscal_catalog_to_framework_yaml` reads any OSCAL catalog JSON (a Steward export restores
the original framework; foreign catalogs keep their structure, their ids sanitised to Steward's node-id
pattern with the original in ``attributes.oscal_id``). :func:`ciso_assistant_to_framework_yaml` reads
a CISO Assistant library: top-level ``urn``, ``locale``, ``ref_id``, ``name``, ``description``,
``copyright``, ``version``, ``provider`` and ``objects.framework`` with ``urn``, ``ref_id``, ``name``
and ``requirement_nodes`` (each with ``urn``, ``assessable``, ``depth``, optional ``parent_urn``,
``ref_id``, ``name``, ``description``, ``annotation``, ``typical_evidence``,
``implementation_groups``). Both return framework YAML that ``schema.load_text`` accepts, and both
raise :class:`~steward.catalog.schema.CatalogError` with a one-line reason for malformed input.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import yaml
from pydantic import ValidationError
from trestle.common.err import TrestleError
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.catalog import Catalog

from steward.catalog.schema import (
    DOCUMENTED_INFORMATION_KINDS,
    FEATURES,
    FILE_ID_RE,
    FRAMEWORK_SCHEMA,
    NODE_ID_RE,
    NODE_KINDS,
    CatalogError,
    Framework,
    Node,
    _Map,
    _parse_yaml,
    thaw,
)

__all__ = [
    "STEWARD_NS",
    "STEWARD_UUID_NAMESPACE",
    "catalog_filename",
    "ciso_assistant_to_framework_yaml",
    "framework_to_oscal_catalog",
    "oscal_catalog_to_framework_yaml",
    "oscal_control_id",
    "oscal_error_summary",
]

STEWARD_NS = "https://steward.example/ns/oscal"
# Every uuid Steward writes into OSCAL is a uuid5 under this namespace, so exports are reproducible.
STEWARD_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, STEWARD_NS)

_OSCAL_FIRST_CHAR_RE = re.compile(r"^[_A-Za-z]")
_NOT_NODE_ID_CHARS_RE = re.compile(r"[^A-Za-z0-9._-]+")
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_TITLE_MAX = 150


def oscal_control_id(node_id: str) -> str:
    """OSCAL id for a Steward node id: unchanged if it starts with a letter, else ``cl-`` + id."""
    return node_id if _OSCAL_FIRST_CHAR_RE.match(node_id) else f"cl-{node_id}"


def catalog_filename(framework_id: str) -> str:
    """File name under which a framework's OSCAL catalog is exported; profiles and SSPs point to it."""
    return f"catalog-{framework_id}.json"


def oscal_error_summary(exc: ValidationError) -> str:
    """First pydantic/trestle validation problem as one line: ``path: message``."""
    errors = exc.errors()
    if not errors:
        return str(exc).splitlines()[0]
    first = errors[0]
    path = ".".join(str(p) for p in first.get("loc", ()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = first.get("msg", "invalid")
    if first.get("type") == "string_pattern_mismatch":
        # trestle's patterns are hundreds of characters of Unicode ranges; say what they mean instead.
        pattern = str((first.get("ctx") or {}).get("pattern", ""))
        rule = (
            "an OSCAL identifier must start with a letter or '_' "
            "and contain only letters, digits, '.', '-', '_'"
            if pattern.startswith("^[_A-Za-z")
            else "must be a non-empty single line without leading or trailing spaces"
        )
        message = f"{first.get('input')!r}: {rule}"
    return f"{path}: {message}{more}"


# --------------------------------------------------------------------------------------------------
# Export


def _one_line(text: str) -> str:
    """OSCAL titles and prop values are single-line with no outer whitespace."""
    return " ".join(text.split())


def _prop(name: str, value: str, *, steward: bool = True) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": name, "value": _one_line(value)}
    if steward:
        prop["ns"] = STEWARD_NS
    return prop


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {_one_line(item)}" for item in items)


class _CatalogBuilder:
    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.oscal_ids: dict[str, str] = {}
        seen: dict[str, str] = {}
        for node in framework.nodes:
            oid = oscal_control_id(node.id)
            if oid in seen:
                raise CatalogError(
                    framework.file,
                    node.line,
                    f"OSCAL id '{oid}' is also the OSCAL id of node '{seen[oid]}'",
                    node=node.id,
                )
            seen[oid] = node.id
            self.oscal_ids[node.id] = oid

    def _is_group(self, node: Node) -> bool:
        if node.assessable:
            return False
        if node.parent is None:
            return True
        parent = self.framework.node(node.parent)
        if not self._is_group(parent):
            return False
        # A trestle group holds either groups or controls: assessable siblings force controls.
        return not any(sibling.assessable for sibling in self.framework.children(parent.id))

    def _common(self, node: Node) -> dict[str, Any]:
        oid = self.oscal_ids[node.id]
        item: dict[str, Any] = {"id": oid, "class": node.kind, "title": _one_line(node.title) or node.id}
        props = [_prop("label", node.label, steward=False)]
        if oid != node.id:
            props.append(_prop("node-id", node.id))
        if not node.assessable and not self._is_group(node):
            props.append(_prop("assessable", "false"))
        if node.excludable:
            props.append(_prop("excludable", "true"))
        if node.documented_information != "none":
            props.append(_prop("documented-information", node.documented_information))
        props.extend(_prop("di-item", item_) for item_ in node.di_items)
        if node.guidance is not None:
            props.extend(_prop("feature", feature) for feature in node.guidance.features)
        if node.attributes:
            encoded = json.dumps(
                thaw(node.attributes), ensure_ascii=False, sort_keys=True, separators=(",", ":")
            )
            props.append(_prop("attributes", encoded))
        item["props"] = props
        links = [
            {"href": f"#{self.oscal_ids[target]}", "rel": "related"}
            for target in node.links
            if target in self.oscal_ids
        ]
        if links:
            item["links"] = links
        parts = self._parts(node, oid)
        if parts:
            item["parts"] = parts
        return item

    def _parts(self, node: Node, oid: str) -> list[dict[str, Any]]:
        guidance = node.guidance
        if guidance is None:
            return []
        parts: list[dict[str, Any]] = [{"id": f"{oid}_gdn", "name": "guidance", "prose": guidance.summary}]
        if guidance.evidence:
            parts.append(
                {
                    "id": f"{oid}_asm-examine",
                    "name": "assessment-method",
                    "title": "Typical evidence",
                    "props": [{"name": "method", "value": "EXAMINE"}],
                    "parts": [{"name": "assessment-objects", "prose": _bullets(guidance.evidence)}],
                }
            )
        if guidance.pitfalls:
            parts.append(
                {
                    "id": f"{oid}_pitfalls",
                    "name": "pitfalls",
                    "ns": STEWARD_NS,
                    "title": "Common audit pitfalls",
                    "prose": _bullets(guidance.pitfalls),
                }
            )
        return parts

    def control(self, node: Node) -> dict[str, Any]:
        item = self._common(node)
        children = [self.control(child) for child in self.framework.children(node.id)]
        if children:
            item["controls"] = children
        return item

    def group(self, node: Node) -> dict[str, Any]:
        item = self._common(node)
        children = self.framework.children(node.id)
        if children and all(self._is_group(child) for child in children):
            item["groups"] = [self.group(child) for child in children]
        elif children:
            item["controls"] = [self.control(child) for child in children]
        return item


def framework_to_oscal_catalog(
    framework: Framework, *, last_modified: datetime | None = None
) -> dict[str, Any]:
    """The framework as an OSCAL catalog, validated with trestle: ``{"catalog": {...}}``, JSON-ready.

    ``last_modified`` defaults to now; pass a fixed value for byte-identical repeated exports (the uuid
    is derived from the framework id and content hash, so it only changes when the data does).
    """
    builder = _CatalogBuilder(framework)
    groups: list[dict[str, Any]] = []
    controls: list[dict[str, Any]] = []
    for root in framework.roots():
        if builder._is_group(root):
            groups.append(builder.group(root))
        else:
            controls.append(builder.control(root))

    moment = (last_modified or datetime.now(UTC)).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    meta_props = [
        _prop("framework-id", framework.id),
        _prop("data-version", str(framework.data_version)),
        _prop("content-hash", framework.content_hash),
        _prop("short-title", framework.short_title),
        _prop("licence", framework.licence),
        _prop("guidance-required", "true" if framework.guidance_required else "false"),
    ]
    if framework.publisher:
        meta_props.append(_prop("publisher", framework.publisher))
    if framework.published:
        meta_props.append(_prop("published", framework.published))
    metadata: dict[str, Any] = {
        "title": _one_line(framework.title),
        "last-modified": moment.isoformat(),
        "version": framework.version,
        "oscal-version": OSCAL_VERSION,
        "props": meta_props,
        "remarks": (
            "Generated by Steward. Identifiers and titles are facts about the framework; all guidance, "
            "typical evidence and audit pitfalls in this catalog are Steward's own words and do not "
            f"reproduce the text of the framework. Licence: {framework.licence}"
        ),
    }
    if framework.url:
        metadata["links"] = [{"href": framework.url, "rel": "reference"}]
    data: dict[str, Any] = {
        "uuid": str(uuid.uuid5(STEWARD_UUID_NAMESPACE, f"catalog|{framework.id}|{framework.content_hash}")),
        "metadata": metadata,
    }
    if groups:
        data["groups"] = groups
    if controls:
        data["controls"] = controls
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(
            framework.file, None, f"OSCAL catalog does not validate: {oscal_error_summary(exc)}"
        ) from None
    except TrestleError as exc:
        raise CatalogError(framework.file, None, f"OSCAL catalog does not validate: {exc}") from None
    return catalog.oscal_dict()


# --------------------------------------------------------------------------------------------------
# Import helpers shared by both importers


def _slug(text: str) -> str:
    # Accented letters keep their base letter ("édition" → "edition") rather than becoming "-".
    ascii_text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NOT_NODE_ID_CHARS_RE.sub("-", ascii_text).lstrip("-._").rstrip("-")


class _Ids:
    """Hands out Steward node ids: sanitised, unique, stable in input order."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, *candidates: str | None) -> str:
        """The first candidate that is (after sanitising) a free node id; else the first one, numbered."""
        slugs = [_slug(c) for c in candidates if c is not None]
        for slug in slugs:
            if NODE_ID_RE.match(slug) and slug not in self.used:
                self.used.add(slug)
                return slug
        base = next((slug for slug in slugs if slug), "node")
        new_id, n = base, 2
        while new_id in self.used or not NODE_ID_RE.match(new_id):
            new_id, n = f"{base}-{n}", n + 1
        self.used.add(new_id)
        return new_id


def _file_id(*candidates: str | None) -> str:
    for candidate in candidates:
        if not candidate:
            continue
        slug = _slug(candidate.lower())
        if FILE_ID_RE.match(slug):
            return slug
        if slug:
            return f"fw-{slug}"
    return "imported-framework"


def _short_title(text: str) -> str:
    """A title from a long description: its first line, cut at a word boundary."""
    line = _one_line(text.strip().splitlines()[0]) if text.strip() else ""
    if len(line) <= _TITLE_MAX:
        return line
    cut = line[:_TITLE_MAX].rsplit(" ", 1)[0]
    return f"{cut}…"


def _jsonable(value: Any) -> Any:
    """Attributes must survive JSON; YAML may hand us dates or other scalars."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def _split_items(text: str) -> list[str]:
    """Bullet lines back into list items; prose without bullets is one item."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(_BULLET_RE.match(line) for line in lines):
        items = [_BULLET_RE.sub("", line, count=1).strip() for line in lines]
    else:
        items = [" ".join(text.split())] if text.strip() else []
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def _dump_framework(header: Mapping[str, Any], nodes: list[dict[str, Any]], comment: str) -> str:
    # Empty optional header fields are left out rather than written as "".
    kept = {k: v for k, v in header.items() if v != "" and v is not False}
    data = {"schema": FRAMEWORK_SCHEMA, **kept, "nodes": nodes}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return f"# {comment}\n{body}"


def _node_entry(
    *,
    node_id: str,
    label: str | None,
    kind: str,
    title: str,
    parent: str | None,
    assessable: bool,
    excludable: bool = False,
    documented_information: str = "none",
    di_items: list[str] | None = None,
    summary: str | None = None,
    evidence: list[str] | None = None,
    pitfalls: list[str] | None = None,
    features: list[str] | None = None,
    links: list[str] | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node_id}
    if label and label != node_id:
        entry["label"] = label
    entry["kind"] = kind
    entry["title"] = title
    entry["parent"] = parent
    entry["assessable"] = assessable
    if excludable:
        entry["excludable"] = True
    if documented_information != "none":
        entry["documented_information"] = documented_information
        if di_items:
            entry["di_items"] = di_items
    if summary and summary.strip():
        guidance: dict[str, Any] = {"summary": summary}
        if evidence:
            guidance["evidence"] = evidence
        if pitfalls:
            guidance["pitfalls"] = pitfalls
        if features:
            guidance["features"] = features
        entry["guidance"] = guidance
    if links:
        entry["links"] = links
    if attributes:
        entry["attributes"] = dict(attributes)
    return entry


# --------------------------------------------------------------------------------------------------
# OSCAL catalog → framework YAML


class _OscalReader:
    def __init__(self, name: str) -> None:
        self.name = name
        # A catalog Steward wrote carries each node's attributes itself; others get their OSCAL id kept.
        self.from_steward = False
        self.ids = _Ids()
        self.nodes: list[dict[str, Any]] = []
        self.oscal_to_node: dict[str, str] = {}
        self.pending_links: list[tuple[dict[str, Any], list[str]]] = []

    def fail(self, path: str, reason: str, node: str | None = None) -> CatalogError:
        return CatalogError(self.name, None, f"{path}: {reason}", node=node)

    def _list(self, item: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = item.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{path}.{key}", "must be a list")
        return value

    def _text(self, item: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                raise self.fail(path, f"missing '{key}'")
            return None
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", "must be a string")
        return value

    def _props(self, item: Mapping[str, Any], path: str) -> tuple[dict[str, list[str]], str | None]:
        """Steward-namespace props by name, and the OSCAL ``label`` prop."""
        steward: dict[str, list[str]] = {}
        label: str | None = None
        for i, prop in enumerate(self._list(item, "props", path)):
            where = f"{path}.props[{i}]"
            if not isinstance(prop, Mapping):
                raise self.fail(where, "must be an object")
            name = self._text(prop, "name", where, required=True)
            value = self._text(prop, "value", where, required=True)
            assert name is not None and value is not None
            ns = prop.get("ns")
            if ns == STEWARD_NS:
                steward.setdefault(name, []).append(value)
            elif name == "label" and ns in (None, "http://csrc.nist.gov/ns/oscal") and label is None:
                label = value
        return steward, label

    def _part_text(self, part: Mapping[str, Any]) -> str:
        chunks = []
        prose = part.get("prose")
        if isinstance(prose, str) and prose.strip():
            chunks.append(prose.strip())
        for sub in part.get("parts") or []:
            if isinstance(sub, Mapping):
                text = self._part_text(sub)
                if text:
                    chunks.append(text)
        return "\n\n".join(chunks)

    def _guidance(
        self, item: Mapping[str, Any], path: str
    ) -> tuple[str | None, list[str], list[str], dict[str, str]]:
        summary: str | None = None
        statement: str | None = None
        evidence: list[str] = []
        pitfalls: list[str] = []
        for i, part in enumerate(self._list(item, "parts", path)):
            if not isinstance(part, Mapping):
                raise self.fail(f"{path}.parts[{i}]", "must be an object")
            name = part.get("name")
            if name == "guidance" and summary is None:
                summary = self._part_text(part) or None
            elif name == "statement" and statement is None:
                statement = self._part_text(part) or None
            elif name == "assessment-method":
                for sub in part.get("parts") or []:
                    if isinstance(sub, Mapping) and sub.get("name") == "assessment-objects":
                        evidence.extend(e for e in _split_items(self._part_text(sub)) if e not in evidence)
            elif name == "pitfalls" and part.get("ns") == STEWARD_NS:
                pitfalls.extend(p for p in _split_items(self._part_text(part)) if p not in pitfalls)
        extra = {"statement": statement} if statement else {}
        return summary or statement, evidence, pitfalls, extra

    def add(self, item: Any, path: str, parent: str | None, *, is_group: bool) -> None:
        if not isinstance(item, Mapping):
            raise self.fail(path, "must be an object")
        oscal_id = self._text(item, "id", path, required=not is_group)
        raw_title = self._text(item, "title", path, required=True)
        assert raw_title is not None
        steward, label = self._props(item, path)
        original = steward["node-id"][0] if "node-id" in steward else None
        node_id = self.ids.claim(original, oscal_id, label, raw_title)
        if oscal_id is not None:
            if oscal_id in self.oscal_to_node:
                raise self.fail(path, f"duplicate id '{oscal_id}'", node=oscal_id)
            self.oscal_to_node[oscal_id] = node_id

        kind = item.get("class") if item.get("class") in NODE_KINDS else None
        kind = kind or ("section" if is_group else "control")
        flag = steward["assessable"][0] if "assessable" in steward else None
        assessable = not is_group if flag is None else flag == "true"
        excludable = assessable and (steward.get("excludable") or ["false"])[0] == "true"
        di_kind = (steward.get("documented-information") or ["none"])[0]
        if di_kind not in DOCUMENTED_INFORMATION_KINDS:
            di_kind = "none"
        summary, evidence, pitfalls, extra = self._guidance(item, path)
        features = [f for f in steward.get("feature", []) if f in FEATURES]

        if "attributes" in steward:
            try:
                attributes = json.loads(steward["attributes"][0])
            except json.JSONDecodeError as exc:
                raise self.fail(
                    path, f"Steward 'attributes' prop is not JSON: {exc.msg}", node=node_id
                ) from None
            if not isinstance(attributes, dict):
                raise self.fail(path, "Steward 'attributes' prop must be a JSON object", node=node_id)
        elif self.from_steward:
            attributes = extra
        else:
            attributes = {"oscal_id": oscal_id} if oscal_id else {}
            attributes.update(extra)

        entry = _node_entry(
            node_id=node_id,
            label=label or (oscal_id if oscal_id and oscal_id != node_id else None),
            kind=kind,
            title=_one_line(raw_title) or node_id,
            parent=parent,
            assessable=assessable,
            excludable=excludable,
            documented_information=di_kind,
            di_items=steward.get("di-item", []),
            summary=summary,
            evidence=evidence,
            pitfalls=pitfalls,
            features=features,
            attributes=attributes,
        )
        self.nodes.append(entry)
        hrefs = []
        for i, link in enumerate(self._list(item, "links", path)):
            if not isinstance(link, Mapping) or not isinstance(link.get("href"), str):
                raise self.fail(f"{path}.links[{i}]", "must be an object with an 'href' string")
            if link["href"].startswith("#"):
                hrefs.append(link["href"][1:])
        if hrefs:
            self.pending_links.append((entry, hrefs))

        for i, child in enumerate(self._list(item, "groups", path)):
            self.add(child, f"{path}.groups[{i}]", node_id, is_group=True)
        for i, child in enumerate(self._list(item, "controls", path)):
            self.add(child, f"{path}.controls[{i}]", node_id, is_group=False)

    def resolve_links(self) -> None:
        for entry, hrefs in self.pending_links:
            links: list[str] = []
            for href in hrefs:
                target = self.oscal_to_node.get(href)
                # Links to back-matter resources or other documents have no node to point to.
                if target is not None and target != entry["id"] and target not in links:
                    links.append(target)
            if links:
                entry["links"] = links


def oscal_catalog_to_framework_yaml(
    data: Mapping[str, Any], *, identifier: str | None = None, name: str = "OSCAL catalog"
) -> str:
    """Steward framework YAML (``steward.framework/v1``) for an OSCAL catalog given as parsed JSON.

    Accepts ``{"catalog": {...}}`` or the bare catalog object. ``identifier`` overrides the framework's
    file id; ``name`` is used in error messages (e.g. the uploaded file's name).
    """
    if not isinstance(data, Mapping):
        raise CatalogError(name, None, "an OSCAL catalog must be a JSON object")
    catalog = data.get("catalog", data)
    if not isinstance(catalog, Mapping) or "metadata" not in catalog:
        raise CatalogError(name, None, "not an OSCAL catalog: expected a 'catalog' object with 'metadata'")
    if identifier is not None and not FILE_ID_RE.match(identifier):
        raise CatalogError(
            name, None, f"identifier {identifier!r} is not a valid file id ({FILE_ID_RE.pattern})"
        )
    reader = _OscalReader(name)
    metadata = catalog["metadata"]
    if not isinstance(metadata, Mapping):
        raise reader.fail("catalog.metadata", "must be an object")
    title = reader._text(metadata, "title", "catalog.metadata", required=True)
    assert title is not None
    version = metadata.get("version")
    meta_props, _ = reader._props(metadata, "catalog.metadata")

    def meta(key: str) -> str | None:
        values = meta_props.get(key)
        return values[0] if values else None

    reader.from_steward = meta("framework-id") is not None

    for i, group in enumerate(reader._list(catalog, "groups", "catalog")):
        reader.add(group, f"catalog.groups[{i}]", None, is_group=True)
    for i, control in enumerate(reader._list(catalog, "controls", "catalog")):
        reader.add(control, f"catalog.controls[{i}]", None, is_group=False)
    if not reader.nodes:
        raise CatalogError(name, None, "the OSCAL catalog has no groups or controls")
    reader.resolve_links()

    data_version = meta("data-version")
    links = [link for link in metadata.get("links") or [] if isinstance(link, Mapping)]
    url = next((str(link["href"]) for link in links if link.get("rel") == "reference" and "href" in link), "")
    header: dict[str, Any] = {
        "id": identifier or _file_id(meta("framework-id"), title),
        "version": str(version).strip() if version is not None and str(version).strip() else "1",
        "data_version": int(data_version) if data_version and data_version.isdigit() else 1,
        "title": _one_line(title),
        "short_title": meta("short-title") or _one_line(title),
        "publisher": meta("publisher") or "",
        "published": meta("published") or "",
        "licence": meta("licence")
        or f"Imported from the OSCAL catalog '{_one_line(title)}' ({catalog.get('uuid', 'no uuid')}); "
        "the text is the catalog's, not Steward's. Check its licence before redistributing.",
        "url": url,
        "guidance_required": meta("guidance-required") == "true",
    }
    return _dump_framework(
        header, reader.nodes, f"Imported by Steward from the OSCAL catalog '{_one_line(title)}'."
    )


# --------------------------------------------------------------------------------------------------
# CISO Assistant library → framework YAML


def _ca_text(node: _Map, key: str) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def ciso_assistant_to_framework_yaml(
    text: str, *, identifier: str | None = None, name: str = "CISO Assistant library"
) -> str:
    """Steward framework YAML for a CISO Assistant library (its ``objects.framework``).

    Node ids come from ``ref_id`` (``GOVERN 1.1`` → ``GOVERN-1.1``) or, without one, from the last
    segment of the node's ``urn``; the originals are kept in ``attributes.urn`` / ``attributes.ref_id``.
    ``description`` becomes the guidance summary and ``typical_evidence`` its evidence list; the
    licence line records that this text is the library's, not Steward's.
    """
    try:
        data = _parse_yaml(text, name)
    except CatalogError as exc:
        # The shared YAML reader words this for Steward files ("... with a 'schema' key").
        if exc.reason.startswith("top level must be a mapping"):
            raise CatalogError(name, exc.line, "a CISO Assistant library must be a YAML mapping") from None
        raise

    def fail(where: _Map, reason: str, node: str | None = None) -> CatalogError:
        return CatalogError(name, where.line or None, reason, node=node)

    objects = data.get("objects")
    if not isinstance(objects, _Map) or not isinstance(objects.get("framework"), _Map):
        raise fail(data, "not a CISO Assistant framework library: missing 'objects: framework:'")
    framework = objects["framework"]
    raw_nodes = framework.get("requirement_nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise fail(framework, "'objects.framework.requirement_nodes' must be a non-empty list")
    if identifier is not None and not FILE_ID_RE.match(identifier):
        raise CatalogError(
            name, None, f"identifier {identifier!r} is not a valid file id ({FILE_ID_RE.pattern})"
        )

    ids = _Ids()
    by_urn: dict[str, str] = {}
    urn_lines: dict[str, int] = {}
    last_at_depth: dict[int, str] = {}
    nodes: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_nodes):
        if not isinstance(raw, _Map):
            raise fail(framework, f"requirement_nodes item {i + 1} must be a mapping")
        urn = _ca_text(raw, "urn")
        if not urn or not urn.strip():
            raise fail(raw, f"requirement_nodes item {i + 1} has no 'urn'")
        if urn in by_urn:
            raise fail(raw, f"duplicate urn (first on line {urn_lines[urn]})", node=urn)
        assessable = raw.get("assessable", False)
        if not isinstance(assessable, bool):
            raise fail(raw, f"'assessable' must be true or false, got {assessable!r}", node=urn)
        depth = raw.get("depth")
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
            raise fail(raw, f"'depth' must be a positive integer, got {depth!r}", node=urn)

        parent_urn = _ca_text(raw, "parent_urn")
        if parent_urn is not None:
            if parent_urn not in by_urn:
                raise fail(
                    raw, f"parent_urn '{parent_urn}' does not name an earlier requirement node", node=urn
                )
            parent: str | None = by_urn[parent_urn]
        elif depth is not None and depth > 1:
            # Older libraries rely on order and depth alone: the parent is the last node one level up.
            parent = last_at_depth.get(depth - 1)
            if parent is None:
                raise fail(raw, f"depth {depth} but no node at depth {depth - 1} before it", node=urn)
        else:
            parent = None

        ref_id = _ca_text(raw, "ref_id")
        node_name = _ca_text(raw, "name")
        description = _ca_text(raw, "description")
        node_id = ids.claim(ref_id, urn.rsplit(":", 1)[-1])
        by_urn[urn] = node_id
        urn_lines[urn] = raw.line
        if depth is not None:
            last_at_depth[depth] = node_id
            for deeper in [d for d in last_at_depth if d > depth]:
                del last_at_depth[deeper]

        title = (
            _one_line(node_name or "")
            or _short_title(description or "")
            or _one_line(ref_id or "")
            or node_id
        )
        evidence_raw = raw.get("typical_evidence")
        if isinstance(evidence_raw, list):
            evidence = [_one_line(str(e)) for e in evidence_raw if str(e).strip()]
        elif isinstance(evidence_raw, str):
            evidence = (
                _split_items(evidence_raw)
                if "\n" not in evidence_raw.strip()
                else [_BULLET_RE.sub("", line).strip() for line in evidence_raw.splitlines() if line.strip()]
            )
        else:
            evidence = []
        attributes: dict[str, Any] = {"urn": urn}
        for key in ("ref_id", "annotation", "implementation_groups", "importance", "weight"):
            if raw.get(key) is not None:
                attributes[key] = _jsonable(raw[key])
        nodes.append(
            _node_entry(
                node_id=node_id,
                label=_one_line(ref_id) if ref_id and ref_id.strip() else None,
                kind="control" if assessable else "section",
                title=title,
                parent=parent,
                assessable=assessable,
                summary=description.strip() if description else None,
                evidence=list(dict.fromkeys(evidence)),
                attributes=attributes,
            )
        )

    fw_urn = _ca_text(framework, "urn") or _ca_text(data, "urn") or ""
    fw_ref = _ca_text(framework, "ref_id") or _ca_text(data, "ref_id")
    title = _one_line(_ca_text(framework, "name") or _ca_text(data, "name") or fw_ref or "Imported framework")
    copyright_ = _ca_text(data, "copyright")
    header: dict[str, Any] = {
        "id": identifier or _file_id(fw_urn.rsplit(":", 1)[-1] if fw_urn else None, fw_ref, title),
        "version": str(data.get("version") or "1"),
        "data_version": 1,
        "title": title,
        "short_title": _one_line(fw_ref) if fw_ref else title,
        "publisher": _one_line(_ca_text(data, "provider") or ""),
        "published": "",
        "licence": f"Imported from the CISO Assistant library {_ca_text(data, 'urn') or fw_urn}"
        + (f" (copyright: {_one_line(copyright_)})" if copyright_ else "")
        + "; descriptions are the library's text, not Steward's.",
        "url": "",
        "guidance_required": False,
    }
    library_urn = _ca_text(data, "urn") or fw_urn
    return _dump_framework(
        header, nodes, f"Imported by Steward from the CISO Assistant library {library_urn}."
    )
