"""NIST AI RMF 1.0, NIST AI 600-1, EU AI Act catalog files and their crosswalks to ISO/IEC 42001.

Counts, identifiers and dates are checked against Steward's reference facts
(shared/domain/crosswalks.md): 4 functions, 19 categories, 72 subcategories; EU AI Act obligations with
roles, risk outcomes and original and Digital Omnibus application dates.
"""

from __future__ import annotations

import re

import pytest

from steward.catalog.schema import DATA_DIR, Crosswalk, Framework, Taxonomy, load_file, validate_crosswalk

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SUBCATEGORY_COUNTS = {
    "GOVERN": {1: 7, 2: 3, 3: 2, 4: 3, 5: 2, 6: 2},
    "MAP": {1: 6, 2: 3, 3: 5, 4: 2, 5: 2},
    "MEASURE": {1: 3, 2: 13, 3: 3, 4: 3},
    "MANAGE": {1: 4, 2: 4, 3: 2, 4: 3},
}

ROLES = {
    "provider",
    "deployer",
    "importer",
    "distributor",
    "authorised-representative",
    "product-manufacturer",
}
RISK_OUTCOMES = {"prohibited", "high-risk", "transparency", "gpai", "gpai-systemic", "minimal", "all"}

EU_OBLIGATIONS = [
    "art-4",
    "art-5",
    "art-6",
    "art-6-3",
    "art-6-4",
    "art-9",
    "art-10",
    "art-11",
    "art-12",
    "art-13",
    "art-14",
    "art-15",
    "art-16",
    "art-17",
    "art-20",
    "art-25",
    "art-26",
    "art-27",
    "art-43",
    "art-47",
    "art-48",
    "art-49",
    "art-50",
    "art-53",
    "art-55",
    "art-72",
    "art-73",
]
ANNEX_III_HIGH_RISK = [
    "art-9",
    "art-10",
    "art-11",
    "art-12",
    "art-13",
    "art-14",
    "art-15",
    "art-16",
    "art-17",
    "art-20",
    "art-26",
    "art-27",
    "art-43",
    "art-49",
    "art-72",
    "art-73",
]
# Articles of the 42001 <-> EU AI Act table in crosswalks.md (16, 43, 47-49 have no 42001 counterpart).
EU_TABLE_ARTICLES = [
    "art-4",
    "art-5",
    "art-6",
    "art-9",
    "art-10",
    "art-11",
    "art-12",
    "art-13",
    "art-14",
    "art-15",
    "art-17",
    "art-20",
    "art-25",
    "art-26",
    "art-27",
    "art-50",
    "art-53",
    "art-55",
    "art-72",
    "art-73",
]
EU_NO_COUNTERPART = ["art-16", "art-43", "art-47", "art-48", "art-49"]


def _load(name: str):
    return load_file(DATA_DIR / name)


@pytest.fixture(scope="module")
def rmf() -> Framework:
    fw = _load("nist-ai-rmf.yaml")
    assert isinstance(fw, Framework)
    return fw


@pytest.fixture(scope="module")
def euaia() -> Framework:
    fw = _load("eu-ai-act.yaml")
    assert isinstance(fw, Framework)
    return fw


# --------------------------------------------------------------------------------------------- NIST AI RMF


def test_rmf_header(rmf: Framework) -> None:
    assert rmf.id == "nist-ai-rmf"
    assert rmf.version == "1.0"


def test_rmf_has_exactly_four_functions(rmf: Framework) -> None:
    functions = [n for n in rmf.nodes if n.kind == "function"]
    assert [n.id for n in functions] == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    assert all(n.parent is None and not n.assessable for n in functions)


def test_rmf_has_exactly_nineteen_categories(rmf: Framework) -> None:
    categories = [n for n in rmf.nodes if n.kind == "category"]
    expected = [f"{fn}-{c}" for fn, cats in SUBCATEGORY_COUNTS.items() for c in cats]
    assert len(categories) == 19
    assert [n.id for n in categories] == expected
    for n in categories:
        function, number = n.id.split("-")
        assert n.parent == function
        assert n.label == f"{function} {number}"


def test_rmf_has_exactly_72_subcategories_with_exact_ids(rmf: Framework) -> None:
    subcategories = [n for n in rmf.nodes if n.kind == "subcategory"]
    expected = [
        f"{fn}-{c}.{i}"
        for fn, cats in SUBCATEGORY_COUNTS.items()
        for c, count in cats.items()
        for i in range(1, count + 1)
    ]
    assert len(expected) == 72
    assert [n.id for n in subcategories] == expected
    per_function = {
        fn: sum(1 for n in subcategories if n.id.startswith(fn + "-")) for fn in SUBCATEGORY_COUNTS
    }
    assert per_function == {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}


