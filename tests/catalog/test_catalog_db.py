"""The catalog in the database: idempotent loads, upgrades that keep assessments, rejected files, exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.catalog import schema, services
from steward.catalog.loader import load_bundled_into_database, load_path
from steward.catalog.models import Crosswalk, CrosswalkRelation, Framework, RequirementNode

TEST_FRAMEWORK_V1 = """\
schema: steward.framework/v1
id: steward-test-framework
version: "1"
data_version: 1
title: "Steward test framework"
licence: "Written for Steward's tests."
nodes:
  - id: "T"
    kind: section
    title: "Everything"
  - id: "T.1"
    kind: control
    title: "Keep an inventory"
    parent: "T"
    assessable: true
    excludable: true
    guidance:
      summary: "List every AI system."
    links: ["T.2"]
  - id: "T.2"
    kind: control
    title: "Review the inventory"
    parent: "T"
    assessable: true
  - id: "T.3"
    kind: control
    title: "Archive old systems"
    parent: "T"
    assessable: true
"""

# v2: T.2 is renamed, T.3 is gone.
TEST_FRAMEWORK_V2 = (
    TEST_FRAMEWORK_V1.replace("data_version: 1", "data_version: 2")
    .replace('"Review the inventory"', '"Review the inventory every quarter"')
    .split('  - id: "T.3"')[0]
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Framework, RequirementNode, Crosswalk, CrosswalkRelation)
    }


# ------------------------------------------------------------------------------------------ idempotency


def test_loading_the_bundled_catalog_again_writes_nothing(catalog: Any) -> None:
    before = {f.identifier: (f.loaded_at, f.content_hash) for f in Framework.objects.all()}
    counts = row_counts()
    with CaptureQueriesContext(connection) as queries:
        report = load_bundled_into_database()
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert report.created == [] and report.upgraded == [] and report.retired_nodes == 0
    assert len(report.unchanged) == len(schema.bundled_files())
    assert {f.identifier: (f.loaded_at, f.content_hash) for f in Framework.objects.all()} == before
    assert row_counts() == counts


def test_bundled_catalog_has_the_reference_counts(catalog: Any) -> None:
    iso = Framework.objects.get(identifier="iso-iec-42001")
    assert iso.nodes.filter(kind="control", retired=False).count() == 38
    assert iso.nodes.filter(kind="clause", assessable=True).count() == 32
    assert Framework.objects.get(identifier="nist-ai-rmf").nodes.filter(kind="subcategory").count() == 72
    assert Crosswalk.objects.count() >= 3


# ------------------------------------------------------------------------------------------------ upgrade


def _assess(node: RequirementNode, org: Any, actor: Any) -> Any:
    from steward.core.services import create_object
    from steward.implementation.models import RequirementAssessment

    return create_object(
        RequirementAssessment,
        organisation_id=org.pk,
        data={"node": node, "status": "in_progress", "implementation": f"Work on {node.label}"},
        by=actor,
    )


def test_a_newer_version_upgrades_by_node_id_and_keeps_every_assessment(
    catalog: Any, org: Any, system_actor: Any, tmp_path: Path
) -> None:
    from steward.implementation.models import RequirementAssessment

    first = load_path(write(tmp_path, "test-v1.yaml", TEST_FRAMEWORK_V1))
    assert first.created == ["steward-test-framework"]
    framework = Framework.objects.get(identifier="steward-test-framework")
    assert framework.source == "imported"
    nodes = {n.node_id: n for n in framework.nodes.all()}
    kept, removed = _assess(nodes["T.2"], org, system_actor), _assess(nodes["T.3"], org, system_actor)

    report = load_path(write(tmp_path, "test-v2.yaml", TEST_FRAMEWORK_V2))

    assert report.upgraded == ["steward-test-framework"] and report.retired_nodes == 1
    framework.refresh_from_db()
    assert framework.data_version == 2
    renamed = RequirementNode.objects.get(framework=framework, node_id="T.2")
    gone = RequirementNode.objects.get(framework=framework, node_id="T.3")
    assert renamed.pk == nodes["T.2"].pk and renamed.title == "Review the inventory every quarter"
    assert gone.pk == nodes["T.3"].pk and gone.retired
    assert RequirementAssessment.objects.get(pk=kept.pk).node_id == renamed.pk
    assert RequirementAssessment.objects.get(pk=removed.pk).node_id == gone.pk
    assert RequirementAssessment.objects.filter(organisation=org).count() == 2
    # The retired node leaves the current view (tree, exports) but its page still answers.
    assert "T.3" not in [n["id"] for n in services.framework_document(framework)["nodes"]]

    # Loading v2 again is a no-op; loading v1 again revives T.3 under the same row.
    assert load_path(tmp_path / "test-v2.yaml").unchanged == ["steward-test-framework"]
    load_path(tmp_path / "test-v1.yaml")
    gone.refresh_from_db()
    assert not gone.retired and RequirementAssessment.objects.get(pk=removed.pk).node_id == gone.pk


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "broken, expected",
    [
        (
            TEST_FRAMEWORK_V1.replace("kind: control", "kind: contrl", 1),
            ":12: node 'T.1': unknown kind 'contrl'",
        ),
        (
            TEST_FRAMEWORK_V1.replace(
                'parent: "T"\n    assessable: true\n  - id: "T.3"',
                'parent: "X"\n    assessable: true\n  - id: "T.3"',
            ),
            "node 'T.2': parent 'X' does not exist",
        ),
        (
            TEST_FRAMEWORK_V1.replace('links: ["T.2"]', 'links: ["T.9"]'),
            "node 'T.1': link 'T.9' does not resolve",
        ),
        (
            TEST_FRAMEWORK_V1.replace('title: "Everything"', 'title: "Everything"\n    titel: "typo"'),
            "unknown key 'titel'",
        ),
        (TEST_FRAMEWORK_V1 + "  - id: [unclosed\n", "invalid YAML"),
    ],
    ids=["unknown-kind", "missing-parent", "dangling-link", "unknown-key", "yaml-syntax"],
)
def test_a_malformed_file_is_rejected_with_file_line_and_node_and_nothing_is_written(
    catalog: Any, tmp_path: Path, broken: str, expected: str
) -> None:
    before = row_counts()
    with pytest.raises(schema.CatalogError) as caught:
        services.load_catalog_file(write(tmp_path, "broken.yaml", broken))
    message = str(caught.value)
    assert message.startswith("broken.yaml:") and expected in message, message
    assert "\n" not in message
    assert row_counts() == before


def test_a_crosswalk_to_a_missing_node_is_rejected_and_nothing_is_written(
    catalog: Any, tmp_path: Path
) -> None:
    crosswalk = """\
