"""Steward's ``fairlearn`` profile against Fairlearn 0.15 ``MetricFrame`` on seeded edge cases (rtol 1e-9)."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as flm

from steward.measure.errors import MeasureInputError
from steward.measure.fairness import evaluate_fairness, evaluate_regression_fairness

from .conftest import classification_frame, fairlearn_metrics

RTOL = 1e-9
AGG_METHODS = {
    "difference": ("difference", "between_groups"),
    "ratio": ("ratio", "between_groups"),
    "difference_to_overall": ("difference", "to_overall"),
    "ratio_to_overall": ("ratio", "to_overall"),
}


def same(mine, theirs) -> bool:
    theirs = float(theirs)
    if mine is None:
        return math.isnan(theirs)
    if math.isnan(theirs):
        return False
    return math.isclose(mine, theirs, rel_tol=RTOL, abs_tol=1e-15)


def assert_matches(record: dict, mf, metric_names, features) -> None:
    """Compare by_group (order, groups, values), overall and every aggregate with a MetricFrame."""
    by_group = mf.by_group
    assert len(record["by_group"]) == len(by_group)
    for row, (index, ref) in zip(record["by_group"], by_group.iterrows(), strict=True):
        key = index if isinstance(index, tuple) else (index,)
        assert tuple(row["group"][f] for f in features) == tuple(key)
        for m in metric_names:
            assert same(row[m], ref[m]), (key, m, row[m], ref[m])
    for m in metric_names:
        if m == "count":
            continue
        assert same(record["overall"][m], mf.overall[m]), (m, record["overall"][m], mf.overall[m])
        assert same(record["aggregates"][f"{m}_group_min"], mf.group_min()[m]), m
        assert same(record["aggregates"][f"{m}_group_max"], mf.group_max()[m]), m
        for suffix, (fn, method) in AGG_METHODS.items():
            theirs = getattr(mf, fn)(method=method)[m]
            assert same(record["aggregates"][f"{m}_{suffix}"], theirs), (m, suffix)


def metric_frame(data, features, *, pos_label=None, weights=False, metrics=None):
    metrics = metrics or fairlearn_metrics(pos_label)
    sp = {k: {"sample_weight": data["w"]} for k in metrics if k != "count"} if weights else None
    sens = (
        pd.DataFrame({f: data[f] for f in features})
        if len(features) > 1
        else pd.Series(data[features[0]], name=features[0])
    )
    return flm.MetricFrame(
        metrics=metrics, y_true=data["y"], y_pred=data["yhat"], sensitive_features=sens, sample_params=sp
    )


LABELS = {
    "int01": ((0, 1), None),
    "plus_minus_one": ((-1, 1), None),
    "bool": ((False, True), None),
    "strings": (("deny", "grant"), "grant"),
    "strings_negative_is_positive": (("deny", "grant"), "deny"),
}


CASES = [(lab, w, ("a", "b")) for lab in LABELS for w in (False, True)] + [
    ("int01", False, ("a",)),
    ("strings", True, ("a",)),
    ("bool", True, ("a", "b", "c")),
    ("plus_minus_one", False, ("a", "b", "c")),
]


@pytest.mark.parametrize(("labels", "weights", "features"), CASES)
def test_fairlearn_profile_equals_metricframe(labels, weights, features):
    (lab, pos_label) = LABELS[labels]
    seed = zlib.crc32(repr((labels, weights, features)).encode())
    data = classification_frame(seed, n=800, labels=lab, weights=weights, features=len(features))
    result = evaluate_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features={f: data[f] for f in features},
        sample_weight=data["w"] if weights else None,
        pos_label=pos_label,
        profile="fairlearn",
    ).to_dict()
    mf = metric_frame(data, list(features), pos_label=pos_label, weights=weights)
    assert_matches(result, mf, list(fairlearn_metrics()), list(features))
    if len(features) > 1:
        # The Cartesian product has an empty intersection (a="y", b=3): null values, stated in warnings.
        empty = [r for r in result["by_group"] if r["group"]["a"] == "y" and r["group"]["b"] == 3]
        assert empty and all(r["count"] is None and r["selection_rate"] is None for r in empty)
        assert any("intersections have no rows" in w for w in result["warnings"])


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("weights", [False, True])
def test_named_fairness_criteria_equal_fairlearn_functions(method, weights):
    data = classification_frame(7, n=600, weights=weights)
    sens = pd.DataFrame({"a": data["a"], "b": data["b"]})
    w = data["w"] if weights else None
    agg = evaluate_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features=sens,
        sample_weight=w,
        profile="fairlearn",
        method=method,
    ).to_dict()["aggregates"]
    kw = {"sensitive_features": sens, "method": method, "sample_weight": w}
    y, yh = data["y"], data["yhat"]
    expected = {
        "demographic_parity_difference": flm.demographic_parity_difference(y, yh, **kw),
        "demographic_parity_ratio": flm.demographic_parity_ratio(y, yh, **kw),
        "equalized_odds_difference": flm.equalized_odds_difference(y, yh, **kw),
        "equalized_odds_ratio": flm.equalized_odds_ratio(y, yh, **kw),
        "equalized_odds_difference_mean": flm.equalized_odds_difference(y, yh, agg="mean", **kw),
        "equalized_odds_ratio_mean": flm.equalized_odds_ratio(y, yh, agg="mean", **kw),
        "equal_opportunity_difference": flm.equal_opportunity_difference(y, yh, **kw),
        "equal_opportunity_ratio": flm.equal_opportunity_ratio(y, yh, **kw),
    }
    for name, value in expected.items():
        assert same(agg[name], value), (name, agg[name], value)


def test_score_metrics_equal_sklearn_per_group():
    import sklearn.metrics as skm

    data = classification_frame(11, weights=True, scores=True, n=3000)
    result = evaluate_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features={"a": data["a"]},
        scores=data["p"],
        sample_weight=data["w"],
        profile="fairlearn",
    ).to_dict()
    for row in result["by_group"]:
        m = data["a"] == row["group"]["a"]
        y, p, w = data["y"][m], data["p"][m], data["w"][m]
        ll = skm.log_loss(y, p, sample_weight=w, labels=[0, 1])
        assert same(row["log_loss"], ll)
        if len(np.unique(y)) == 2:
            assert same(row["roc_auc"], skm.roc_auc_score(y, p, sample_weight=w))
        else:
            assert row["roc_auc"] is None  # sklearn raises on a single class; Steward reports undefined
    assert same(
        result["overall"]["roc_auc"], skm.roc_auc_score(data["y"], data["p"], sample_weight=data["w"])
    )
    assert same(result["overall"]["log_loss"], skm.log_loss(data["y"], data["p"], sample_weight=data["w"]))


def _with_missing(seed: int) -> dict[str, np.ndarray]:
    data = classification_frame(seed)
    rng = np.random.default_rng(seed + 1)
    a = data["a"].copy()
    a[rng.random(len(a)) < 0.07] = None
    data["a"] = a
    return data


def test_missing_sensitive_values_fairlearn_refuses_and_so_does_the_profile_by_default():
    data = _with_missing(3)
    with pytest.raises(ValueError, match="contains missing values"):
        metric_frame(data, ["a", "b"])
    with pytest.raises(MeasureInputError, match="missing value"):
        evaluate_fairness(
            y_true=data["y"], y_pred=data["yhat"], sensitive_features={"a": data["a"]}, profile="fairlearn"
        )


def test_missing_drop_equals_metricframe_on_complete_rows_and_is_reported():
    data = _with_missing(4)
    keep = np.array([v is not None for v in data["a"]])
    result = evaluate_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features={"a": data["a"], "b": data["b"]},
        profile="fairlearn",
        missing="drop",
    ).to_dict()
    kept = {k: v[keep] for k, v in data.items()}
    assert_matches(result, metric_frame(kept, ["a", "b"]), list(fairlearn_metrics()), ["a", "b"])
    assert result["parameters"]["dropped_rows"] == int((~keep).sum()) > 0
    assert any("dropped" in w for w in result["warnings"])
    assert result["dataset"]["rows"] == len(keep)


def test_missing_group_equals_metricframe_with_an_explicit_category():
    data = _with_missing(5)
    result = evaluate_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features={"a": data["a"]},
        profile="fairlearn",
        missing="group",
    ).to_dict()
    filled = dict(data, a=np.array(["~missing" if v is None else v for v in data["a"]], dtype=object))
    mf = metric_frame(filled, ["a"])
    rows = {("~missing" if r["group"]["a"] is None else r["group"]["a"]): r for r in result["by_group"]}
    for index, ref in mf.by_group.iterrows():
        for m in fairlearn_metrics():
            assert same(rows[index][m], ref[m])
    assert any("own group" in w for w in result["warnings"])


def test_native_profile_reports_undefined_rates_with_reasons():
    data = classification_frame(9)
    result = evaluate_fairness(
        y_true=data["y"], y_pred=data["yhat"], sensitive_features={"a": data["a"]}
    ).to_dict()
    rows = {r["group"]["a"]: r for r in result["by_group"]}
    assert rows["single"]["true_negative_rate"] is None  # no actual negatives
    assert rows["single"]["balanced_accuracy"] is None
    assert rows["nopos"]["precision"] is None  # never predicted positive
    text = " ".join(result["warnings"])
    assert "true_negative_rate undefined (no actual negatives)" in text
    assert "precision undefined (no predicted positives)" in text
    # Same record in the fairlearn profile: 0/0 → 0.0.
    fl = evaluate_fairness(
        y_true=data["y"], y_pred=data["yhat"], sensitive_features={"a": data["a"]}, profile="fairlearn"
    ).to_dict()
    assert {r["group"]["a"]: r for r in fl["by_group"]}["nopos"]["precision"] == 0.0


def test_native_profile_lists_only_observed_intersections():
    data = classification_frame(12)
    result = evaluate_fairness(
        y_true=data["y"], y_pred=data["yhat"], sensitive_features={"a": data["a"], "b": data["b"]}
    ).to_dict()
    observed = {(a, b) for a, b in zip(data["a"], data["b"], strict=True)}
    assert {(r["group"]["a"], r["group"]["b"]) for r in result["by_group"]} == observed
    assert all(isinstance(r["count"], int) and r["count"] > 0 for r in result["by_group"])


def test_every_input_form_gives_the_same_record(tmp_path):
    import polars as pl
    import pyarrow as pa

    data = classification_frame(13, weights=True, scores=True)
    df = pd.DataFrame(data)
    csv, parquet = tmp_path / "d.csv", tmp_path / "d.parquet"
    df.to_csv(csv, index=False)
    df.to_parquet(parquet)
    kw = {
        "y_true": "y",
        "y_pred": "yhat",
        "sensitive_features": ["a", "b"],
        "scores": "p",
        "sample_weight": "w",
    }
    records = [
        evaluate_fairness(src, **kw, batch_size=bs).to_dict()
        for src, bs in [
            (df, 1 << 20),
            (pl.from_pandas(df), 1 << 20),
            (pa.Table.from_pandas(df), 1 << 20),
            (parquet, 1 << 20),
            (parquet, 333),  # many batches: the merged state must equal the one-pass state
            (csv, 1 << 20),
        ]
    ]
    base = records[0]
    for other in records[1:]:
        assert other["by_group"] == base["by_group"] or _close_rows(other["by_group"], base["by_group"])
        assert other["aggregates"].keys() == base["aggregates"].keys()
    assert records[3]["dataset"]["sha256_of"] == "file-bytes"
    assert base["dataset"]["sha256_of"] == "arrow-ipc"
    assert records[1]["dataset"]["sha256"] == base["dataset"]["sha256"] == records[2]["dataset"]["sha256"]


def _close_rows(a, b) -> bool:
    for ra, rb in zip(a, b, strict=True):
        for k, va in ra.items():
            vb = rb[k]
            if isinstance(va, float) and isinstance(vb, float):
                assert math.isclose(va, vb, rel_tol=1e-12), k
            elif isinstance(va, dict) and k != "group":
                for kk in va:
                    assert math.isclose(va[kk], vb[kk], rel_tol=1e-12)
            else:
                assert va == vb, k
    return True


# ------------------------------------------------------------------------------------------- regression


def regression_frame(seed: int, n: int = 1500, weights: bool = True) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.choice(np.array(["p", "q", "r"], dtype=object), n, p=[0.6, 0.39, 0.01])
    b = rng.choice(np.array(["u", "v"], dtype=object), n)
    y = rng.normal(3.0, 2.0, n)
    y[a == "q"] = 5.0  # constant target: R² denominator zero
    yhat = y + rng.normal(0, 1.0, n)
    yhat[(a == "q") & (b == "u")] = 5.0  # zero error and zero variance: sklearn's force_finite gives 1.0
    out = {"y": y, "yhat": yhat, "a": a, "b": b}
    first_r = np.flatnonzero(a == "r")
    a[first_r[1:]] = "p"  # group "r" keeps exactly one row: sklearn's R² is NaN below two samples
    if weights:
        # Dyadic weights keep sklearn's weighted mean of a constant target exact, so its R² rule is observable
        # (with arbitrary weights sklearn's R² of a constant group is rounding noise; see fairness.py).
        out["w"] = rng.integers(1, 9, n) / 4
    return out


@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("features", [("a",), ("a", "b")])
def test_regression_fairness_equals_metricframe(weights, features):
    import sklearn.metrics as skm

    data = regression_frame(21, weights=weights)
    metrics = {
        "count": flm.count,
        "mean_absolute_error": skm.mean_absolute_error,
        "mean_squared_error": skm.mean_squared_error,
        "r2": skm.r2_score,
    }
    mf = metric_frame(data, list(features), weights=weights, metrics=metrics)
    result = evaluate_regression_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features={f: data[f] for f in features},
        sample_weight=data["w"] if weights else None,
        profile="fairlearn",
    ).to_dict()
    assert_matches(result, mf, list(metrics), list(features))
