"""Invariants of the fairness engine (hypothesis) and statistical parity of the count-table bootstrap."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.measure.fairness import (
    CONFUSION_METRICS,
    FairnessCounts,
    RegressionCounts,
    evaluate_fairness,
    evaluate_regression_fairness,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_record(a, b, path="") -> None:
    """Equal structure; counts, labels and flags exactly, floats to 1e-12 (sums of logs depend on order)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            assert_same_record(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_record(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), (path, a, b)
    else:
        assert a == b, (path, a, b)


@st.composite
def rows(draw, min_size: int = 1, max_size: int = 120):
    n = draw(st.integers(min_size, max_size))
    ints = st.lists(st.integers(0, 1), min_size=n, max_size=n)
    y = np.array(draw(ints))
    yhat = np.array(draw(ints))
    a = np.array(draw(st.lists(st.sampled_from(["p", "q", "r", None]), min_size=n, max_size=n)), dtype=object)
    b = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    # Integer-valued weights keep every weighted sum exact, so "equal" can mean bit-equal.
    w = np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), dtype=float)
    p = np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0]), min_size=n, max_size=n)))
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=4)))
    return {"y": y, "yhat": yhat, "a": a, "b": b, "w": w, "p": p, "cuts": cuts}


def _state(d, sl=slice(None), *, weights=True, scores=True):
    s = FairnessCounts(["a", "b"], with_scores=scores)
    return s.update(
        d["y"][sl],
        d["yhat"][sl],
        [d["a"][sl], d["b"][sl]],
        sample_weight=d["w"][sl] if weights else None,
        scores=d["p"][sl] if scores else None,
    )


@SETTINGS
@given(rows(), st.sampled_from(["native", "fairlearn"]))
def test_merged_chunks_equal_the_whole(d, profile):
    whole = _state(d).result(profile=profile)
    bounds = [0, *d["cuts"], len(d["y"])]
    parts = [_state(d, slice(lo, hi)) for lo, hi in itertools.pairwise(bounds)]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert_same_record(merged.result(profile=profile).to_dict(), whole.to_dict())


