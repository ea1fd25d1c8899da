"""The bundled catalog data matches the reference facts (shared/domain/iso42001.md, crosswalks.md).

The expected tables below are copied from the reference facts on purpose: the data files must agree with
them, and a change to either has to be deliberate.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from steward.catalog.schema import (
    FEATURES,
    Bundle,
    Crosswalk,
    Framework,
    Taxonomy,
    bundled_files,
    load_bundled,
    load_file,
    validate_crosswalk,
)

# ID, title, documented-information kind (D → document, R → record, both → document_and_record,
# 7.5.x → meta, — → none), links from the "Links" column that must be present.
ISO42001_CLAUSE_UNITS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("4.1", "Understanding the organization and its context", "none", ()),
    ("4.2", "Understanding the needs and expectations of interested parties", "none", ()),
    ("4.3", "Determining the scope of the AI management system", "document", ()),
    ("4.4", "AI management system", "document", ()),
    ("5.1", "Leadership and commitment", "none", ()),
    ("5.2", "AI policy", "document", ("A.2.2", "A.2.3", "A.2.4")),
    ("5.3", "Roles, responsibilities and authorities", "none", ("A.3.2",)),
    ("6.1.1", "Actions to address risks and opportunities — General", "record", ()),
    ("6.1.2", "AI risk assessment", "record", ("6.1.4",)),
    ("6.1.3", "AI risk treatment", "document_and_record", ("A",)),
    ("6.1.4", "AI system impact assessment", "document_and_record", ("A.5.2", "A.5.3", "A.5.4", "A.5.5")),
    ("6.2", "AI objectives and planning to achieve them", "document", ("A.6.1.2", "A.9.3")),
    ("6.3", "Planning of changes", "none", ()),
    ("7.1", "Resources", "none", ("A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6")),
    ("7.2", "Competence", "record", ("A.4.6",)),
    ("7.3", "Awareness", "none", ()),
    ("7.4", "Communication", "none", ("A.8.2", "A.8.3", "A.8.4", "A.8.5")),
    ("7.5.1", "Documented information — General", "meta", ()),
    ("7.5.2", "Creating and updating documented information", "meta", ()),
    ("7.5.3", "Control of documented information", "meta", ()),
    ("8.1", "Operational planning and control", "record", ()),
    ("8.2", "AI risk assessment", "record", ()),
    ("8.3", "AI risk treatment", "record", ()),
    ("8.4", "AI system impact assessment", "record", ()),
    ("9.1", "Monitoring, measurement, analysis and evaluation", "record", ()),
    ("9.2.1", "Internal audit — General", "none", ()),
    ("9.2.2", "Internal audit programme", "record", ()),
    ("9.3.1", "Management review — General", "none", ()),
    ("9.3.2", "Management review inputs", "none", ()),
    ("9.3.3", "Management review results", "record", ()),
    ("10.1", "Continual improvement", "none", ()),
    ("10.2", "Nonconformity and corrective action", "record", ()),
]
ISO42001_HEADINGS = {"6.1", "7.5", "9.2", "9.3"}

ISO42001_OBJECTIVES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "A.2": (
        "Policies related to AI",
        [
            ("A.2.2", "AI policy"),
            ("A.2.3", "Alignment with other organizational policies"),
            ("A.2.4", "Review of the AI policy"),
        ],
    ),
    "A.3": (
        "Internal organization",
        [("A.3.2", "AI roles and responsibilities"), ("A.3.3", "Reporting of concerns")],
    ),
    "A.4": (
        "Resources for AI systems",
        [
            ("A.4.2", "Resource documentation"),
            ("A.4.3", "Data resources"),
            ("A.4.4", "Tooling resources"),
            ("A.4.5", "System and computing resources"),
            ("A.4.6", "Human resources"),
        ],
    ),
    "A.5": (
        "Assessing impacts of AI systems",
        [
            ("A.5.2", "AI system impact assessment process"),
            ("A.5.3", "Documentation of AI system impact assessments"),
            ("A.5.4", "Assessing AI system impact on individuals or groups of individuals"),
            ("A.5.5", "Assessing societal impacts of AI systems"),
        ],
    ),
    "A.6": (
        "AI system life cycle",
        [
            ("A.6.1.2", "Objectives for responsible development of AI system"),
            ("A.6.1.3", "Processes for responsible AI system design and development"),
            ("A.6.2.2", "AI system requirements and specification"),
            ("A.6.2.3", "Documentation of AI system design and development"),
            ("A.6.2.4", "AI system verification and validation"),
            ("A.6.2.5", "AI system deployment"),
            ("A.6.2.6", "AI system operation and monitoring"),
            ("A.6.2.7", "AI system technical documentation"),
            ("A.6.2.8", "AI system recording of event logs"),
        ],
    ),
    "A.7": (
        "Data for AI systems",
        [
            ("A.7.2", "Data for development and enhancement of AI system"),
            ("A.7.3", "Acquisition of data"),
            ("A.7.4", "Quality of data for AI systems"),
            ("A.7.5", "Data provenance"),
            ("A.7.6", "Data preparation"),
        ],
    ),
    "A.8": (
        "Information for interested parties of AI systems",
        [
            ("A.8.2", "System documentation and information for users"),
            ("A.8.3", "External reporting"),
            ("A.8.4", "Communication of incidents"),
            ("A.8.5", "Information for interested parties"),
        ],
    ),
    "A.9": (
        "Use of AI systems",
        [
            ("A.9.2", "Processes for responsible use of AI systems"),
            ("A.9.3", "Objectives for responsible use of AI system"),
            ("A.9.4", "Intended use of the AI system"),
        ],
    ),
    "A.10": (
        "Third-party and customer relationships",
        [("A.10.2", "Allocating responsibilities"), ("A.10.3", "Suppliers"), ("A.10.4", "Customers")],
    ),
}
ISO42001_A6_OBJECTIVES = {
    "A.6.1": "Management guidance for AI system development",
    "A.6.2": "AI system life cycle",
}
# Controls whose own wording asks for documentation (reference facts).
ISO42001_DOCUMENTED_CONTROLS = {
    "A.2.2",
    *(f"A.4.{i}" for i in range(2, 7)),
    "A.5.3",
    "A.5.4",
    "A.5.5",
    "A.6.1.2",
    "A.6.1.3",
    *(f"A.6.2.{i}" for i in range(2, 9)),
    *(f"A.7.{i}" for i in range(2, 7)),
    "A.8.4",
    "A.8.5",
    "A.9.2",
    "A.9.3",
}

ANNEX_C_OBJECTIVES = [
    ("C.2.1", "Accountability"),
    ("C.2.2", "AI expertise"),
    ("C.2.3", "Availability and quality of training and test data"),
    ("C.2.4", "Environmental impact"),
    ("C.2.5", "Fairness"),
    ("C.2.6", "Maintainability"),
    ("C.2.7", "Privacy"),
    ("C.2.8", "Robustness"),
    ("C.2.9", "Safety"),
    ("C.2.10", "Security"),
    ("C.2.11", "Transparency and explainability"),
]
ANNEX_C_RISK_SOURCES = [
    ("C.3.1", "Complexity of environment"),
    ("C.3.2", "Lack of transparency and explainability"),
    ("C.3.3", "Level of automation"),
    ("C.3.4", "Risk sources related to machine learning"),
    ("C.3.5", "System hardware issues"),
    ("C.3.6", "System life cycle issues"),
    ("C.3.7", "Technology readiness"),
]
LIFECYCLE_STAGES = [
    "Inception",
    "Design and development",
    "Verification and validation",
    "Deployment",
    "Operation and monitoring",
    "Re-evaluation",
    "Retirement",
]
ROLES = ["AI provider", "AI producer", "AI customer", "AI partner", "AI subject", "Relevant authorities"]

ISO27001_CLAUSE_UNITS = [
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "9.1",
    "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2",
]  # fmt: skip
ISO27001_THEMES = {
    "A.5": ("Organizational controls", 37),
    "A.6": ("People controls", 8),
    "A.7": ("Physical controls", 14),
    "A.8": ("Technological controls", 34),
}
ISO27001_SPOT_TITLES = {
    "A.5.1": "Policies for information security",
    "A.5.7": "Threat intelligence",
    "A.5.23": "Information security for use of cloud services",
    "A.5.30": "ICT readiness for business continuity",
    "A.5.37": "Documented operating procedures",
    "A.6.8": "Information security event reporting",
    "A.7.4": "Physical security monitoring",
    "A.7.14": "Secure disposal or re-use of equipment",
    "A.8.12": "Data leakage prevention",
    "A.8.16": "Monitoring activities",
    "A.8.23": "Web filtering",
    "A.8.28": "Secure coding",
    "A.8.34": "Protection of information systems during audit testing",
}

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "steward" / "catalog" / "data"


# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_bundled()


@pytest.fixture(scope="module")
def iso42001(bundle: Bundle) -> Framework:
    return bundle.frameworks["iso-iec-42001"]


@pytest.fixture(scope="module")
def iso27001(bundle: Bundle) -> Framework:
    return bundle.frameworks["iso-iec-27001"]


def _controls(fw: Framework) -> list[str]:
    return [n.id for n in fw.nodes if n.kind == "control"]


# --------------------------------------------------------------------------------------------------
# Every bundled file, including files other people add later


def _crosswalk_files() -> list[Path]:
    schema_line = re.compile(r"^schema:\s*['\"]?steward\.crosswalk/v1", re.MULTILINE)
    return [p for p in bundled_files() if schema_line.search(p.read_text(encoding="utf-8"))]


def test_bundled_files_live_in_the_package_data_folder() -> None:
    files = bundled_files()
    assert files, "no catalog files bundled"
    assert all(p.parent == DATA_DIR for p in files)
    names = {p.name for p in files}
    for expected in (
        "iso-iec-42001.yaml",
        "iso-iec-27001.yaml",
        "iso-iec-42001-annex-c.yaml",
        "iso-iec-42001-annex-c-risk-sources.yaml",
        "iso-iec-22989-roles.yaml",
        "iso-iec-22989-lifecycle.yaml",
        "crosswalk-iso-iec-42001--iso-iec-27001.yaml",
    ):
        assert expected in names


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_every_bundled_file_is_valid(path: Path) -> None:
    loaded = load_file(path)
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.content_hash)


@pytest.mark.parametrize("path", _crosswalk_files(), ids=lambda p: p.name)
def test_every_crosswalk_relation_resolves(path: Path, bundle: Bundle) -> None:
    cw = load_file(path)
    assert isinstance(cw, Crosswalk)
    assert cw.relations
    assert "Steward" in cw.provenance, "crosswalks are Steward's analysis and must say so"
    validate_crosswalk(cw, bundle.frameworks)  # raises CatalogError naming the relation and the missing id
    source, target = bundle.frameworks[cw.source], bundle.frameworks[cw.target]
    for rel in cw.relations:
        assert rel.source in source, rel
        assert rel.target in target, rel


def test_known_crosswalks_are_covered_by_the_parametrised_test() -> None:
    names = {p.name for p in _crosswalk_files()}
    assert "crosswalk-iso-iec-42001--iso-iec-27001.yaml" in names


def test_bundle_loads_and_ids_are_unique_across_files(bundle: Bundle) -> None:
    assert {"iso-iec-42001", "iso-iec-27001"} <= set(bundle.frameworks)
    ids = [*bundle.frameworks, *bundle.taxonomies, *bundle.crosswalks]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------------------------------
# ISO/IEC 42001: clauses


def test_42001_has_exactly_the_32_clause_units(iso42001: Framework) -> None:
    units = [n for n in iso42001.nodes if n.kind == "clause" and n.assessable]
    assert [(n.id, n.title) for n in units] == [(i, t) for i, t, _, _ in ISO42001_CLAUSE_UNITS]
    assert len(units) == 32


def test_42001_clause_units_can_never_be_excluded(iso42001: Framework) -> None:
    for unit_id, *_ in ISO42001_CLAUSE_UNITS:
        node = iso42001.node(unit_id)
        assert node.assessable and not node.excludable, unit_id


def test_42001_headings_are_not_assessable(iso42001: Framework) -> None:
    for heading in ISO42001_HEADINGS:
        node = iso42001.node(heading)
        assert node.kind == "clause" and not node.assessable
    sections = [n for n in iso42001.roots() if n.kind == "section"]
    assert [n.id for n in sections] == ["4", "5", "6", "7", "8", "9", "10"]
    assert all(not n.assessable for n in sections)


@pytest.mark.parametrize(("unit_id", "di_kind"), [(u[0], u[2]) for u in ISO42001_CLAUSE_UNITS])
def test_42001_documented_information_kind_per_unit(iso42001: Framework, unit_id: str, di_kind: str) -> None:
    node = iso42001.node(unit_id)
    assert node.documented_information == di_kind
    if di_kind in ("document", "record", "document_and_record"):
        assert node.di_items, f"{unit_id} must name the documents/records it asks for"


@pytest.mark.parametrize(("unit_id", "links"), [(u[0], u[3]) for u in ISO42001_CLAUSE_UNITS if u[3]])
def test_42001_links_follow_the_reference_facts(
    iso42001: Framework, unit_id: str, links: tuple[str, ...]
) -> None:
    assert set(links) <= set(iso42001.node(unit_id).links)


def test_42001_operation_units_link_to_their_planning_units(iso42001: Framework) -> None:
    assert "6.1.2" in iso42001.node("8.2").links
    assert "6.1.3" in iso42001.node("8.3").links
    assert "6.1.4" in iso42001.node("8.4").links


# --------------------------------------------------------------------------------------------------
# ISO/IEC 42001: Annex A


def test_42001_has_exactly_the_38_controls(iso42001: Framework) -> None:
    expected = [c for _, controls in ISO42001_OBJECTIVES.values() for c in controls]
    actual = [(n.id, n.title) for n in iso42001.nodes if n.kind == "control"]
    assert actual == expected
    assert len(actual) == 38


def test_42001_has_nine_objective_groupings_with_the_reference_counts(iso42001: Framework) -> None:
    groupings = iso42001.children("A")
    assert [(g.id, g.title) for g in groupings] == [(k, v[0]) for k, v in ISO42001_OBJECTIVES.items()]
    counts = []
    for g in groupings:
        controls = [n for n in iso42001.nodes if n.kind == "control" and g in iso42001.ancestors(n.id)]
        assert [(c.id, c.title) for c in controls] == ISO42001_OBJECTIVES[g.id][1]
        counts.append(len(controls))
    assert counts == [3, 2, 5, 4, 9, 5, 4, 3, 3]


def test_42001_a6_splits_into_two_objectives(iso42001: Framework) -> None:
    a6 = iso42001.node("A.6")
    assert a6.kind == "section"
    assert {n.id: n.title for n in iso42001.children("A.6")} == ISO42001_A6_OBJECTIVES
    assert all(n.kind == "objective" for n in iso42001.children("A.6"))
    objective_nodes = [n for n in iso42001.nodes if n.kind == "objective"]
    assert len(objective_nodes) == 10  # A.2 to A.5, A.6.1, A.6.2, A.7 to A.10


def test_42001_controls_are_excludable_with_annex_b_reference(iso42001: Framework) -> None:
    for node in iso42001.nodes:
        if node.kind == "control":
            assert node.assessable and node.excludable, node.id
            assert node.attributes.get("annex_b") == "B" + node.id[1:], node.id
            # controls sit under their objective (the .1 slot), never directly under the annex
            assert iso42001.node(node.parent or "").kind == "objective", node.id


def test_42001_controls_asking_for_documentation_are_marked(iso42001: Framework) -> None:
    documented = {n.id for n in iso42001.nodes if n.kind == "control" and n.documented_information != "none"}
    assert documented == ISO42001_DOCUMENTED_CONTROLS


# --------------------------------------------------------------------------------------------------
# ISO/IEC 42001: Steward's guidance


def test_42001_requires_guidance(iso42001: Framework) -> None:
    assert iso42001.guidance_required


def test_every_42001_unit_and_control_has_complete_guidance(iso42001: Framework) -> None:
    assessable = iso42001.assessable_nodes()
    assert len(assessable) == 32 + 38
    for node in assessable:
        g = node.guidance
        assert g is not None, node.id
        assert g.summary.strip(), node.id
        assert 2 <= len(g.evidence) <= 5, f"{node.id}: evidence should list 2-5 items"
        assert 1 <= len(g.pitfalls) <= 3, f"{node.id}: pitfalls should list 1-3 items"
        assert g.features and set(g.features) <= set(FEATURES), node.id
        assert all(s.strip() for s in (*g.evidence, *g.pitfalls)), node.id


def test_42001_summaries_are_distinct(iso42001: Framework) -> None:
    summaries = [n.guidance.summary for n in iso42001.assessable_nodes() if n.guidance]
    assert len(summaries) == len(set(summaries)), "guidance must be specific, not copied between nodes"


def test_42001_guidance_strings_stay_short(iso42001: Framework) -> None:
    """Copyright guard: guidance is a summary in Steward's words, never long passages of the standard."""
    for node in iso42001.nodes:
        if node.guidance is None:
            continue
        g = node.guidance
        for text in (g.summary, *g.evidence, *g.pitfalls, *g.features):
            assert len(text) <= 600, f"{node.id}: guidance string of {len(text)} characters"


