"""OSCAL catalog export/import and CISO Assistant import (interoperability of the catalog, 7.5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from trestle.oscal.catalog import Catalog

from steward.catalog.oscal import (
    STEWARD_NS,
    catalog_filename,
    ciso_assistant_to_framework_yaml,
    framework_to_oscal_catalog,
    oscal_catalog_to_framework_yaml,
    oscal_control_id,
)
from steward.catalog.schema import CatalogError, Framework, load_bundled, load_text

MOMENT = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)


@cache
def frameworks() -> dict[str, Framework]:
    return dict(load_bundled().frameworks)


def walk(item: dict[str, Any], kind: str = "catalog") -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for group in item.get("groups", []):
        out.append(("group", group))
        out.extend(walk(group, "group"))
    for control in item.get("controls", []):
        out.append(("control", control))
        out.extend(walk(control, "control"))
    return out


def props(item: dict[str, Any], *, steward: bool = True) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop in item.get("props", []):
        if (prop.get("ns") == STEWARD_NS) == steward:
            out.setdefault(prop["name"], []).append(prop["value"])
    return out


def load_framework(text: str) -> Framework:
    loaded = load_text(text, "imported.yaml")
    assert isinstance(loaded, Framework)
    return loaded


def test_oscal_ids_start_with_a_letter() -> None:
    assert oscal_control_id("4.1") == "cl-4.1"
    assert oscal_control_id("10") == "cl-10"
    assert oscal_control_id("A.6.2.8") == "A.6.2.8"
    assert oscal_control_id("GOVERN-1.1") == "GOVERN-1.1"
    assert catalog_filename("iso-iec-42001") == "catalog-iso-iec-42001.json"


# --------------------------------------------------------------------------------------------------
# Export


@pytest.mark.parametrize("framework_id", sorted(load_bundled().frameworks))
def test_every_bundled_framework_exports_to_a_catalog_trestle_validates(framework_id: str) -> None:
    framework = frameworks()[framework_id]
    data = framework_to_oscal_catalog(framework, last_modified=MOMENT)
    catalog = Catalog.model_validate(data["catalog"])
    assert catalog.metadata.title == framework.title
    items = walk(data["catalog"])
    assert len(items) == len(framework.nodes)
    ids = [item["id"] for _, item in items]
    assert len(set(ids)) == len(ids)
    for kind, item in items:
        node_id = props(item).get("node-id", [item["id"]])[0]
        node = framework.node(node_id)
        assert item["id"] == oscal_control_id(node.id)
        assert props(item, steward=False)["label"] == [node.label]
        assert item["class"] == node.kind
        if node.assessable:
            assert kind == "control"
        assert ("groups" in item and "controls" in item) is False
    assert json.dumps(data) == json.dumps(framework_to_oscal_catalog(framework, last_modified=MOMENT))


def test_iso42001_catalog_shape() -> None:
    framework = frameworks()["iso-iec-42001"]
    data = framework_to_oscal_catalog(framework, last_modified=MOMENT)
    by_id = {item["id"]: (kind, item) for kind, item in walk(data["catalog"])}
    controls = [i for i, (kind, item) in by_id.items() if kind == "control" and item["class"] == "control"]
    assert len(controls) == 38
    assert "A.6.2.8" in controls
    kind, a624 = by_id["A.6.2.4"]
    assert props(a624)["excludable"] == ["true"]
    part_names = [p["name"] for p in a624["parts"]]
    assert part_names == ["guidance", "assessment-method", "pitfalls"]
    assert a624["parts"][0]["prose"] == framework.node("A.6.2.4").guidance.summary  # type: ignore[union-attr]
    assert by_id["A"][0] == "group" and by_id["A.6.2"][0] == "group"
    # 6.1 is a heading beside assessable units: a non-assessable control holding 6.1.1-6.1.4.
    kind, heading = by_id["cl-6.1"]
    assert kind == "control" and props(heading)["assessable"] == ["false"]
    assert [c["id"] for c in heading["controls"]] == ["cl-6.1.1", "cl-6.1.2", "cl-6.1.3", "cl-6.1.4"]
    clause_units = [
        i for i, (_, item) in by_id.items() if item["class"] == "clause" and "assessable" not in props(item)
    ]
    assert len(clause_units) == 32
    metadata = data["catalog"]["metadata"]
    assert "Steward's own words" in metadata["remarks"]
    assert metadata["version"] == "2023"
    assert metadata["last-modified"] == "2026-03-02T10:15:00+00:00"
    assert props(metadata)["framework-id"] == ["iso-iec-42001"]


@pytest.mark.parametrize("framework_id", sorted(load_bundled().frameworks))
def test_round_trip_through_oscal_restores_the_framework(framework_id: str) -> None:
    original = frameworks()[framework_id]
    imported = load_framework(oscal_catalog_to_framework_yaml(framework_to_oscal_catalog(original)))
    assert sorted((n.id, n.title) for n in imported.assessable_nodes()) == sorted(
        (n.id, n.title) for n in original.assessable_nodes()
    )
    # Beyond ids and titles: every node field (kind, parent, guidance, links, attributes …) survives.
    assert {n.id: n for n in imported.nodes} == {n.id: n for n in original.nodes}
    for field in (
        "id",
        "version",
        "data_version",
        "title",
        "short_title",
        "publisher",
        "published",
        "licence",
    ):
        assert getattr(imported, field) == getattr(original, field), field
    assert imported.guidance_required == original.guidance_required


# --------------------------------------------------------------------------------------------------
# Import of foreign OSCAL catalogs

FOREIGN = {
    "catalog": {
        "uuid": "8a0c4d2e-6f1b-4c3d-9e8f-0a1b2c3d4e5f",
        "metadata": {
            "title": "Example Controls — édition 2",
            "last-modified": "2024-01-01T00:00:00+00:00",
            "version": "2.0",
            "oscal-version": "1.1.2",
        },
        "groups": [
            {
                "id": "ac",
                "class": "family",
                "title": "Access Control",
                "controls": [
                    {
                        "id": "ac-1",
                        "title": "Policy and Procedures",
                        "props": [{"name": "label", "value": "AC-1"}, {"name": "sort-id", "value": "ac-01"}],
                        "links": [
                            {"href": "#ac-2", "rel": "related"},
                            {"href": "#res-1", "rel": "reference"},
                        ],
                        "parts": [
                            {
                                "id": "ac-1_smt",
                                "name": "statement",
                                "prose": "Develop and document an access control policy.",
                                "parts": [{"id": "ac-1_smt.a", "name": "item", "prose": "Review it yearly."}],
                            },
                            {"id": "ac-1_gdn", "name": "guidance", "prose": "Policy sets the direction."},
                        ],
                        "controls": [{"id": "ac-1.1", "title": "Automated Policy Checks"}],
                    },
                    {
                        "id": "ac-2",
                        "title": "Account Management",
                        "props": [{"name": "label", "value": "AC-2"}],
                    },
                    {"id": "é-3", "title": "Unicode identifier"},
                ],
            },
            {"title": "Group without an id", "groups": [{"id": "sub", "title": "Sub-group"}]},
        ],
    }
}


def test_a_foreign_oscal_catalog_imports_and_loads() -> None:
    text = oscal_catalog_to_framework_yaml(FOREIGN)
    framework = load_framework(text)
    assert framework.id == "example-controls-edition-2"
    assert framework.version == "2.0"
    assert framework.title == "Example Controls — édition 2"
    assert [n.id for n in framework.assessable_nodes()] == ["ac-1", "ac-1.1", "ac-2", "e-3"]
    ac1 = framework.node("ac-1")
    assert ac1.label == "AC-1" and ac1.kind == "control" and ac1.parent == "ac"
    assert ac1.links == ("ac-2",)
    assert ac1.guidance is not None and ac1.guidance.summary == "Policy sets the direction."
    assert ac1.attributes["statement"].startswith("Develop and document")
    assert "Review it yearly." in ac1.attributes["statement"]
    assert framework.node("ac-1.1").parent == "ac-1"
    assert framework.node("ac").kind == "section" and not framework.node("ac").assessable
    unicode_node = framework.node("e-3")
    assert unicode_node.attributes["oscal_id"] == "é-3"
    assert unicode_node.label == "é-3"
    no_id = next(n for n in framework.nodes if n.title == "Group without an id")
    assert no_id.id == "Group-without-an-id"
    assert framework.node("sub").parent == no_id.id


def test_identifier_overrides_the_framework_id() -> None:
    framework = load_framework(oscal_catalog_to_framework_yaml(FOREIGN, identifier="my-controls"))
    assert framework.id == "my-controls"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "an OSCAL catalog must be a JSON object"),
        ({"profile": {}}, "not an OSCAL catalog"),
        ({"catalog": {"metadata": {"version": "1"}}}, "catalog.metadata: missing 'title'"),
        (
            {"catalog": {"metadata": {"title": "x"}, "controls": [{"title": "no id"}]}},
            "catalog.controls[0]: missing 'id'",
        ),
        (
            {"catalog": {"metadata": {"title": "x"}, "controls": [{"id": "a", "title": 7}]}},
            "catalog.controls[0].title: must be a string",
        ),
        ({"catalog": {"metadata": {"title": "x"}, "groups": {"id": "g"}}}, "catalog.groups: must be a list"),
        ({"catalog": {"metadata": {"title": "x"}}}, "has no groups or controls"),
        (
            {
                "catalog": {
                    "metadata": {"title": "x"},
                    "controls": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}],
                }
            },
            "duplicate id 'a'",
        ),
    ],
)
def test_malformed_oscal_catalogs_are_rejected_with_one_line(data: Any, message: str) -> None:
    with pytest.raises(CatalogError) as excinfo:
        oscal_catalog_to_framework_yaml(data, name="upload.json")
    text = str(excinfo.value)
    assert message in text
    assert text.startswith("upload.json")
    assert "\n" not in text


def test_invalid_identifier_is_rejected() -> None:
    with pytest.raises(CatalogError, match="not a valid file id"):
        oscal_catalog_to_framework_yaml(FOREIGN, identifier="1 bad id")


# --------------------------------------------------------------------------------------------------
# CISO Assistant libraries

CISO_LIBRARY = """\
urn: urn:example:risk:library:demo-ai-controls
locale: en
ref_id: DEMO-AI
name: Demo AI controls
description: A small library written for Steward's tests.
copyright: Public domain test data
version: 3
provider: Example Org
packager: example
objects:
  framework:
    urn: urn:example:risk:framework:demo-ai-controls
    ref_id: DEMO-AI
    name: Demo AI controls
    description: Controls for testing the importer.
    requirement_nodes:
    - urn: urn:example:risk:req_node:demo-ai-controls:govern
      assessable: false
      depth: 1
      ref_id: GOVERN
      name: Govern
    - urn: urn:example:risk:req_node:demo-ai-controls:node2
      assessable: false
      depth: 2
      parent_urn: urn:example:risk:req_node:demo-ai-controls:govern
      name: Preamble
    - urn: urn:example:risk:req_node:demo-ai-controls:govern-1.1
      assessable: true
      depth: 2
      parent_urn: urn:example:risk:req_node:demo-ai-controls:govern
      ref_id: GOVERN 1.1
      description: Legal and regulatory requirements involving AI are understood and documented.
      annotation: Think about the EU AI Act.
      typical_evidence: |
        - Register of applicable laws
        - Legal review minutes
      implementation_groups:
      - core
    - urn: urn:example:risk:req_node:demo-ai-controls:govern-1.1-dup
      assessable: true
      depth: 2
      parent_urn: urn:example:risk:req_node:demo-ai-controls:govern
      ref_id: GOVERN 1.1
      name: Same ref_id, different node
    - urn: urn:example:risk:req_node:demo-ai-controls:map
      assessable: false
      depth: 1
      ref_id: MAP
      description: Context is recognised.
    - urn: urn:example:risk:req_node:demo-ai-controls:map-1
      assessable: true
      depth: 2
      ref_id: "1.1"
      name: A node placed by depth only
      description: Older libraries leave out parent_urn.
