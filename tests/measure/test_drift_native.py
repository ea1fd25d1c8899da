"""The native drift profile: decile-bin PSI with a missing bin, base-2 Jensen-Shannon, stated conventions."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.measure.drift import evaluate_drift
from steward.measure.errors import MeasureInputError


def _direct_bins(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Native bins written out plainly: reference deciles (inverted CDF), right-closed, plus a missing bin."""
    finite_ref = ref[np.isfinite(ref)]
    edges = np.unique(np.quantile(finite_ref, np.arange(1, 10) / 10, method="inverted_cdf"))
    edges = edges[edges < finite_ref.max()]

    def count(x: np.ndarray) -> tuple[np.ndarray, int]:
        finite = x[np.isfinite(x)]
        return np.bincount(np.searchsorted(edges, finite, side="left"), minlength=edges.size + 1), int(
            (~np.isfinite(x)).sum()
        )

    rc, rm = count(ref)
    cc, cm = count(cur)
    if rm or cm:
        rc, cc = np.append(rc, rm), np.append(cc, cm)
    return rc.astype(float), cc.astype(float)


def _direct_psi(rc: np.ndarray, cc: np.ndarray) -> float:
    p = (rc + 0.5) / (rc.sum() + 0.5 * rc.size)
    q = (cc + 0.5) / (cc.sum() + 0.5 * cc.size)
    return float(np.sum((p - q) * np.log(p / q)))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    n_ref=st.integers(15, 3000),
    n_cur=st.integers(1, 3000),
    shift=st.floats(-1, 1),
    rounding=st.sampled_from([None, 0, 1]),
    missing=st.floats(0, 0.3),
)
def test_native_psi_equals_a_direct_computation(seed, n_ref, n_cur, shift, rounding, missing) -> None:
    from scipy.spatial import distance

    rng = np.random.default_rng(seed)
    ref = rng.normal(0, 1, n_ref)
    cur = rng.normal(shift, 1, n_cur)
    if rounding is not None:
        ref, cur = ref.round(rounding), cur.round(rounding)  # heavy ties merge decile cut points
    cur[rng.random(n_cur) < missing] = np.nan
    cur[rng.random(n_cur) < missing / 3] = np.inf
    if not np.isfinite(cur).any():
        return
    result = evaluate_drift({"x": cur}, {"x": ref}, profile="native", hash_data=False)
    (entry,) = result.columns
    rc, cc = _direct_bins(ref, cur)
    assert entry["test"] == "psi" and entry["bins"] == rc.size
    assert entry["score"] == pytest.approx(_direct_psi(rc, cc), rel=1e-12, abs=1e-14)
    assert entry["js_distance_base2"] == pytest.approx(distance.jensenshannon(rc, cc, base=2), abs=1e-12)
    assert entry["drift"] == (entry["score"] >= 0.1)


def test_categorical_psi_uses_categories_of_both_sides_and_a_missing_bin() -> None:
    ref = {"s": np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 20, dtype=object)}
    cur = {"s": np.array(["a"] * 40 + ["b"] * 30 + ["new"] * 20 + [None] * 10, dtype=object)}
    (entry,) = evaluate_drift(cur, ref, profile="native", hash_data=False).columns
    rc = np.array([50, 30, 20, 0, 0], float)  # a, b, c, new, missing
    cc = np.array([40, 30, 0, 20, 10], float)
    assert entry["type"] == "categorical" and entry["bins"] == 5
    assert entry["score"] == pytest.approx(_direct_psi(rc, cc), rel=1e-12)
    assert entry["severity"] == "significant" and entry["drift"] is True


def test_a_rising_missing_rate_is_drift_even_when_values_look_alike() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    cur = rng.normal(0, 1, 5000)
    cur[:1500] = np.nan
    (native,) = evaluate_drift({"x": cur}, {"x": ref}, profile="native", hash_data=False).columns
    (evid,) = evaluate_drift({"x": cur}, {"x": ref}, profile="evidently", hash_data=False).columns
    assert native["bins"] == 11 and native["drift"] is True and native["current_missing"] == 1500
    assert evid["drift"] is False  # Evidently drops the missing values before testing


def test_severity_bands_follow_the_credit_risk_convention() -> None:
    rng = np.random.default_rng(1)
    ref = rng.normal(0, 1, 20_000)
    bands = {}
    for shift in (0.0, 0.4, 1.0):
        (entry,) = evaluate_drift({"x": ref + shift}, {"x": ref}, profile="native", hash_data=False).columns
        bands[shift] = (entry["severity"], entry["drift"])
    assert bands == {0.0: ("none", False), 0.4: ("moderate", True), 1.0: ("significant", True)}