def test_rmf_subcategories_are_complete(rmf: Framework) -> None:
    for n in rmf.nodes:
        if n.kind != "subcategory":
            continue
        assert n.assessable, n.id
        assert n.parent == n.id.split(".")[0], n.id
        assert n.label == n.id.replace("-", " "), n.id
        assert n.title.strip(), n.id
        assert n.guidance is not None and n.guidance.summary.strip(), n.id
        assert 1 <= len(n.guidance.evidence) <= 3, n.id
        assert n.guidance.features, n.id


def test_rmf_characteristics_resolve_to_taxonomy(rmf: Framework) -> None:
    taxonomy = _load("nist-ai-rmf-trustworthiness.yaml")
    assert isinstance(taxonomy, Taxonomy)
    assert len(taxonomy.terms) == 7
    used = {n.id: n.attributes["characteristic"] for n in rmf.nodes if "characteristic" in n.attributes}
    assert used, "MEASURE 2 subcategories should carry trustworthiness characteristics"
    assert all(node_id.startswith("MEASURE-2.") for node_id in used)
    assert set(used.values()) == {t.id for t in taxonomy.terms}
    assert used["MEASURE-2.11"] == "fair-with-harmful-bias-managed"


def test_gai_profile_has_twelve_risks() -> None:
    taxonomy = _load("nist-ai-600-1-gai-risks.yaml")
    assert isinstance(taxonomy, Taxonomy)
    assert len(taxonomy.terms) == 12
    titles = {t.title for t in taxonomy.terms}
    assert {
        "Confabulation",
        "CBRN information or capabilities",
        "Value chain and component integration",
    } <= titles


# --------------------------------------------------------------------------------------------- EU AI Act


def test_euaia_header(euaia: Framework) -> None:
    assert euaia.id == "eu-ai-act"
    assert euaia.version == "2024/1689"


@pytest.mark.parametrize("node_id", EU_OBLIGATIONS)
def test_euaia_obligation_present_with_attributes(euaia: Framework, node_id: str) -> None:
    node = euaia.get(node_id)
    assert node is not None, node_id
    assert node.assessable
    assert node.kind in {"article", "obligation"}
    attrs = node.attributes
    assert attrs["roles"] and set(attrs["roles"]) <= ROLES
    assert attrs["risk_outcomes"] and set(attrs["risk_outcomes"]) <= RISK_OUTCOMES
    assert ISO_DATE.match(attrs["applies_from"])
    assert attrs["applies_from_amended"] is None or ISO_DATE.match(attrs["applies_from_amended"])
    assert "verify the Official Journal reference" in attrs["amendment_note"]
    assert attrs["gap"].strip()
    assert node.guidance is not None and node.guidance.summary.strip()


def test_euaia_every_assessable_node_is_tagged(euaia: Framework) -> None:
    for node in euaia.assessable_nodes():
        for key in (
            "roles",
            "risk_outcomes",
            "applies_from",
            "applies_from_amended",
            "amendment_note",
            "gap",
        ):
            assert key in node.attributes, (node.id, key)
        assert node.guidance is not None and node.guidance.evidence and node.guidance.features, node.id


def test_euaia_article_5_has_practices_a_to_h(euaia: Framework) -> None:
    children = {n.id for n in euaia.children("art-5")}
    assert {f"art-5-1-{letter}" for letter in "abcdefgh"} <= children
    for letter in "abcdefgh":
        assert euaia.node(f"art-5-1-{letter}").attributes["risk_outcomes"] == ("prohibited",)


def test_euaia_annex_iii_has_eight_areas(euaia: Framework) -> None:
    areas = [n for n in euaia.children("annex-iii") if n.kind == "category"]
    assert [n.id for n in areas] == [f"annex-iii-{i}" for i in range(1, 9)]
    assert {n.id for n in euaia.children("annex-iii-5")} == {"annex-iii-5-b", "annex-iii-5-c"}


def test_euaia_annex_iv_has_nine_points(euaia: Framework) -> None:
    points = euaia.children("annex-iv")
    assert [n.id for n in points] == [f"annex-iv-{i}" for i in range(1, 10)]
    assert all(n.assessable for n in points)


def test_euaia_article_6_derogation_and_documented_assessment(euaia: Framework) -> None:
    children = {n.id for n in euaia.children("art-6")}
    assert {"art-6-1", "art-6-2", "art-6-3", "art-6-4"} <= children
    assert euaia.node("art-6-3").attributes["profiling_always_high_risk"] is True
    assert len(euaia.node("art-6-3").attributes["derogation_conditions"]) == 4