schema: steward.crosswalk/v1
id: test-crosswalk
version: "1"
data_version: 1
title: "42001 to 27001 (test)"
source: iso-iec-42001
target: iso-iec-27001
provenance: "Steward's analysis (test)."
relations:
  - source: "A.6.2.4"
    target: "A.8.29"
    type: intersects
    confidence: medium
    rationale: "Testing."
  - source: "A.6.2.99"
    target: "A.8.29"
    type: intersects
    confidence: low
    rationale: "No such control."
"""
    before = row_counts()
    with pytest.raises(schema.CatalogError) as caught:
        services.load_catalog_file(write(tmp_path, "cw.yaml", crosswalk))
    assert "cw.yaml:15: relation 'A.6.2.99' -> 'A.8.29'" in str(caught.value)
    assert row_counts() == before


def test_a_write_failure_midway_rolls_the_whole_file_back(
    catalog: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from steward.catalog import loader

    calls = {"n": 0}
    real_save = RequirementNode.save

    def failing_save(self: RequirementNode, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(RequirementNode, "save", failing_save)
    before = row_counts()
    with pytest.raises(RuntimeError):
        loader.load_path(write(tmp_path, "test-v1.yaml", TEST_FRAMEWORK_V1))
    assert row_counts() == before


# ------------------------------------------------------------------------------------------------ exports


@pytest.mark.parametrize("identifier", ["iso-iec-42001", "nist-ai-rmf", "eu-ai-act", "iso-iec-27001"])
def test_json_export_round_trips_to_the_bundled_framework(catalog: Any, identifier: str) -> None:
    framework = Framework.objects.get(identifier=identifier)
    document = services.framework_document(framework)
    reloaded = schema.load_text(json.dumps(document), f"{identifier}.json")
    bundled = schema.load_bundled().frameworks[identifier]
    assert isinstance(reloaded, schema.Framework)
    assert reloaded.nodes == bundled.nodes
    assert (reloaded.version, reloaded.title, reloaded.licence) == (
        bundled.version,
        bundled.title,
        bundled.licence,
    )


def test_taxonomy_json_export_round_trips(catalog: Any) -> None:
    framework = Framework.objects.get(identifier="iso-iec-42001-annex-c-objectives")
    reloaded = schema.load_text(json.dumps(services.framework_document(framework)), "objectives.json")
    bundled = schema.load_bundled().taxonomies["iso-iec-42001-annex-c-objectives"]
    assert isinstance(reloaded, schema.Taxonomy) and reloaded.terms == bundled.terms


def test_oscal_export_validates_with_trestle(catalog: Any) -> None:
    from trestle.oscal.catalog import Catalog

    framework = Framework.objects.get(identifier="iso-iec-42001")
    document = services.export_framework(framework, "oscal")
    parsed = Catalog.model_validate(document["catalog"])
    assert parsed.metadata.title.startswith("ISO/IEC 42001")
    text = json.dumps(document)
    assert '"A.6.2.4"' in text and "AI system verification and validation" in text


def test_a_taxonomy_exports_as_an_oscal_catalog(catalog: Any) -> None:
    from trestle.oscal.catalog import Catalog

    framework = Framework.objects.get(identifier="iso-iec-22989-lifecycle")
    Catalog.model_validate(services.export_framework(framework, "oscal")["catalog"])


def test_oscal_catalog_file_imports_as_a_framework(catalog: Any, tmp_path: Path) -> None:
    load_path(write(tmp_path, "test-v1.yaml", TEST_FRAMEWORK_V1))
    framework = Framework.objects.get(identifier="steward-test-framework")
    exported = services.export_framework(framework, "oscal")
    path = write(tmp_path, "exported.json", json.dumps(exported))
    report = services.load_catalog_file(path, identifier="steward-test-copy")
    assert report.created == ["steward-test-copy"]
    copy = Framework.objects.get(identifier="steward-test-copy")
    assert list(copy.nodes.values_list("node_id", "title")) == list(
        framework.nodes.values_list("node_id", "title")
    )


def test_ciso_assistant_library_imports_as_a_framework(catalog: Any, tmp_path: Path) -> None:
    library = """\
