"""Malformed catalog files are rejected with the file, the line and the node (or relation) named."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from steward.catalog.schema import (
    CatalogError,
    Crosswalk,
    Framework,
    Taxonomy,
    load_file,
    load_files,
    load_text,
    validate_crosswalk,
)

FRAMEWORK = """\
schema: steward.framework/v1
id: demo
version: "1"
data_version: 1
title: "Demo framework"
licence: "Test data"
guidance_required: true
nodes:
  - id: "4"
    kind: section
    title: "Context"
  - id: "4.1"
    kind: clause
    title: "Understanding context"
    parent: "4"
    assessable: true
    documented_information: document
    di_items: ["Context register"]
    links: ["A.2.2"]
    guidance:
      summary: "Know your context."
      evidence: ["Context register"]
      pitfalls: ["Never reviewed"]
      features: [context]
  - id: "A"
    kind: annex
    title: "Controls"
  - id: "A.2"
    kind: objective
    title: "Policies"
    parent: "A"
  - id: "A.2.2"
    kind: control
    title: "AI policy"
    parent: "A.2"
    assessable: true
    excludable: true
    guidance:
      summary: "Have a policy."
      evidence: ["Approved policy"]
      pitfalls: ["Not approved"]
      features: [policy]
    attributes:
      annex_b: "B.2.2"
      applies_from: 2026-08-02
"""

OTHER = """\
schema: steward.framework/v1
id: other
version: "1"
data_version: 1
title: "Other framework"
licence: "Test data"
nodes:
  - id: "GOV"
    kind: function
    title: "Govern"
  - id: "GOV-1"
    kind: category
    title: "Policies"
    parent: "GOV"
"""

CROSSWALK = """\
schema: steward.crosswalk/v1
id: demo--other
version: "1"
data_version: 1
title: "Demo to other"
source: demo
target: other
provenance: "Steward's analysis; test data."
relations:
  - source: "A.2.2"
    target: "GOV-1"
    type: intersects
    confidence: high
    rationale: "Both ask for a policy."
  - source: "4.1"
    target: "GOV"
    type: subset
    confidence: low
    rationale: "Context feeds governance."
gaps:
  - side: source
    node: "A.2"
    rationale: "No counterpart."
"""

TAXONOMY = """\
schema: steward.taxonomy/v1
id: demo-terms
version: "1"
data_version: 1
title: "Demo terms"
licence: "Test data"
terms:
  - id: root
    title: "Root"
    description: "Top."
  - id: child
    title: "Child"
    description: "Below root."
    parent: root