@SETTINGS
@given(rows(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(d, rnd):
    order = list(range(len(d["y"])))
    rnd.shuffle(order)
    shuffled = {k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in d.items()}
    assert_same_record(_state(shuffled).result().to_dict(), _state(d).result().to_dict())


@SETTINGS
@given(rows(), st.sampled_from(["native", "fairlearn"]))
def test_integer_weights_equal_duplicated_rows(d, profile):
    k = d["w"].astype(int)
    repeated = {key: np.repeat(v, k) for key, v in d.items() if isinstance(v, np.ndarray)}
    weighted = _state(d, scores=True).result(profile=profile).to_dict()
    duplicated = _state(repeated, weights=False, scores=True).result(profile=profile).to_dict()
    assert len(weighted["by_group"]) == len(duplicated["by_group"])
    for rw, rd in zip(weighted["by_group"], duplicated["by_group"], strict=True):
        assert rw["group"] == rd["group"]
        assert rw.get("weight") == rd["count"]
        for m in (*CONFUSION_METRICS, "roc_auc", "log_loss"):
            a, b = rw[m], rd[m]
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), m
    for key, value in weighted["aggregates"].items():
        other = duplicated["aggregates"][key]
        assert (value is None and other is None) or value == pytest.approx(other, rel=1e-12, abs=1e-15), key


@SETTINGS
@given(rows(min_size=2))
def test_regression_chunks_merge_to_the_whole(d):
    rng = np.random.default_rng(len(d["y"]))
    y = rng.normal(size=len(d["y"]))
    yhat = y + rng.normal(size=len(y))

    def state(sl=slice(None)):
        return RegressionCounts(["a", "b"]).update(
            y[sl], yhat[sl], [d["a"][sl], d["b"][sl]], sample_weight=d["w"][sl]
        )

    whole = state().result(profile="fairlearn").to_dict()
    bounds = [0, *d["cuts"], len(y)]
    merged = state(slice(0, 0))
    for lo, hi in itertools.pairwise(bounds):
        merged = merged.merge(state(slice(lo, hi)))
    got = merged.result(profile="fairlearn").to_dict()
    for rw, rg in zip(whole["by_group"], got["by_group"], strict=True):
        assert rw["group"] == rg["group"] and rw["count"] == rg["count"]
        for m in ("mean_absolute_error", "mean_squared_error", "r2"):
            assert (rw[m] is None and rg[m] is None) or rg[m] == pytest.approx(rw[m], rel=1e-9, abs=1e-12), m


# ------------------------------------------------------------------------------- bootstrap parity


def _naive_bootstrap(group, y, yhat, w, replicates, rng):
    """Textbook row bootstrap: resample row indices, recount. Returns selection rate and TPR per group."""
    n, k = len(y), group.max() + 1
    idx = rng.integers(0, n, size=(replicates, n))
    cell = (group * 4 + y * 2 + yhat)[idx] + 4 * k * np.arange(replicates)[:, None]
    counts = np.bincount(cell.ravel(), weights=w[idx].ravel(), minlength=replicates * 4 * k).reshape(
        replicates, k, 4
    )
    sel = (counts[..., 1] + counts[..., 3]) / counts.sum(axis=2)
    tpr = counts[..., 3] / (counts[..., 2] + counts[..., 3])
    return {
        "selection_rate": sel,
        "true_positive_rate": tpr,
        "demographic_parity_difference": sel.max(axis=1) - sel.min(axis=1),
    }


@pytest.mark.parametrize("weighted", [False, True])
def test_bootstrap_quantiles_match_a_naive_row_bootstrap(weighted):
    rng = np.random.default_rng(42)
    n, B = 3000, 1500
    group = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    y = (rng.random(n) < 0.4).astype(int)
    yhat = (rng.random(n) < np.where(y == 1, 0.7, 0.3) - 0.05 * group).astype(int)
    w = rng.uniform(0.5, 1.5, n) if weighted else np.ones(n)
    r = evaluate_fairness(
        y_true=y,
        y_pred=yhat,
        sensitive_features={"g": group},
        sample_weight=w if weighted else None,
        bootstrap=B,
        seed=7,
        profile="fairlearn",
    ).to_dict()
    ci = r["confidence_intervals"]
    naive = _naive_bootstrap(group, y, yhat, w, B, np.random.default_rng(8))
    for m in ("selection_rate", "true_positive_rate"):
        for g in range(3):
            lo, hi = np.quantile(naive[m][:, g], [0.025, 0.975])
            width = hi - lo
            mine = ci["by_group"][g][m]
            # Monte-Carlo error of a 2.5% quantile with B=1500 is ~0.03 of the interval width per estimate.
            assert abs(mine[0] - lo) < 0.12 * width and abs(mine[1] - hi) < 0.12 * width, (m, g, mine, lo, hi)
    lo, hi = np.quantile(naive["demographic_parity_difference"], [0.025, 0.975])
    mine = ci["aggregates"]["demographic_parity_difference"]
    assert abs(mine[0] - lo) < 0.15 * (hi - lo) and abs(mine[1] - hi) < 0.15 * (hi - lo)


def test_bootstrap_is_reproducible_with_a_seed_and_covers_the_point_estimate():
    rng = np.random.default_rng(1)
    y, yhat, g = rng.integers(0, 2, 2000), rng.integers(0, 2, 2000), rng.integers(0, 4, 2000)
    a = evaluate_fairness(y_true=y, y_pred=yhat, sensitive_features=g, bootstrap=200, seed=3).to_dict()
    b = evaluate_fairness(y_true=y, y_pred=yhat, sensitive_features=g, bootstrap=200, seed=3).to_dict()
    assert a["confidence_intervals"] == b["confidence_intervals"]
    lo, hi = a["confidence_intervals"]["overall"]["accuracy"]
    assert lo <= a["overall"]["accuracy"] <= hi


def test_regression_bootstrap_matches_a_naive_row_bootstrap():
    rng = np.random.default_rng(5)
    n, B = 3000, 1500
    group = rng.choice(2, n, p=[0.6, 0.4])
    y = rng.normal(0, 1 + group, n)
    yhat = y + rng.standard_t(5, n)
    r = evaluate_regression_fairness(
        y_true=y, y_pred=yhat, sensitive_features={"g": group}, bootstrap=B, seed=1
    ).to_dict()
    idx = np.random.default_rng(2).integers(0, n, size=(B, n))
    for g in range(2):
        m = group[idx] == g
        err = (y - yhat)[idx]
        mae = (np.abs(err) * m).sum(axis=1) / m.sum(axis=1)
        yy = y[idx]
        mean = (yy * m).sum(axis=1) / m.sum(axis=1)
        r2 = 1 - ((err**2) * m).sum(axis=1) / (((yy - mean[:, None]) ** 2) * m).sum(axis=1)
        for name, samples in (("mean_absolute_error", mae), ("r2", r2)):
            lo, hi = np.quantile(samples, [0.025, 0.975])
            mine = r["confidence_intervals"]["by_group"][g][name]
            assert abs(mine[0] - lo) < 0.15 * (hi - lo) and abs(mine[1] - hi) < 0.15 * (hi - lo), (
                name,
                g,
                mine,
                lo,
                hi,
            )
