"""Performance metrics against scikit-learn (the ground truth named in the conventions file)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics as skm

from steward.measure.errors import MeasureInputError
from steward.measure.performance import evaluate_performance

RTOL = 1e-9


def close(a, b) -> bool:
    return math.isclose(a, float(b), rel_tol=RTOL, abs_tol=1e-15)


def _classification(seed: int, n: int = 4000, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    yb = rng.random(n) < 0.4
    p = np.round(np.clip(0.3 * yb + 0.7 * rng.random(n), 0, 1), 3)
    neg, pos = labels
    return np.where(yb, pos, neg), p, rng.uniform(0.1, 4.0, n)


@pytest.mark.parametrize(
    ("labels", "pos_label"), [((0, 1), None), ((-1, 1), None), (("ham", "spam"), "spam")]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_classification_metrics_equal_sklearn(labels, pos_label, weighted):
    y, p, w = _classification(1, labels=labels)
    pl = 1 if pos_label is None else pos_label
    neg = labels[0]
    yhat = np.where(p >= 0.5, pl, neg)
    sw = w if weighted else None
    o = evaluate_performance(
        y_true=y, y_pred=yhat, scores=p, pos_label=pos_label, sample_weight=sw, profile="sklearn"
    ).to_dict()["overall"]
    yb = y == pl
    assert close(o["accuracy"], skm.accuracy_score(y, yhat, sample_weight=sw))
    assert close(o["balanced_accuracy"], skm.balanced_accuracy_score(y, yhat, sample_weight=sw))
    assert close(o["precision"], skm.precision_score(y, yhat, pos_label=pl, sample_weight=sw))
    assert close(o["recall"], skm.recall_score(y, yhat, pos_label=pl, sample_weight=sw))
    assert close(o["f1"], skm.f1_score(y, yhat, pos_label=pl, sample_weight=sw))
    assert close(o["roc_auc"], skm.roc_auc_score(yb, p, sample_weight=sw))
    assert close(o["log_loss"], skm.log_loss(yb, p, sample_weight=sw))
    tn, fp, fn, tp = skm.confusion_matrix(yb, yhat == pl).ravel()
    assert o["confusion"] == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}


def test_predictions_from_scores_use_the_stated_threshold():
    y, p, _ = _classification(2)
    r = evaluate_performance(y_true=y, scores=p, threshold=0.3, profile="sklearn").to_dict()
    assert close(r["overall"]["f1"], skm.f1_score(y, (p >= 0.3).astype(int)))
    assert r["parameters"]["threshold"] == 0.3
    assert r["parameters"]["prediction_from"] == "score >= 0.3"


def test_zero_division_is_explicit():
    y = np.array([0, 0, 1, 1])
    yhat = np.zeros(4, dtype=int)
    sk = evaluate_performance(y_true=y, y_pred=yhat, profile="sklearn").to_dict()
    assert sk["overall"]["precision"] == skm.precision_score(y, yhat, zero_division=0.0) == 0.0
    assert sk["parameters"]["zero_division"] == 0.0
    native = evaluate_performance(y_true=y, y_pred=yhat).to_dict()
    assert native["overall"]["precision"] is None
    assert any("precision undefined (no predicted positives)" in w for w in native["warnings"])
    one = evaluate_performance(y_true=y, y_pred=yhat, zero_division=1.0).to_dict()
    assert one["overall"]["precision"] == skm.precision_score(y, yhat, zero_division=1.0) == 1.0


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_equal_sklearn(weighted):
    rng = np.random.default_rng(3)
    y = rng.normal(10, 3, 5000)
    yhat = y + rng.normal(0, 1, 5000)
    sw = rng.uniform(0.1, 2, 5000) if weighted else None
    o = evaluate_performance(
        y_true=y, y_pred=yhat, task="regression", sample_weight=sw, profile="sklearn"
    ).to_dict()["overall"]
    assert close(o["mean_absolute_error"], skm.mean_absolute_error(y, yhat, sample_weight=sw))
    assert close(o["mean_squared_error"], skm.mean_squared_error(y, yhat, sample_weight=sw))
    assert close(o["root_mean_squared_error"], skm.root_mean_squared_error(y, yhat, sample_weight=sw))
    assert close(o["r2"], skm.r2_score(y, yhat, sample_weight=sw))


def test_regression_r2_edge_cases_follow_sklearn_in_the_sklearn_profile():
    const = np.full(10, 2.0)
    assert (
        evaluate_performance(y_true=const, y_pred=const, task="regression", profile="sklearn").overall["r2"]
        == 1.0
    )
    off = const + 1
    assert (
        evaluate_performance(y_true=const, y_pred=off, task="regression", profile="sklearn").overall["r2"]
        == 0.0
    )
    native = evaluate_performance(y_true=const, y_pred=off, task="regression").to_dict()
    assert native["overall"]["r2"] is None and any("r2 undefined" in w for w in native["warnings"])


def test_non_binary_target_is_refused():
    with pytest.raises(MeasureInputError, match="non-binary"):
        evaluate_performance(y_true=np.array([0, 1, 2]), y_pred=np.array([0, 1, 1]))


def test_string_labels_need_a_positive_label():
    with pytest.raises(MeasureInputError, match="pos_label"):
        evaluate_performance(y_true=np.array(["a", "b"]), y_pred=np.array(["a", "a"]))