"""


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"fixture edit {old!r} is ambiguous"
    return text.replace(old, new)


def _error(text: str, name: str = "demo.yaml") -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_text(text, name)
    return info.value


# --------------------------------------------------------------------------------------------------
# Valid input


def test_valid_framework_loads_into_frozen_dataclasses() -> None:
    fw = load_text(FRAMEWORK, "demo.yaml")
    assert isinstance(fw, Framework)
    assert [n.id for n in fw.nodes] == ["4", "4.1", "A", "A.2", "A.2.2"]
    node = fw.node("4.1")
    assert node.label == "4.1"  # defaults to the id
    assert node.di_items == ("Context register",)
    assert node.links == ("A.2.2",)
    assert node.guidance is not None and node.guidance.features == ("context",)
    assert node.line == _line_of(FRAMEWORK, 'id: "4.1"')
    assert [n.id for n in fw.children("A.2")] == ["A.2.2"]
    assert [n.id for n in fw.ancestors("A.2.2")] == ["A.2", "A"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        node.attributes["annex_b"] = "x"  # type: ignore[index]


def test_unquoted_dates_stay_text() -> None:
    fw = load_text(FRAMEWORK, "demo.yaml")
    assert isinstance(fw, Framework)
    assert fw.node("A.2.2").attributes["applies_from"] == "2026-08-02"


def test_content_hash_ignores_comments_and_layout_but_not_data() -> None:
    base = load_text(FRAMEWORK, "demo.yaml").content_hash
    commented = "# a comment\n" + FRAMEWORK.replace(
        'title: "Demo framework"', "title:   'Demo framework'  # x"
    )
    assert load_text(commented, "demo.yaml").content_hash == base
    changed = FRAMEWORK.replace('title: "Demo framework"', 'title: "Demo framework v2"')
    assert load_text(changed, "demo.yaml").content_hash != base
    assert re.fullmatch(r"[0-9a-f]{64}", base)


def test_taxonomy_and_crosswalk_load() -> None:
    tax = load_text(TAXONOMY, "terms.yaml")
    assert isinstance(tax, Taxonomy)
    assert [t.id for t in tax.children("root")] == ["child"]
    cw = load_text(CROSSWALK, "cw.yaml")
    assert isinstance(cw, Crosswalk)
    assert [r.target for r in cw.relations_from("A.2.2")] == ["GOV-1"]
    frameworks = {"demo": load_text(FRAMEWORK, "demo.yaml"), "other": load_text(OTHER, "other.yaml")}
    validate_crosswalk(cw, frameworks)  # type: ignore[arg-type]


def test_load_file_names_the_file_by_its_base_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(_replace(FRAMEWORK, "kind: control", "kind: contrl"), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_file(path)
    assert str(info.value).startswith(f"broken.yaml:{_line_of(FRAMEWORK, 'kind: control')}: node 'A.2.2':")


# --------------------------------------------------------------------------------------------------
# Framework errors: each names file, line and node


def test_bad_yaml_names_file_line_and_nearest_node() -> None:
    text = _replace(FRAMEWORK, 'title: "AI policy"', 'title: ["AI policy"')
    err = _error(text)
    assert err.file == "demo.yaml"
    assert err.line is not None and err.line >= _line_of(text, 'title: ["AI policy"')
    assert err.node == "A.2.2"
    assert "invalid YAML" in str(err)
    assert str(err).startswith(f"demo.yaml:{err.line}: node 'A.2.2': invalid YAML")


def test_unknown_kind() -> None:
    err = _error(_replace(FRAMEWORK, "kind: control", "kind: contrl"))
    line = _line_of(FRAMEWORK, "kind: control")
    assert str(err).startswith(f"demo.yaml:{line}: node 'A.2.2': unknown kind 'contrl'")
    assert "did you mean 'control'" in str(err)
    assert (err.file, err.line, err.node) == ("demo.yaml", line, "A.2.2")


def test_duplicate_node_id() -> None:
    text = _replace(FRAMEWORK, 'id: "A.2"\n', 'id: "4.1"\n')
    err = _error(text)
    assert err.node == "4.1"
    assert err.line == _line_of(text, 'id: "4.1"', occurrence=2)
    assert "duplicate node id (first defined on line" in err.reason
    assert str(err).startswith(f"demo.yaml:{err.line}: node '4.1': duplicate node id")


def test_missing_parent() -> None:
    text = _replace(FRAMEWORK, 'parent: "A.2"', 'parent: "A.3"')
    err = _error(text)
    line = _line_of(text, 'parent: "A.3"')
    assert (err.file, err.line, err.node) == ("demo.yaml", line, "A.2.2")
    assert str(err).startswith(f"demo.yaml:{line}: node 'A.2.2': parent 'A.3' does not exist")


def test_parent_cycle() -> None:
    text = _replace(FRAMEWORK, "    kind: annex\n", '    kind: annex\n    parent: "A.2.2"\n')
    err = _error(text)
    assert "cycle" in err.reason
    assert err.node in {"A", "A.2", "A.2.2"}
    assert err.line is not None and err.line in {
        _line_of(text, 'parent: "A.2.2"'),
        _line_of(text, 'parent: "A.2"'),
        _line_of(text, 'parent: "A"'),
    }
    assert str(err).startswith(f"demo.yaml:{err.line}: node '{err.node}': parent chain forms a cycle")


def test_self_parent_is_a_cycle() -> None:
    text = _replace(FRAMEWORK, "    kind: annex\n", '    kind: annex\n    parent: "A"\n')
    err = _error(text)
    assert err.node == "A" and "cycle" in err.reason


def test_unresolved_link() -> None:
    text = _replace(FRAMEWORK, 'links: ["A.2.2"]', 'links: ["A.2.9"]')
    err = _error(text)
    assert (err.node, err.line) == ("4.1", _line_of(text, 'links: ["A.2.9"]'))
    assert "link 'A.2.9' does not resolve" in err.reason


def test_missing_guidance_where_required() -> None:
    start = FRAMEWORK.index('    guidance:\n      summary: "Have a policy."')
    end = FRAMEWORK.index("    attributes:\n      annex_b")
    text = FRAMEWORK[:start] + FRAMEWORK[end:]
    err = _error(text)
    assert err.node == "A.2.2"
    assert err.line == _line_of(text, 'id: "A.2.2"')
    assert "missing guidance" in err.reason


def test_incomplete_guidance_where_required() -> None:
    text = _replace(FRAMEWORK, '      pitfalls: ["Not approved"]\n', "      pitfalls: []\n")
    err = _error(text)
    assert err.node == "A.2.2"
    assert "'guidance.pitfalls' must be a non-empty list" in err.reason


def test_guidance_not_required_when_flag_is_off() -> None:
    start = FRAMEWORK.index('    guidance:\n      summary: "Have a policy."')
    end = FRAMEWORK.index("    attributes:\n      annex_b")
    text = (FRAMEWORK[:start] + FRAMEWORK[end:]).replace(
        "guidance_required: true", "guidance_required: false"
    )
    fw = load_text(text, "demo.yaml")
    assert isinstance(fw, Framework) and fw.node("A.2.2").guidance is None


def test_unknown_feature_name() -> None:
    err = _error(_replace(FRAMEWORK, "features: [policy]", "features: [policies]"))
    assert err.node == "A.2.2" and "unknown guidance.features value 'policies'" in err.reason


def test_duplicate_yaml_key() -> None:
    text = _replace(FRAMEWORK, '    title: "AI policy"\n', '    title: "AI policy"\n    title: "Again"\n')
    err = _error(text)
    assert (err.node, err.line) == ("A.2.2", _line_of(text, 'title: "Again"'))
    assert "duplicate key 'title'" in err.reason


def test_unquoted_numeric_id_is_rejected() -> None:
    text = _replace(FRAMEWORK, 'id: "4.1"', "id: 4.1")
    err = _error(text)
    assert err.line == _line_of(text, "id: 4.1")
    assert err.node == "4.1"
    assert "must be a string" in err.reason


def test_unknown_key_with_suggestion() -> None:
    text = _replace(
        FRAMEWORK,
        "    assessable: true\n    excludable: true\n",
        "    assessable: true\n    excludible: true\n",
    )
    err = _error(text)
    assert err.node == "A.2.2" and "unknown key 'excludible' (did you mean 'excludable'?)" in err.reason


def test_excludable_needs_assessable() -> None:
    err = _error(
        _replace(FRAMEWORK, "    assessable: true\n    excludable: true\n", "    excludable: true\n")
    )
    assert err.node == "A.2.2" and "needs 'assessable: true'" in err.reason


def test_invalid_node_id_pattern() -> None:
    err = _error(_replace(FRAMEWORK, 'id: "A.2"\n', 'id: "A 2"\n'))
    assert err.node == "A 2" and "not a valid node id" in err.reason


def test_unknown_schema_and_empty_file() -> None:
    err = _error(FRAMEWORK.replace("steward.framework/v1", "steward.framewrk/v1"))
    assert err.line == 1 and "unknown schema 'steward.framewrk/v1'" in err.reason
    assert _error("").reason == "file is empty"


# --------------------------------------------------------------------------------------------------
# Taxonomy errors


def test_taxonomy_duplicate_term_and_missing_parent() -> None:
    dup = _error(_replace(TAXONOMY, "  - id: child\n", "  - id: root\n"), "terms.yaml")
    assert dup.node == "root" and "duplicate term id" in dup.reason and dup.file == "terms.yaml"
    orphan = _error(_replace(TAXONOMY, "parent: root", "parent: rooot"), "terms.yaml")
    assert orphan.node == "child" and "parent 'rooot' does not exist" in orphan.reason
    assert orphan.line == _line_of(TAXONOMY, "parent: root")


# --------------------------------------------------------------------------------------------------
# Crosswalk errors


def _frameworks() -> dict[str, Framework]:
    demo, other = load_text(FRAMEWORK, "demo.yaml"), load_text(OTHER, "other.yaml")
    assert isinstance(demo, Framework) and isinstance(other, Framework)
    return {"demo": demo, "other": other}


def test_unresolved_crosswalk_target() -> None:
    text = _replace(CROSSWALK, 'target: "GOV-1"', 'target: "GOV-9"')
    cw = load_text(text, "cw.yaml")
    assert isinstance(cw, Crosswalk)
    with pytest.raises(CatalogError) as info:
        validate_crosswalk(cw, _frameworks())
    err = info.value
    assert err.relation == ("A.2.2", "GOV-9")
    assert err.line == _line_of(text, 'source: "A.2.2"')
    assert str(err).startswith(
        f"cw.yaml:{err.line}: relation 'A.2.2' -> 'GOV-9': target 'GOV-9' not found in framework 'other'"
    )


def test_unresolved_crosswalk_source() -> None:
    cw = load_text(_replace(CROSSWALK, 'source: "4.1"', 'source: "4.9"'), "cw.yaml")
    assert isinstance(cw, Crosswalk)
    with pytest.raises(CatalogError) as info:
        validate_crosswalk(cw, _frameworks())
    assert info.value.relation == ("4.9", "GOV") and "source '4.9' not found in framework 'demo'" in str(
        info.value
    )


def test_crosswalk_to_unknown_framework() -> None:
    cw = load_text(CROSSWALK, "cw.yaml")
    assert isinstance(cw, Crosswalk)
    with pytest.raises(CatalogError, match=r"cw\.yaml: target framework 'other' is not loaded"):
        validate_crosswalk(cw, {"demo": _frameworks()["demo"]})


def test_crosswalk_unresolved_gap() -> None:
    cw = load_text(_replace(CROSSWALK, 'node: "A.2"', 'node: "A.7"'), "cw.yaml")
    assert isinstance(cw, Crosswalk)
    with pytest.raises(CatalogError) as info:
        validate_crosswalk(cw, _frameworks())
    assert info.value.node == "A.7" and "gap source 'A.7' not found" in info.value.reason


def test_crosswalk_bad_type_duplicate_relation_and_contradicting_gap() -> None:
    bad_type = _error(_replace(CROSSWALK, "type: subset", "type: overlaps"), "cw.yaml")
    assert bad_type.relation == ("4.1", "GOV") and "unknown type 'overlaps'" in bad_type.reason
    assert bad_type.line == _line_of(CROSSWALK, "type: subset")

    duplicate = _error(
        _replace(CROSSWALK, 'source: "4.1"\n    target: "GOV"', 'source: "A.2.2"\n    target: "GOV-1"'),
        "cw.yaml",
    )
    assert duplicate.relation == ("A.2.2", "GOV-1") and "duplicate relation" in duplicate.reason

    contradiction = _error(_replace(CROSSWALK, 'node: "A.2"', 'node: "4.1"'), "cw.yaml")
    assert contradiction.node == "4.1" and "a gap means no counterpart" in contradiction.reason


def test_load_files_checks_crosswalks_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (tmp_path / "other.yaml").write_text(OTHER, encoding="utf-8")
    (tmp_path / "cw.yaml").write_text(
        _replace(CROSSWALK, 'target: "GOV-1"', 'target: "GOV-2"'), encoding="utf-8"
    )
    paths = sorted(tmp_path.iterdir())
    with pytest.raises(CatalogError, match=r"relation 'A\.2\.2' -> 'GOV-2'"):
        load_files(paths)

    (tmp_path / "cw.yaml").write_text(CROSSWALK, encoding="utf-8")
    bundle = load_files(sorted(tmp_path.iterdir()))
    assert set(bundle.frameworks) == {"demo", "other"} and set(bundle.crosswalks) == {"demo--other"}

    (tmp_path / "copy.yaml").write_text(OTHER, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"file id 'other' is already used by"):
        load_files(sorted(tmp_path.iterdir()))