def test_42001_file_states_licence_and_provenance(iso42001: Framework) -> None:
    assert "Steward" in iso42001.licence
    assert iso42001.version == "2023"


# --------------------------------------------------------------------------------------------------
# Taxonomies


def _taxonomy(bundle: Bundle, taxonomy_id: str) -> Taxonomy:
    return bundle.taxonomies[taxonomy_id]


def test_annex_c_has_11_objectives(bundle: Bundle) -> None:
    tax = _taxonomy(bundle, "iso-iec-42001-annex-c-objectives")
    assert [(t.id, t.title) for t in tax.terms] == ANNEX_C_OBJECTIVES
    assert all(t.description.strip() for t in tax.terms)


def test_annex_c_has_7_risk_sources_in_order(bundle: Bundle) -> None:
    tax = _taxonomy(bundle, "iso-iec-42001-annex-c-risk-sources")
    assert [(t.id, t.title) for t in tax.terms] == ANNEX_C_RISK_SOURCES
    assert all(t.description.strip() for t in tax.terms)


def test_22989_life_cycle_has_7_stages_in_order(bundle: Bundle) -> None:
    tax = _taxonomy(bundle, "iso-iec-22989-lifecycle")
    assert [t.title for t in tax.terms] == LIFECYCLE_STAGES
    assert all(t.parent is None for t in tax.terms)


