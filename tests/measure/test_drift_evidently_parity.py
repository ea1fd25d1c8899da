"""Parity of the ``evidently`` drift profile with Evidently 0.7.23 ``DataDriftPreset`` on seeded data.

Each case runs Evidently once (it is slow) and compares every analysed column: same test, same threshold,
score within 1e-9 (p-values within 1e-7), same drift decision; and the dataset-level drifted count and share.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from steward.measure.drift import evaluate_drift

_TEST_NAMES = {
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
    "Kullback-Leibler divergence": "kl_div",
}
_P_VALUE_TESTS = {"ks", "chisquare", "z"}


def _evidently() -> tuple[Any, Any]:
    # Imported on use: Evidently takes seconds to import and other modules reuse this file's data generator.
    pytest.importorskip("evidently")
    from evidently import Report
    from evidently.presets import DataDriftPreset

    return Report, DataDriftPreset


def edge_case_frames(n_ref: int, n_cur: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current frames with one column per edge case of the conventions file."""
    rng = np.random.default_rng(seed)

    def make(n: int, shifted: bool) -> pd.DataFrame:
        s = 0.3 if shifted else 0.0
        cols: dict[str, Any] = {
            "float_normal": rng.normal(s, 1.0, n),
            "float_rounded": np.round(rng.normal(s, 1.0, n), 1),  # ties for KS/Wasserstein
            "int_wide": rng.integers(0, 60 if shifted else 50, n),
            "big_exponential": rng.exponential(1.0 + s, n) * 1e6,
        }
        for k in (2, 3, 5, 6, 20, 21):
            probs = np.linspace(1.0, 2.0 if shifted else 1.0, k)
            cols[f"float_u{k}"] = rng.choice(np.arange(k) + 0.5, n, p=probs / probs.sum())
            cols[f"int_u{k}"] = rng.choice(np.arange(k), n, p=probs / probs.sum())
        # new and vanished categories: "d" only in the reference, "e" only in the current
        cats = ["a", "b", "c", "e"] if shifted else ["a", "b", "c", "d"]
        cols["str_cat"] = rng.choice(np.array(cats, dtype=object), n)
        cols["str_two"] = rng.choice(
            np.array(["yes", "no"], dtype=object), n, p=[0.6, 0.4] if shifted else [0.5, 0.5]
        )
        cols["pd_category"] = pd.Categorical(rng.choice(["x", "y", "z"], n))
        cols["bool"] = rng.random(n) < (0.45 if shifted else 0.4)
        cols["const_float"] = np.full(n, 2.5)
        cols["const_int"] = np.full(n, 7)
        x = rng.normal(s, 2.0, n)
        x[rng.random(n) < 0.03] = np.inf
        x[rng.random(n) < 0.03] = -np.inf
        x[rng.random(n) < 0.05] = np.nan
        x[0] = np.nan  # always some NaN, so Evidently's dataset-level path cleans ±inf too
        cols["float_inf_nan"] = x
        return pd.DataFrame(cols)

    return make(n_ref, False), make(n_cur, True)


@functools.cache
def evidently_case(n_ref: int, n_cur: int, seed: int, method: str | None) -> dict[str, Any]:
    Report, DataDriftPreset = _evidently()

    ref, cur = edge_case_frames(n_ref, n_cur, seed)
    kwargs = {} if method is None else {"method": method}
    snapshot = Report([DataDriftPreset(**kwargs)], include_tests=True).run(cur, ref).dict()
    columns: dict[str, dict[str, Any]] = {}
    count: dict[str, float] = {}
    for metric in snapshot["metrics"]:
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            columns[config["column"]] = {
                "test": _TEST_NAMES.get(config["method"], config["method"]),
                "score": float(metric["value"]),
                "threshold": float(config["threshold"]),
            }
        else:
            count = metric["value"]
    for test in snapshot["tests"]:
        if test["id"] == "drift":
            name = test["name"].removeprefix("Value Drift for column ")
            columns[name]["drift"] = test["status"] == "FAIL"
    return {"columns": columns, "count": count}


