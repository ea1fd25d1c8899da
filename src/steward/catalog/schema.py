"""Load and validate Steward catalog files: frameworks, taxonomies and crosswalks.

Pure Python (PyYAML only, no Django) so that the CLI, the tests and the Django loader share one validator.
The file format is described in ``docs/catalog-format.md``; this module is its executable definition.

Every problem is reported as a :class:`CatalogError` that names the file, the line and the node (or
relation) concerned, e.g. ``iso-iec-42001.yaml:412: node 'A.6.2.4': unknown kind 'contrl'``, so that a
malformed file can be rejected before anything of it is written.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, NoReturn

import yaml

__all__ = [
    "CONFIDENCE_LEVELS",
    "CROSSWALK_SCHEMA",
    "DATA_DIR",
    "DOCUMENTED_INFORMATION_KINDS",
    "FEATURES",
    "FRAMEWORK_SCHEMA",
    "NODE_KINDS",
    "RELATION_TYPES",
    "TAXONOMY_SCHEMA",
    "Bundle",
    "CatalogError",
    "Crosswalk",
    "Framework",
    "Gap",
    "Guidance",
    "Node",
    "Relation",
    "Taxonomy",
    "Term",
    "bundled_files",
    "load_bundled",
    "load_file",
    "load_files",
    "load_text",
    "thaw",
    "validate_crosswalk",
]

FRAMEWORK_SCHEMA = "steward.framework/v1"
TAXONOMY_SCHEMA = "steward.taxonomy/v1"
CROSSWALK_SCHEMA = "steward.crosswalk/v1"
SCHEMAS = (FRAMEWORK_SCHEMA, TAXONOMY_SCHEMA, CROSSWALK_SCHEMA)

NODE_KINDS = (
    "section",
    "clause",
    "annex",
    "objective",
    "control",
    "function",
    "category",
    "subcategory",
    "chapter",
    "article",
    "obligation",
    "theme",
)
DOCUMENTED_INFORMATION_KINDS = ("none", "document", "record", "document_and_record", "meta")
RELATION_TYPES = ("equivalent", "subset", "superset", "intersects")
CONFIDENCE_LEVELS = ("high", "medium", "low")
GAP_SIDES = ("source", "target")
# Steward modules a guidance entry may point to (docs/catalog-format.md, `features`).
FEATURES = (
    "context",
    "policy",
    "risk",
    "impact",
    "soa",
    "controls",
    "evidence",
    "objectives",
    "competence",
    "documents",
    "audit",
    "nonconformity",
    "incidents",
    "review",
    "monitoring",
    "inventory",
    "suppliers",
)

FILE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
NODE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

DATA_DIR = Path(__file__).resolve().parent / "data"


# --------------------------------------------------------------------------------------------------
# Errors


class CatalogError(ValueError):
    """A catalog file is malformed. The message reads ``file:line: node 'id': reason``."""

    def __init__(
        self,
        file: str,
        line: int | None,
        reason: str,
        *,
        node: str | None = None,
        relation: tuple[str, str] | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.node = node
        self.relation = relation
        self.reason = reason
        parts = [f"{file}:{line}" if line else file]
        if relation is not None:
            parts.append(f"relation '{relation[0]}' -> '{relation[1]}'")
        elif node is not None:
            parts.append(f"node '{node}'")
        parts.append(reason)
        super().__init__(": ".join(parts))


# --------------------------------------------------------------------------------------------------
# Result types (frozen; list fields are tuples, mappings are read-only views)


@dataclass(frozen=True, kw_only=True)
class Guidance:
    """Steward's own guidance for one node (never text of the standard)."""

    summary: str
    evidence: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    features: tuple[str, ...] = ()

    def is_complete(self) -> bool:
        return bool(self.summary and self.evidence and self.pitfalls and self.features)


@dataclass(frozen=True, kw_only=True)
class Node:
    """One requirement node of a framework (section, clause unit, control, article, ...)."""

    id: str
    label: str
    kind: str
    title: str
    parent: str | None
    assessable: bool
    excludable: bool
    documented_information: str
    di_items: tuple[str, ...]
    guidance: Guidance | None
    links: tuple[str, ...]
    attributes: Mapping[str, Any] = field(hash=False)
    order: int = field(compare=False)  # position in the file, for stable display order
    line: int = field(compare=False)