def test_22989_roles_have_sub_roles(bundle: Bundle) -> None:
    tax = _taxonomy(bundle, "iso-iec-22989-roles")
    assert [t.title for t in tax.roots()] == ROLES
    by_title = {t.title: t for t in tax.terms}
    assert {t.title for t in tax.children(by_title["AI customer"].id)} == {"AI user"}
    assert len(tax.children(by_title["AI provider"].id)) == 2
    assert len(tax.children(by_title["AI producer"].id)) == 10
    assert len(tax.children(by_title["AI partner"].id)) == 3
    assert len(tax.children(by_title["AI subject"].id)) == 2
    assert len(tax.children(by_title["Relevant authorities"].id)) == 2


# --------------------------------------------------------------------------------------------------
# ISO/IEC 27001


def test_27001_has_the_harmonized_clause_units(iso27001: Framework) -> None:
    units = [n.id for n in iso27001.nodes if n.kind == "clause" and n.assessable]
    assert units == ISO27001_CLAUSE_UNITS
    assert all(not iso27001.node(u).excludable for u in units)
    assert iso27001.node("5.2").title == "Policy"
    assert iso27001.node("6.1.2").title == "Information security risk assessment"


def test_27001_has_93_annex_a_controls_in_four_themes(iso27001: Framework) -> None:
    themes = iso27001.children("A")
    assert {t.id: (t.title, len(iso27001.children(t.id))) for t in themes} == ISO27001_THEMES
    controls = _controls(iso27001)
    assert len(controls) == 93
    for theme_id, (_, count) in ISO27001_THEMES.items():
        assert [c.id for c in iso27001.children(theme_id)] == [f"{theme_id}.{i}" for i in range(1, count + 1)]
    for control_id, title in ISO27001_SPOT_TITLES.items():
        assert iso27001.node(control_id).title == title
    assert all(iso27001.node(c).excludable for c in controls)