CASES = [
    pytest.param(999, 1200, 1, None, id="ref999-defaults"),
    pytest.param(1000, 700, 2, None, id="ref1000-defaults"),
    pytest.param(1001, 1300, 3, None, id="ref1001-defaults"),
    pytest.param(800, 12_000, 4, None, id="ks-asymptotic-current12000"),
    pytest.param(1001, 900, 5, "psi", id="ref1001-psi"),
    pytest.param(999, 1100, 6, "kl_div", id="ref999-kl"),
    pytest.param(600, 500, 7, "jensenshannon", id="ref600-js"),
]


def _close(test: str, mine: float, theirs: float) -> bool:
    if math.isnan(theirs) or math.isnan(mine):
        return math.isnan(theirs) and math.isnan(mine)
    if test in _P_VALUE_TESTS:
        return abs(mine - theirs) <= 1e-7
    return abs(mine - theirs) <= 1e-9 * max(1.0, abs(theirs))


@pytest.mark.parametrize(("n_ref", "n_cur", "seed", "method"), CASES)
def test_every_column_matches_evidently(n_ref: int, n_cur: int, seed: int, method: str | None) -> None:
    expected = evidently_case(n_ref, n_cur, seed, method)
    ref, cur = edge_case_frames(n_ref, n_cur, seed)
    result = evaluate_drift(cur, ref, profile="evidently", stattest=method, hash_data=False)
    mine = {e["column"]: e for e in result.columns or []}
    assert set(mine) == set(expected["columns"])
    for name, theirs in expected["columns"].items():
        entry = mine[name]
        assert entry["test"] == theirs["test"], name
        assert entry["threshold"] == theirs["threshold"], name
        assert _close(entry["test"], entry["score"], theirs["score"]), (name, entry["score"], theirs["score"])
        assert entry["drift"] == theirs["drift"], name
    assert result.extra["drifted_columns"] == expected["count"]["count"]
    assert result.share_drifted == pytest.approx(expected["count"]["share"], abs=1e-15)
    assert result.dataset_drift == (expected["count"]["share"] >= 0.5)


def test_cases_cover_every_default_test() -> None:
    chosen = set()
    for param in CASES:
        n_ref, n_cur, seed, method = param.values
        if method is None:
            chosen |= {c["test"] for c in evidently_case(n_ref, n_cur, seed, method)["columns"].values()}
    assert chosen == {"z", "chisquare", "ks", "jensenshannon", "wasserstein"}


def test_reference_size_switch_is_at_1000_cleaned_rows() -> None:
    ref, cur = edge_case_frames(1000, 700, 2)
    at_1000 = {
        e["column"]: e["test"] for e in evaluate_drift(cur, ref, profile="evidently", hash_data=False).columns
    }
    ref, cur = edge_case_frames(1001, 1300, 3)
    at_1001 = {
        e["column"]: e["test"] for e in evaluate_drift(cur, ref, profile="evidently", hash_data=False).columns
    }
    assert at_1000["float_normal"] == "ks" and at_1001["float_normal"] == "wasserstein"
    assert at_1000["float_u3"] == "chisquare" and at_1001["float_u3"] == "jensenshannon"
    # The inf/NaN column loses rows to cleaning, so at 1001 raw rows it still has <= 1000 reference rows.
    assert at_1001["float_inf_nan"] == "ks"


def test_mixed_frame_with_text_uint_and_current_only_inference() -> None:
    """Text and unsigned columns are left out as Evidently's numbers go; types come from the current data."""
    Report, DataDriftPreset = _evidently()

    rng = np.random.default_rng(11)

    def make(n: int, int_levels: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "f": np.round(rng.normal(0, 1, n), 2),
                "txt": np.array([f"t{i}" for i in rng.integers(0, 10**6, n)], dtype=object),
                "u": rng.integers(0, 100, n).astype(np.uint16),
                # 12 levels in the reference, 9 in the current: Evidently calls it categorical
                "i": rng.integers(0, int_levels, n),
                "s": rng.choice(np.array([f"v{i}" for i in range(8)], dtype=object), n),
            }
        )

    ref, cur = make(1500, 12), make(1400, 9)
    snapshot = Report([DataDriftPreset()], include_tests=True).run(cur, ref).dict()
    theirs = {
        m["config"]["column"]: (m["config"]["method"], float(m["value"]))
        for m in snapshot["metrics"]
        if m["config"]["type"].endswith("ValueDrift")
    }
    result = evaluate_drift(cur, ref, profile="evidently", hash_data=False)
    mine = {e["column"]: e for e in result.columns or []}
    skipped = {s["column"] for s in result.extra["skipped_columns"]}
    assert skipped == {"txt", "u"}
    assert "text content drift" in theirs["txt"][0] and "u" not in theirs
    assert mine["i"]["type"] == "categorical" and mine["i"]["test"] == "jensenshannon"
    for name in ("f", "i", "s"):
        assert _TEST_NAMES[theirs[name][0]] == mine[name]["test"]
        assert abs(mine[name]["score"] - theirs[name][1]) <= 1e-9


