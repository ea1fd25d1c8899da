"""Seeded synthetic data for the measurement engine tests (no network, no data sets)."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest


def classification_frame(
    seed: int,
    n: int = 2000,
    *,
    labels: tuple[object, object] = (0, 1),
    features: int = 2,
    weights: bool = False,
    scores: bool = False,
    single_class_group: bool = True,
    no_predicted_positive_group: bool = True,
    empty_intersection: bool = True,
) -> dict[str, np.ndarray]:
    """Binary labels with edge-case groups built in.

    Feature ``a`` has a group ``"single"`` whose target is all positive, and a group ``"nopos"`` never
    predicted positive (precision 0/0). Feature ``b`` has a rare level; with ``empty_intersection`` one
    (a, b) pair never occurs, so the Cartesian product has an empty cell.
    """
    rng = np.random.default_rng(seed)
    neg, pos = labels
    a = rng.choice(np.array(["x", "y", "single", "nopos"], dtype=object), n, p=[0.45, 0.35, 0.1, 0.1])
    b = rng.choice(np.array([1, 2, 3]), n, p=[0.6, 0.35, 0.05])
    c = rng.choice(np.array([True, False]), n)
    yb = rng.random(n) < np.where(a == "x", 0.3, 0.55)
    p = np.clip(0.35 * yb + rng.random(n) * 0.65, 0.0, 1.0)
    p = np.round(p, 3)  # ties in scores exercise the ROC tie rule
    yhb = p > 0.5
    if single_class_group:
        yb[a == "single"] = True
    if no_predicted_positive_group:
        yhb[a == "nopos"] = False
    if empty_intersection:
        b[(a == "y") & (b == 3)] = 2
    y = np.where(yb, pos, neg)
    yh = np.where(yhb, pos, neg)
    if isinstance(pos, (bool, np.bool_)):
        y, yh = yb, yhb
    out: dict[str, np.ndarray] = {"y": y, "yhat": yh, "a": a, "b": b}
    if features >= 3:
        out["c"] = c
    if weights:
        out["w"] = np.round(rng.uniform(0.1, 3.0, n), 2)
    if scores:
        out["p"] = p
    return out


@pytest.fixture(autouse=True)
def _quiet_reference_libraries():
    # sklearn and Fairlearn warn on every 0/0 edge case these tests create on purpose.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def fairlearn_metrics(pos_label=None):
    """Fairlearn 0.15 + sklearn metric functions matching Steward's confusion metric names."""
    import sklearn.metrics as skm
    from fairlearn import metrics as flm

    pl = 1 if pos_label is None else pos_label
    part = functools.partial
    return {
        "count": flm.count,
        "selection_rate": part(flm.selection_rate, pos_label=pl),
        "true_positive_rate": part(flm.true_positive_rate, pos_label=pos_label),
        "true_negative_rate": part(flm.true_negative_rate, pos_label=pos_label),
        "false_positive_rate": part(flm.false_positive_rate, pos_label=pos_label),
        "false_negative_rate": part(flm.false_negative_rate, pos_label=pos_label),
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "precision": part(skm.precision_score, pos_label=pl),
        "recall": part(skm.recall_score, pos_label=pl),
        "f1": part(skm.f1_score, pos_label=pl),
    }