# --------------------------------------------------------------------------------------------------
# 42001 ↔ 27001 crosswalk


def test_42001_27001_crosswalk_covers_the_harmonized_structure(bundle: Bundle) -> None:
    cw = bundle.crosswalks["iso-iec-42001--iso-iec-27001"]
    assert (cw.source, cw.target) == ("iso-iec-42001", "iso-iec-27001")
    clause_pairs = {(r.source, r.target) for r in cw.relations if not r.source.startswith("A")}
    for unit_id, *_ in ISO42001_CLAUSE_UNITS:
        if unit_id in ("6.1.4", "8.4"):
            assert not cw.relations_from(unit_id), "impact assessment has no 27001 counterpart"
            assert any(g.side == "source" and g.node == unit_id for g in cw.gaps)
        else:
            assert (unit_id, unit_id) in clause_pairs, unit_id


def test_42001_27001_crosswalk_annex_a_relations(bundle: Bundle) -> None:
    cw = bundle.crosswalks["iso-iec-42001--iso-iec-27001"]
    pairs = {(r.source, r.target): r for r in cw.relations}
    assert pairs[("A.6.2.8", "A.8.15")].confidence == "high"  # strong in the reference analysis
    assert pairs[("A.10.3", "A.8.30")].confidence == "high"
    assert pairs[("A.3.2", "A.5.2")].confidence == "high"
    assert pairs[("A.3.3", "A.6.8")].confidence == "low"  # weak
    assert pairs[("A.6.2.7", "A.5.37")].confidence == "low"
    assert pairs[("A.8.3", "A.6.8")].confidence == "low"
    gaps = {g.node for g in cw.gaps if g.side == "source"}
    assert {"A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.8.2", "A.9.3", "A.10.4"} <= gaps
    assert all(r.rationale.strip() for r in cw.relations)