@dataclass(frozen=True, kw_only=True)
class Framework:
    schema: ClassVar[str] = FRAMEWORK_SCHEMA

    id: str
    version: str
    data_version: int
    title: str
    short_title: str
    publisher: str
    published: str
    licence: str
    url: str
    guidance_required: bool
    nodes: tuple[Node, ...]
    content_hash: str
    file: str = field(compare=False)
    _index: dict[str, Node] = field(init=False, repr=False, compare=False, hash=False)
    _children: dict[str | None, tuple[Node, ...]] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {n.id: n for n in self.nodes})
        children: dict[str | None, list[Node]] = {}
        for n in self.nodes:
            children.setdefault(n.parent, []).append(n)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def node(self, node_id: str) -> Node:
        """The node with this id; KeyError if there is none."""
        return self._index[node_id]

    def get(self, node_id: str) -> Node | None:
        return self._index.get(node_id)

    def roots(self) -> tuple[Node, ...]:
        return self._children.get(None, ())

    def children(self, node_id: str | None) -> tuple[Node, ...]:
        return self._children.get(node_id, ())

    def ancestors(self, node_id: str) -> tuple[Node, ...]:
        """Parent, grandparent, ... up to the root (validated acyclic at load time)."""
        out: list[Node] = []
        parent = self._index[node_id].parent
        while parent is not None:
            node = self._index[parent]
            out.append(node)
            parent = node.parent
        return tuple(out)

    def assessable_nodes(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.assessable)


@dataclass(frozen=True, kw_only=True)
class Term:
    id: str
    label: str
    title: str
    description: str
    parent: str | None
    order: int = field(compare=False)
    line: int = field(compare=False)


@dataclass(frozen=True, kw_only=True)
class Taxonomy:
    schema: ClassVar[str] = TAXONOMY_SCHEMA

    id: str
    version: str
    data_version: int
    title: str
    licence: str
    terms: tuple[Term, ...]
    content_hash: str
    file: str = field(compare=False)
    _index: dict[str, Term] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t.id: t for t in self.terms})

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._index

    def term(self, term_id: str) -> Term:
        return self._index[term_id]

    def roots(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.parent is None)

    def children(self, term_id: str | None) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.parent == term_id)


@dataclass(frozen=True, kw_only=True)
class Relation:
    """``source <type> target`` in the OSCAL control-mapping / NIST IR 8477 sense."""

    source: str
    target: str
    type: str
    confidence: str
    rationale: str
    line: int = field(compare=False)


@dataclass(frozen=True, kw_only=True)
class Gap:
    """A node of one side of a crosswalk that has no counterpart at all on the other side."""

    side: str  # "source" | "target"
    node: str
    rationale: str
    line: int = field(compare=False)


@dataclass(frozen=True, kw_only=True)
class Crosswalk:
    schema: ClassVar[str] = CROSSWALK_SCHEMA

    id: str
    version: str
    data_version: int
    title: str
    source: str
    target: str
    provenance: str
    licence: str
    relations: tuple[Relation, ...]
    gaps: tuple[Gap, ...]
    content_hash: str
    file: str = field(compare=False)

    def relations_from(self, source_id: str) -> tuple[Relation, ...]:
        return tuple(r for r in self.relations if r.source == source_id)

    def relations_to(self, target_id: str) -> tuple[Relation, ...]:
        return tuple(r for r in self.relations if r.target == target_id)


CatalogFile = Framework | Taxonomy | Crosswalk


@dataclass(frozen=True)
class Bundle:
    """Everything shipped in ``steward/catalog/data``, keyed by file id."""

    frameworks: Mapping[str, Framework]
    taxonomies: Mapping[str, Taxonomy]
    crosswalks: Mapping[str, Crosswalk]