urn: urn:intuitem:risk:library:test-lib
locale: en
ref_id: test-lib
name: Test library
description: A tiny library for Steward's tests
copyright: Test
version: 1
provider: Test
packager: test
objects:
  framework:
    urn: urn:intuitem:risk:framework:test-lib
    ref_id: test-lib
    name: Test library framework
    requirement_nodes:
      - urn: urn:intuitem:risk:req_node:test-lib:gov
        assessable: false
        depth: 1
        ref_id: GOV
        name: Governance
      - urn: urn:intuitem:risk:req_node:test-lib:gov-1
        assessable: true
        depth: 2
        parent_urn: urn:intuitem:risk:req_node:test-lib:gov
        ref_id: GOV 1
        name: Policies exist
        description: Policies for AI are written down.
"""
    report = services.load_catalog_file(write(tmp_path, "lib.yaml", library), identifier="ciso-test-lib")
    assert report.created == ["ciso-test-lib"]
    nodes = Framework.objects.get(identifier="ciso-test-lib").nodes.order_by("order")
    assert [(n.node_id, n.assessable) for n in nodes] == [("GOV", False), ("GOV-1", True)]
    assert nodes[1].parent is not None and nodes[1].parent.node_id == "GOV"


def test_an_unrecognised_json_file_is_rejected(catalog: Any, tmp_path: Path) -> None:
    with pytest.raises(schema.CatalogError, match=r"^x.json:1: not a Steward catalog file"):
        services.load_catalog_file(write(tmp_path, "x.json", '{"hello": 1}'))
    with pytest.raises(schema.CatalogError, match=r"^y.json:2: invalid JSON"):
        services.load_catalog_file(write(tmp_path, "y.json", '{\n "catalog": }'))


# ---------------------------------------------------------------------------------------------- relations


def test_related_nodes_read_from_either_side_with_the_type_inverted(catalog: Any) -> None:
    relation = CrosswalkRelation.objects.filter(type="subset").select_related("source", "target").first()
    if relation is None:  # pragma: no cover - depends on the data
        relation = (
            CrosswalkRelation.objects.filter(type="superset").select_related("source", "target").first()
        )
    assert relation is not None
    from_source = [r for r in services.related_nodes(relation.source) if r.node.pk == relation.target_id]
    from_target = [r for r in services.related_nodes(relation.target) if r.node.pk == relation.source_id]
    assert from_source[0].type == relation.type and from_source[0].direction == "outgoing"
    assert from_target[0].type == services.INVERSE_RELATION[relation.type]
    assert from_target[0].recorded == relation.type and from_target[0].direction == "incoming"


def test_related_nodes_of_a_control_cost_one_query(catalog: Any, django_assert_num_queries: Any) -> None:
    node = RequirementNode.objects.get(framework__identifier="iso-iec-42001", node_id="A.6.2.4")
    with django_assert_num_queries(1):
        related = services.related_nodes(node)
        frameworks = {r.framework.identifier for r in related} | {r.crosswalk.identifier for r in related}
    assert {"nist-ai-rmf", "eu-ai-act"} <= frameworks