def test_native_types_come_from_the_reference_and_declared_types_win() -> None:
    rng = np.random.default_rng(2)
    ref = {"i": rng.integers(0, 12, 1500)}  # 12 levels: numerical in the reference
    cur = {"i": rng.integers(0, 9, 1500)}  # 9 levels: Evidently would call it categorical
    native = evaluate_drift(cur, ref, profile="native", hash_data=False)
    assert native.columns[0]["type"] == "numerical"
    assert any("inferred" in w for w in native.warnings)
    declared = evaluate_drift(cur, ref, profile="native", column_types={"i": "categorical"}, hash_data=False)
    assert declared.columns[0]["type"] == "categorical"
    assert not any("inferred" in w for w in declared.warnings)
    assert evaluate_drift(cur, ref, profile="evidently", hash_data=False).columns[0]["type"] == "categorical"


def test_native_chisquare_is_a_test_of_homogeneity() -> None:
    from scipy.stats import chi2_contingency

    rng = np.random.default_rng(3)
    ref = {"s": rng.choice(np.array(list("abcd"), dtype=object), 800)}
    cur = {"s": rng.choice(np.array(list("abce"), dtype=object), 600)}
    (entry,) = evaluate_drift(cur, ref, profile="native", stattest="chisquare", hash_data=False).columns
    table = np.array(
        [[np.sum(ref["s"] == k) for k in "abcde"], [np.sum(cur["s"] == k) for k in "abcde"]], dtype=float
    )
    expected = chi2_contingency(table, correction=False)
    assert entry["p_value"] == pytest.approx(expected.pvalue, rel=1e-10)
    assert entry["dof"] == 4 and entry["drift"] is True


def test_the_record_follows_the_evidence_contract() -> None:
    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 300), "y": rng.normal(0, 1, 300)})
    cur = pd.DataFrame({"x": rng.normal(2, 1, 300), "y": rng.normal(2, 1, 300)})
    result = evaluate_drift(cur, ref)
    doc = json.loads(result.to_json())
    assert doc["schema"] == "steward.evidence/v1" and doc["kind"] == "drift" and doc["profile"] == "native"
    assert doc["engine"]["name"] == "steward" and doc["dataset"]["rows"] == 300 and doc["dataset"]["sha256"]
    assert doc["dataset_drift"] is True and doc["share_drifted"] == 1.0 and doc["passed"] is False
    assert doc["checks"] == [
        {"metric": "dataset_drift", "threshold": 0.0, "bound": "max", "value": 1.0, "passed": False}
    ]
    for col in doc["columns"]:
        assert {"column", "type", "test", "score", "threshold", "drift"} <= set(col)
    assert doc["reference_dataset"]["rows"] == 300 and doc["conventions"]
    assert {h["column"] for h in doc["histograms"]} == {"x", "y"}
    assert "overall" not in doc and "by_group" not in doc


def test_bad_requests_are_one_line_input_errors() -> None:
    data = {"x": np.arange(10.0)}
    with pytest.raises(MeasureInputError, match="unknown drift profile"):
        evaluate_drift(data, data, profile="fast", hash_data=False)
    with pytest.raises(MeasureInputError, match="unknown drift test"):
        evaluate_drift(data, data, stattest="anderson", hash_data=False)
    with pytest.raises(MeasureInputError, match="unknown column 'z'"):
        evaluate_drift(data, data, columns=["z"], hash_data=False)
    with pytest.raises(MeasureInputError, match="current data has no rows"):
        evaluate_drift({"x": np.zeros(0)}, data, hash_data=False)
    with pytest.raises(MeasureInputError, match="non-numeric"):
        evaluate_drift(
            {"x": np.array(["a"] * 10, object)}, data, column_types={"x": "numerical"}, hash_data=False
        )


def test_columns_without_usable_values_are_skipped_with_a_reason() -> None:
    ref = {"x": np.array([np.nan, np.inf, -np.inf]), "y": np.arange(3.0)}
    cur = {"x": np.arange(3.0), "y": np.arange(3.0), "only_here": np.arange(3.0)}
    result = evaluate_drift(cur, ref, profile="evidently", hash_data=False)
    assert [e["column"] for e in result.columns] == ["y"]
    assert result.extra["skipped_columns"][0]["column"] == "x"
    assert any("only in the current" in w for w in result.warnings)


def test_importing_the_engine_stays_light() -> None:
    code = (
        "import sys, steward.measure.drift, steward.measure.quality;"
        "print(sorted(m for m in ('django', 'scipy', 'pandas', 'polars') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