def thaw(value: Any) -> Any:
    """Plain ``dict``/``list`` copy of a frozen attribute value (for JSON fields and exports)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


# --------------------------------------------------------------------------------------------------
# YAML with line numbers


class _Map(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _Seq(list[Any]):
    line: int = 0
    item_lines: list[int]


class _YamlIssue(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers, rejects duplicate keys and keeps dates as strings."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise _YamlIssue(key_line, f"mapping key {key!r} must be a string")
        if key in data:
            raise _YamlIssue(key_line, f"duplicate key '{key}' (first on line {data.key_lines[key]})")
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_line


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates stay the strings they were written as ("2026-08-02"), so content is JSON and hashes stably.
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)

_ID_LINE_RE = re.compile(r"""^\s*(?:-\s+)?id:\s*["']?([^"'#\s]+)""")


def _node_before(text: str, line: int) -> str | None:
    """Id of the last node/term/file declared at or before ``line``: context for YAML syntax errors."""
    found: str | None = None
    for i, raw in enumerate(text.splitlines(), start=1):
        if i > line:
            break
        m = _ID_LINE_RE.match(raw)
        if m:
            found = m.group(1)
    return found


def _parse_yaml(text: str, name: str) -> _Map:
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except _YamlIssue as exc:
        raise CatalogError(name, exc.line, exc.reason, node=_node_before(text, exc.line)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "syntax error"
        node = _node_before(text, line) if line else None
        raise CatalogError(name, line, f"invalid YAML: {problem}", node=node) from None
    except yaml.YAMLError as exc:
        raise CatalogError(name, None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if data is None:
        raise CatalogError(name, 1, "file is empty")
    if not isinstance(data, _Map):
        raise CatalogError(name, 1, "top level must be a mapping with a 'schema' key")
    return data


def _content_hash(data: Any, name: str) -> str:
    try:
        canonical = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:  # pragma: no cover - values are checked before hashing
        raise CatalogError(name, None, f"content is not JSON-compatible: {exc}") from None
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------
# Field reader: typed access to one YAML mapping with precise errors


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Reader:
    def __init__(self, file: str, data: _Map, *, node: str | None = None, what: str = "") -> None:
        self.file = file
        self.data = data
        self.node = node
        self.what = what  # prefix for messages inside nested mappings, e.g. "guidance"

    def line(self, key: str | None = None) -> int:
        if key is not None and key in self.data.key_lines:
            return self.data.key_lines[key]
        return self.data.line

    def fail(self, reason: str, key: str | None = None, *, line: int | None = None) -> NoReturn:
        raise CatalogError(self.file, line or self.line(key), reason, node=self.node)

    def _name(self, key: str) -> str:
        return f"'{self.what}.{key}'" if self.what else f"'{key}'"

    def check_keys(self, required: Sequence[str], optional: Sequence[str]) -> None:
        allowed = (*required, *optional)
        for key in self.data:
            if key not in allowed:
                self.fail(f"unknown key {self._name(key)}{_suggest(key, allowed)}", key)
        for key in required:
            if key not in self.data:
                self.fail(f"missing required key {self._name(key)}")

    def text(self, key: str, *, default: str | None = None, allow_empty: bool = False) -> str:
        value = self.data.get(key, default)
        if value is None and default is None and key not in self.data:
            self.fail(f"missing required key {self._name(key)}")
        if not isinstance(value, str):
            hint = (
                " (put it in quotes: YAML reads unquoted 10.10 as the number 10.1)"
                if isinstance(value, int | float) and not isinstance(value, bool)
                else ""
            )
            self.fail(f"{self._name(key)} must be a string, got {_describe(value)}{hint}", key)
        if not allow_empty and not value.strip():
            self.fail(f"{self._name(key)} must not be empty", key)
        return value

    def ident(self, key: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.text(key)
        if not pattern.match(value):
            self.fail(f"{self._name(key)} {value!r} is not a valid {what} (pattern {pattern.pattern})", key)
        return value

    def optional_ident(self, key: str, pattern: re.Pattern[str], what: str) -> str | None:
        if self.data.get(key) is None:
            return None
        return self.ident(key, pattern, what)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{self._name(key)} must be true or false, got {_describe(value)}", key)
        return value

    def positive_int(self, key: str) -> int:
        value = self.data.get(key)
        if key not in self.data:
            self.fail(f"missing required key {self._name(key)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(f"{self._name(key)} must be a positive integer, got {_describe(value)}", key)
        return value

    def enum(self, key: str, choices: Sequence[str], default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self.fail(f"missing required key {self._name(key)}")
        if not isinstance(value, str) or value not in choices:
            shown = value if isinstance(value, str) else _describe(value)
            suggestion = _suggest(value, choices) if isinstance(value, str) else ""
            self.fail(
                f"unknown {self.what + '.' if self.what else ''}{key} '{shown}'{suggestion}; "
                f"expected one of: {', '.join(choices)}",
                key,
            )
        return value

    def text_list(
        self, key: str, *, required: bool = False, choices: Sequence[str] | None = None
    ) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"{self._name(key)} must be a non-empty list")
            return ()
        if not isinstance(value, list):
            self.fail(f"{self._name(key)} must be a list of strings, got {_describe(value)}", key)
        lines = value.item_lines if isinstance(value, _Seq) else []
        out: list[str] = []
        for i, item in enumerate(value):
            item_line = lines[i] if i < len(lines) else self.line(key)
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{self._name(key)} item {i + 1} must be a non-empty string", line=item_line)
            if choices is not None and item not in choices:
                self.fail(
                    f"unknown {self.what + '.' if self.what else ''}{key} value '{item}'"
                    f"{_suggest(item, choices)}; expected one of: {', '.join(choices)}",
                    line=item_line,
                )
            if item in out:
                self.fail(f"{self._name(key)} lists '{item}' twice", line=item_line)
            out.append(item)
        if required and not out:
            self.fail(f"{self._name(key)} must be a non-empty list", key)
        return tuple(out)

    def mapping(self, key: str) -> _Map | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, _Map):
            self.fail(f"{self._name(key)} must be a mapping, got {_describe(value)}", key)
        return value

    def items(self, key: str) -> list[tuple[int, _Map]]:
        """The list under ``key`` whose items must all be mappings; (line, mapping) pairs."""
        value = self.data.get(key)
        if value is None:
            self.fail(f"missing required key {self._name(key)}")
        if not isinstance(value, _Seq):
            self.fail(f"{self._name(key)} must be a list, got {_describe(value)}", key)
        out: list[tuple[int, _Map]] = []
        for i, item in enumerate(value):
            if not isinstance(item, _Map):
                self.fail(
                    f"{key} item {i + 1} must be a mapping, got {_describe(item)}", line=value.item_lines[i]
                )
            out.append((item.line, item))
        return out


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _check_json_value(reader: _Reader, value: Any, key: str) -> None:
    """Attributes are free-form but must survive a JSON round trip (they end up in JSON fields)."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            reader.fail(f"attribute '{key}' must be a finite number", "attributes")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _check_json_value(reader, v, f"{key}.{k}")
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _check_json_value(reader, v, f"{key}[{i}]")
        return
    reader.fail(
        f"attribute '{key}' has a value that is not JSON-compatible: {_describe(value)}", "attributes"
    )


def _header(reader: _Reader) -> tuple[str, str, int, str]:
    file_id = reader.ident("id", FILE_ID_RE, "file id")
    version = reader.text("version")
    data_version = reader.positive_int("data_version")
    title = reader.text("title")
    return file_id, version, data_version, title


# --------------------------------------------------------------------------------------------------
# Framework


_FRAMEWORK_REQUIRED = ("schema", "id", "version", "data_version", "title", "licence", "nodes")
_FRAMEWORK_OPTIONAL = ("short_title", "publisher", "published", "url", "guidance_required")
_NODE_REQUIRED = ("id", "kind", "title")
_NODE_OPTIONAL = (
    "label",
    "parent",
    "assessable",
    "excludable",
    "documented_information",
    "di_items",
    "guidance",
    "links",
    "attributes",
)
_GUIDANCE_KEYS = ("summary", "evidence", "pitfalls", "features")


def _parse_guidance(file: str, data: _Map, node_id: str, *, complete: bool) -> Guidance:
    g = _Reader(file, data, node=node_id, what="guidance")
    g.check_keys(("summary",) if not complete else _GUIDANCE_KEYS, _GUIDANCE_KEYS)
    return Guidance(
        summary=g.text("summary"),
        evidence=g.text_list("evidence", required=complete),
        pitfalls=g.text_list("pitfalls", required=complete),
        features=g.text_list("features", required=complete, choices=FEATURES),
    )


def _parse_framework(file: str, top: _Reader, content_hash: str) -> Framework:
    top.check_keys(_FRAMEWORK_REQUIRED, _FRAMEWORK_OPTIONAL)
    file_id, version, data_version, title = _header(top)
    licence = top.text("licence")
    guidance_required = top.boolean("guidance_required", False)

    nodes: list[Node] = []
    seen: dict[str, int] = {}
    link_lines: dict[str, list[tuple[str, int]]] = {}
    parent_lines: dict[str, int] = {}
    for order, (line, data) in enumerate(top.items("nodes")):
        r = _Reader(file, data)
        if "id" not in data:
            r.fail(f"node {order + 1} has no 'id'")
        r.node = str(data["id"])
        node_id = r.ident("id", NODE_ID_RE, "node id")
        if node_id in seen:
            r.fail(f"duplicate node id (first defined on line {seen[node_id]})", "id")
        seen[node_id] = line
        r.check_keys(_NODE_REQUIRED, _NODE_OPTIONAL)
        kind = r.enum("kind", NODE_KINDS)
        node_title = r.text("title")
        label = r.text("label", default=node_id)
        parent = r.optional_ident("parent", NODE_ID_RE, "parent id")
        assessable = r.boolean("assessable", False)
        excludable = r.boolean("excludable", False)
        if excludable and not assessable:
            r.fail(
                "'excludable: true' needs 'assessable: true' (only assessed units can be excluded)",
                "excludable",
            )
        di_kind = r.enum("documented_information", DOCUMENTED_INFORMATION_KINDS, "none")
        di_items = r.text_list("di_items")
        if di_items and di_kind == "none":
            r.fail("'di_items' listed but 'documented_information' is none", "di_items")
        links = r.text_list("links")
        if node_id in links:
            r.fail("node links to itself", "links")
        for i, target in enumerate(links):
            item_lines = data["links"].item_lines if isinstance(data.get("links"), _Seq) else []
            link_lines.setdefault(node_id, []).append(
                (target, item_lines[i] if i < len(item_lines) else line)
            )
        attributes = r.mapping("attributes") or _Map()
        for key, value in attributes.items():
            _check_json_value(r, value, key)
        guidance_data = r.mapping("guidance")
        needs_guidance = guidance_required and assessable
        if guidance_data is None and needs_guidance:
            r.fail(
                "missing guidance (this framework has 'guidance_required: true' and the node is assessable)"
            )
        guidance = (
            _parse_guidance(file, guidance_data, node_id, complete=needs_guidance)
            if guidance_data is not None
            else None
        )
        if parent is not None:
            parent_lines[node_id] = r.line("parent")
        nodes.append(
            Node(
                id=node_id,
                label=label,
                kind=kind,
                title=node_title,
                parent=parent,
                assessable=assessable,
                excludable=excludable,
                documented_information=di_kind,
                di_items=di_items,
                guidance=guidance,
                links=links,
                attributes=_freeze(attributes),
                order=order,
                line=line,
            )
        )
    if not nodes:
        top.fail("'nodes' must not be empty", "nodes")

    by_id = {n.id: n for n in nodes}
    for n in nodes:
        if n.parent is not None and n.parent not in by_id:
            raise CatalogError(
                file,
                parent_lines[n.id],
                f"parent '{n.parent}' does not exist{_suggest(n.parent, by_id)}",
                node=n.id,
            )
        for target, link_line in link_lines.get(n.id, []):
            if target not in by_id:
                raise CatalogError(
                    file,
                    link_line,
                    f"link '{target}' does not resolve to a node of '{file_id}'{_suggest(target, by_id)}",
                    node=n.id,
                )
    _check_acyclic(file, {n.id: n.parent for n in nodes}, parent_lines)

    return Framework(
        id=file_id,
        version=version,
        data_version=data_version,
        title=title,
        short_title=top.text("short_title", default=title),
        publisher=top.text("publisher", default="", allow_empty=True),
        published=top.text("published", default="", allow_empty=True),
        licence=licence,
        url=top.text("url", default="", allow_empty=True),
        guidance_required=guidance_required,
        nodes=tuple(nodes),
        content_hash=content_hash,
        file=file,
    )


def _check_acyclic(file: str, parents: Mapping[str, str | None], parent_lines: Mapping[str, int]) -> None:
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in done:
            if current in on_path:
                cycle = [*path[path.index(current) :], current]
                raise CatalogError(
                    file,
                    parent_lines.get(current),
                    f"parent chain forms a cycle: {' -> '.join(cycle)}",
                    node=current,
                )
            on_path.add(current)
            path.append(current)
            current = parents.get(current)
        done.update(path)


# --------------------------------------------------------------------------------------------------
# Taxonomy


_TAXONOMY_REQUIRED = ("schema", "id", "version", "data_version", "title", "licence", "terms")
_TERM_REQUIRED = ("id", "title", "description")
_TERM_OPTIONAL = ("label", "parent")


def _parse_taxonomy(file: str, top: _Reader, content_hash: str) -> Taxonomy:
    top.check_keys(_TAXONOMY_REQUIRED, ())
    file_id, version, data_version, title = _header(top)
    licence = top.text("licence")
    terms: list[Term] = []
    seen: dict[str, int] = {}
    parent_lines: dict[str, int] = {}
    for order, (line, data) in enumerate(top.items("terms")):
        r = _Reader(file, data)
        if "id" not in data:
            r.fail(f"term {order + 1} has no 'id'")
        r.node = str(data["id"])
        term_id = r.ident("id", NODE_ID_RE, "term id")
        if term_id in seen:
            r.fail(f"duplicate term id (first defined on line {seen[term_id]})", "id")
        seen[term_id] = line
        r.check_keys(_TERM_REQUIRED, _TERM_OPTIONAL)
        parent = r.optional_ident("parent", NODE_ID_RE, "parent id")
        if parent is not None:
            parent_lines[term_id] = r.line("parent")
        terms.append(
            Term(
                id=term_id,
                label=r.text("label", default=term_id),
                title=r.text("title"),
                description=r.text("description"),
                parent=parent,
                order=order,
                line=line,
            )
        )
    if not terms:
        top.fail("'terms' must not be empty", "terms")
    for t in terms:
        if t.parent is not None and t.parent not in seen:
            raise CatalogError(
                file,
                parent_lines[t.id],
                f"parent '{t.parent}' does not exist{_suggest(t.parent, seen)}",
                node=t.id,
            )
    _check_acyclic(file, {t.id: t.parent for t in terms}, parent_lines)
    return Taxonomy(
        id=file_id,
        version=version,
        data_version=data_version,
        title=title,
        licence=licence,
        terms=tuple(terms),
        content_hash=content_hash,
        file=file,
    )


# --------------------------------------------------------------------------------------------------
# Crosswalk


_CROSSWALK_REQUIRED = (
    "schema",
    "id",
    "version",
    "data_version",
    "title",
    "source",
    "target",
    "provenance",
    "relations",
)
_CROSSWALK_OPTIONAL = ("licence", "gaps")
_RELATION_KEYS = ("source", "target", "type", "confidence", "rationale")
_GAP_KEYS = ("side", "node", "rationale")


def _parse_crosswalk(file: str, top: _Reader, content_hash: str) -> Crosswalk:
    top.check_keys(_CROSSWALK_REQUIRED, _CROSSWALK_OPTIONAL)
    file_id, version, data_version, title = _header(top)
    source = top.ident("source", FILE_ID_RE, "framework id")
    target = top.ident("target", FILE_ID_RE, "framework id")
    provenance = top.text("provenance")
    licence = top.text("licence", default="", allow_empty=True)

    relations: list[Relation] = []
    seen: dict[tuple[str, str], int] = {}
    for line, data in top.items("relations"):
        r = _Reader(file, data)
        pair = (str(data.get("source", "?")), str(data.get("target", "?")))
        try:
            r.check_keys(_RELATION_KEYS, ())
            rel = Relation(
                source=r.ident("source", NODE_ID_RE, "node id"),
                target=r.ident("target", NODE_ID_RE, "node id"),
                type=r.enum("type", RELATION_TYPES),
                confidence=r.enum("confidence", CONFIDENCE_LEVELS),
                rationale=r.text("rationale"),
                line=line,
            )
        except CatalogError as exc:  # re-raise naming the relation rather than a node
            raise CatalogError(file, exc.line, exc.reason, relation=pair) from None
        key = (rel.source, rel.target)
        if key in seen:
            raise CatalogError(file, line, f"duplicate relation (first on line {seen[key]})", relation=key)
        seen[key] = line
        relations.append(rel)
    if not relations:
        top.fail("'relations' must not be empty", "relations")

    gaps: list[Gap] = []
    if top.data.get("gaps") is not None:
        gap_seen: set[tuple[str, str]] = set()
        for line, data in top.items("gaps"):
            r = _Reader(file, data, node=str(data.get("node", "?")))
            r.check_keys(_GAP_KEYS, ())
            gap = Gap(
                side=r.enum("side", GAP_SIDES),
                node=r.ident("node", NODE_ID_RE, "node id"),
                rationale=r.text("rationale"),
                line=line,
            )
            if (gap.side, gap.node) in gap_seen:
                r.fail(f"{gap.side} node listed twice in 'gaps'")
            gap_seen.add((gap.side, gap.node))
            mapped = (
                {rel.source for rel in relations}
                if gap.side == "source"
                else {rel.target for rel in relations}
            )
            if gap.node in mapped:
                r.fail(
                    f"listed as a {gap.side} gap but a relation maps it; a gap means no counterpart at all"
                )
            gaps.append(gap)

    return Crosswalk(
        id=file_id,
        version=version,
        data_version=data_version,
        title=title,
        source=source,
        target=target,
        provenance=provenance,
        licence=licence,
        relations=tuple(relations),
        gaps=tuple(gaps),
        content_hash=content_hash,
        file=file,
    )


def validate_crosswalk(cw: Crosswalk, frameworks: Mapping[str, Framework]) -> None:
    """Check that every relation's source/target (and every gap) is a node of the right framework."""
    sides: dict[str, Framework] = {}
    for side, framework_id in (("source", cw.source), ("target", cw.target)):
        framework = frameworks.get(framework_id)
        if framework is None:
            raise CatalogError(
                cw.file,
                None,
                f"{side} framework '{framework_id}' is not loaded{_suggest(framework_id, frameworks)}",
            )
        sides[side] = framework
    for rel in cw.relations:
        for side, node_id in (("source", rel.source), ("target", rel.target)):
            framework = sides[side]
            if node_id not in framework:
                raise CatalogError(
                    cw.file,
                    rel.line,
                    f"{side} '{node_id}' not found in framework '{framework.id}'"
                    f"{_suggest(node_id, framework._index)}",
                    relation=(rel.source, rel.target),
                )
    for gap in cw.gaps:
        framework = sides[gap.side]
        if gap.node not in framework:
            raise CatalogError(
                cw.file,
                gap.line,
                f"gap {gap.side} '{gap.node}' not found in framework '{framework.id}'"
                f"{_suggest(gap.node, framework._index)}",
                node=gap.node,
            )


# --------------------------------------------------------------------------------------------------
# Entry points


def load_text(text: str, name: str) -> CatalogFile:
    """Parse and validate one catalog file given as text; ``name`` is used in error messages."""
    data = _parse_yaml(text, name)
    top = _Reader(name, data)
    schema = data.get("schema")
    if schema is None:
        top.fail("missing required key 'schema'")
    if schema not in SCHEMAS:
        shown = schema if isinstance(schema, str) else _describe(schema)
        suggestion = _suggest(shown, SCHEMAS) if isinstance(schema, str) else ""
        top.fail(f"unknown schema '{shown}'{suggestion}; expected one of: {', '.join(SCHEMAS)}", "schema")
    content_hash = _content_hash(data, name)
    if schema == FRAMEWORK_SCHEMA:
        return _parse_framework(name, top, content_hash)
    if schema == TAXONOMY_SCHEMA:
        return _parse_taxonomy(name, top, content_hash)
    return _parse_crosswalk(name, top, content_hash)


def load_file(path: str | Path) -> CatalogFile:
    """Parse and validate one catalog file. Errors name the file by its base name."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(p.name, None, f"not UTF-8 text: {exc.reason}") from None
    return load_text(text, p.name)


def bundled_files(data_dir: Path | None = None) -> list[Path]:
    """The catalog files shipped in ``steward/catalog/data`` (``*.yaml``/``*.yml``), sorted by name."""
    directory = data_dir or DATA_DIR
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_files(paths: Iterable[Path]) -> Bundle:
    """Load several files, reject duplicate file ids and check every crosswalk against the frameworks."""
    frameworks: dict[str, Framework] = {}
    taxonomies: dict[str, Taxonomy] = {}
    crosswalks: dict[str, Crosswalk] = {}
    origin: dict[str, str] = {}
    for path in paths:
        loaded = load_file(path)
        if loaded.id in origin:
            raise CatalogError(
                path.name, None, f"file id '{loaded.id}' is already used by {origin[loaded.id]}"
            )
        origin[loaded.id] = path.name
        if isinstance(loaded, Framework):
            frameworks[loaded.id] = loaded
        elif isinstance(loaded, Taxonomy):
            taxonomies[loaded.id] = loaded
        else:
            crosswalks[loaded.id] = loaded
    for cw in crosswalks.values():
        validate_crosswalk(cw, frameworks)
    return Bundle(
        frameworks=MappingProxyType(frameworks),
        taxonomies=MappingProxyType(taxonomies),
        crosswalks=MappingProxyType(crosswalks),
    )


def load_bundled() -> Bundle:
    """Load and cross-check every file shipped with Steward."""
    return load_files(bundled_files())