def test_inf_without_nan_follows_evidently_value_drift() -> None:
    """Evidently's dataset count skips ±inf cleaning when a column has no NaN; Steward always cleans.

    The per-column ValueDrift score (which cleans) is matched; the documented difference is the column's
    contribution to Evidently's DriftedColumnsCount, where the uncleaned infinite Wasserstein counts as drift.
    """
    Report, DataDriftPreset = _evidently()

    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 1500), "y": rng.normal(0, 1, 1500)})
    cur = pd.DataFrame({"x": rng.normal(0, 1, 1500), "y": rng.normal(0, 1, 1500)})
    cur.loc[3, "x"] = np.inf
    snapshot = Report([DataDriftPreset()]).run(cur, ref).dict()
    value = {m["config"]["column"]: m["value"] for m in snapshot["metrics"] if "column" in m["config"]}
    count = next(m["value"] for m in snapshot["metrics"] if "column" not in m["config"])
    result = evaluate_drift(cur, ref, profile="evidently", hash_data=False)
    mine = {e["column"]: e for e in result.columns or []}
    assert abs(mine["x"]["score"] - value["x"]) <= 1e-9
    assert mine["x"]["drift"] is False and mine["x"]["current_nonfinite"] == 1
    assert count["count"] == 1.0  # Evidently's quirk: x counted as drifted (W = inf before cleaning)
    assert result.extra["drifted_columns"] == 0


def test_per_column_methods_and_thresholds_match_evidently() -> None:
    Report, DataDriftPreset = _evidently()

    ref, cur = edge_case_frames(1200, 1000, 9)
    methods = {"float_normal": "ks", "str_cat": "psi", "int_u3": "kl_div", "float_u21": "jensenshannon"}
    thresholds = {"float_normal": 0.2, "str_cat": 0.05}
    preset = DataDriftPreset(
        columns=list(methods), per_column_method=methods, per_column_threshold=thresholds
    )
    snapshot = Report([preset], include_tests=True).run(cur, ref).dict()
    theirs = {
        m["config"]["column"]: (m["config"]["method"], float(m["value"]), m["config"]["threshold"])
        for m in snapshot["metrics"]
        if m["config"]["type"].endswith("ValueDrift")
    }
    decisions = {
        t["name"].removeprefix("Value Drift for column "): t["status"] == "FAIL"
        for t in snapshot["tests"]
        if t["id"] == "drift"
    }
    result = evaluate_drift(
        cur,
        ref,
        profile="evidently",
        columns=list(methods),
        stattest=methods,
        threshold=thresholds,
        hash_data=False,
    )
    for entry in result.columns or []:
        method, score, threshold = theirs[entry["column"]]
        assert entry["test"] == methods[entry["column"]] == method
        assert entry["threshold"] == threshold
        assert _close(entry["test"], entry["score"], score)
        assert entry["drift"] == decisions[entry["column"]]


def test_requesting_a_test_for_the_wrong_column_type_is_refused() -> None:
    from steward.measure.errors import MeasureInputError

    ref, cur = edge_case_frames(300, 300, 1)
    with pytest.raises(MeasureInputError, match="does not apply"):
        evaluate_drift(cur, ref, profile="evidently", columns=["str_cat"], stattest="ks", hash_data=False)