def test_euaia_dates(euaia: Framework) -> None:
    def dates(node_id: str) -> tuple[str, str | None]:
        attrs = euaia.node(node_id).attributes
        return attrs["applies_from"], attrs["applies_from_amended"]

    assert dates("art-4") == ("2025-02-02", None)
    assert dates("art-5") == ("2025-02-02", None)
    for letter in "abcdefgh":
        assert dates(f"art-5-1-{letter}") == ("2025-02-02", None)
    assert dates("art-53") == ("2025-08-02", None)
    assert dates("art-55") == ("2025-08-02", None)
    assert dates("art-50") == ("2026-08-02", None)
    assert euaia.node("art-50-2").attributes["grace_period_amended"]["until"] == "2026-12-02"
    for node_id in ANNEX_III_HIGH_RISK:
        assert dates(node_id) == ("2026-08-02", "2027-12-02"), node_id
    for i in range(1, 9):
        assert dates(f"annex-iii-{i}") == ("2026-08-02", "2027-12-02")
    assert dates("art-6-1") == ("2027-08-02", "2028-08-02")
    assert euaia.node("art-9").attributes["applies_from_annex_i"] == "2027-08-02"
    assert euaia.node("art-9").attributes["applies_from_annex_i_amended"] == "2028-08-02"
    assert dates("art-5-omnibus-ncii-csam") == (None, "2026-12-02")


def test_euaia_roles(euaia: Framework) -> None:
    assert euaia.node("art-26").attributes["roles"] == ("deployer",)
    assert euaia.node("art-27").attributes["roles"] == ("deployer",)
    assert set(euaia.node("art-4").attributes["roles"]) == {"provider", "deployer"}
    assert euaia.node("art-4").attributes["risk_outcomes"] == ("all",)
    assert euaia.node("art-53").attributes["risk_outcomes"] == ("gpai",)
    assert euaia.node("art-55").attributes["risk_outcomes"] == ("gpai-systemic",)


def test_euaia_serious_incident_clocks(euaia: Framework) -> None:
    clocks = {c["trigger"]: c["max_days"] for c in euaia.node("art-73").attributes["reporting_clocks"]}
    assert clocks == {
        "serious-incident": 15,
        "widespread-infringement-or-critical-infrastructure-disruption": 2,
        "death": 10,
    }


# --------------------------------------------------------------------------------------------- crosswalks


@pytest.fixture(scope="module")
def frameworks(rmf: Framework, euaia: Framework) -> dict[str, Framework]:
    iso = _load("iso-iec-42001.yaml")
    assert isinstance(iso, Framework)
    return {iso.id: iso, rmf.id: rmf, euaia.id: euaia}


def _crosswalk(name: str) -> Crosswalk:
    cw = _load(name)
    assert isinstance(cw, Crosswalk)
    return cw


def test_rmf_crosswalk_resolves_and_covers_every_category(frameworks: dict[str, Framework]) -> None:
    cw = _crosswalk("crosswalk-iso-iec-42001--nist-ai-rmf.yaml")
    assert (cw.source, cw.target) == ("iso-iec-42001", "nist-ai-rmf")
    assert "not an official crosswalk" in cw.provenance
    validate_crosswalk(cw, frameworks)
    rmf = frameworks["nist-ai-rmf"]
    categories = {n.id for n in rmf.nodes if n.kind == "category"}
    assert categories <= {r.target for r in cw.relations}
    assert "MEASURE-2.4" in {r.target for r in cw.relations_from("A.6.2.6")}
    assert "MAP-5.1" in {r.target for r in cw.relations_from("A.5.4")}
    assert all(r.rationale.strip() for r in cw.relations)


def test_euaia_crosswalk_resolves_and_covers_table(frameworks: dict[str, Framework]) -> None:
    cw = _crosswalk("crosswalk-iso-iec-42001--eu-ai-act.yaml")
    assert (cw.source, cw.target) == ("iso-iec-42001", "eu-ai-act")
    assert "not an official crosswalk" in cw.provenance
    validate_crosswalk(cw, frameworks)
    mapped = {r.target for r in cw.relations}
    assert set(EU_TABLE_ARTICLES) <= mapped
    assert {g.node for g in cw.gaps if g.side == "target"} == set(EU_NO_COUNTERPART)
    assert {r.source for r in cw.relations_to("art-27")} == {
        "6.1.4",
        "8.4",
        "A.5.2",
        "A.5.3",
        "A.5.4",
        "A.5.5",
    }