"""


def test_a_ciso_assistant_library_imports_and_loads() -> None:
    framework = load_framework(ciso_assistant_to_framework_yaml(CISO_LIBRARY))
    assert framework.id == "demo-ai-controls"
    assert framework.title == "Demo AI controls"
    assert framework.version == "3"
    assert framework.publisher == "Example Org"
    assert "urn:example:risk:library:demo-ai-controls" in framework.licence
    assert [n.id for n in framework.nodes] == [
        "GOVERN",
        "node2",
        "GOVERN-1.1",
        "govern-1.1-dup",
        "MAP",
        "1.1",
    ]
    g11 = framework.node("GOVERN-1.1")
    assert g11.label == "GOVERN 1.1" and g11.parent == "GOVERN" and g11.assessable
    assert g11.title == "Legal and regulatory requirements involving AI are understood and documented."
    assert g11.guidance is not None
    assert g11.guidance.evidence == ("Register of applicable laws", "Legal review minutes")
    assert g11.attributes["urn"] == "urn:example:risk:req_node:demo-ai-controls:govern-1.1"
    assert g11.attributes["ref_id"] == "GOVERN 1.1"
    assert g11.attributes["annotation"] == "Think about the EU AI Act."
    assert list(g11.attributes["implementation_groups"]) == ["core"]
    assert framework.node("govern-1.1-dup").title == "Same ref_id, different node"
    assert framework.node("node2").title == "Preamble" and not framework.node("node2").assessable
    assert framework.node("MAP").title == "Context is recognised."
    assert framework.node("1.1").parent == "MAP"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just\n- a list\n", "a CISO Assistant library must be a YAML mapping"),
        ("urn: x\nobjects:\n  threats: []\n", "missing 'objects: framework:'"),
        ("objects:\n  framework:\n    requirement_nodes: []\n", "must be a non-empty list"),
        (
            "objects:\n  framework:\n    requirement_nodes:\n    - urn: a\n      parent_urn: nowhere\n",
            "parent_urn 'nowhere' does not name an earlier requirement node",
        ),
        (
            "objects:\n  framework:\n    requirement_nodes:\n    - urn: a\n      assessable: maybe\n",
            "'assessable' must be true or false",
        ),
        ("objects:\n  framework:\n    requirement_nodes:\n    - ref_id: X\n", "has no 'urn'"),
        (
            "objects:\n  framework:\n    requirement_nodes:\n    - urn: a\n    - urn: a\n",
            "duplicate urn (first on line 4)",
        ),
        ("objects: [unclosed\n", "invalid YAML"),
    ],
)
def test_malformed_ciso_assistant_libraries_are_rejected_with_one_line(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as excinfo:
        ciso_assistant_to_framework_yaml(text, name="lib.yaml")
    rendered = str(excinfo.value)
    assert message in rendered
    assert rendered.startswith("lib.yaml")
    assert "\n" not in rendered
