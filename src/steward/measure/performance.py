"""Model performance evidence: classification and regression metrics with sklearn as the reference.

Serves ISO/IEC 42001 clause 9.1 and controls A.6.2.4 (verification and validation: the model meets its
stated performance criteria) and A.6.2.6 (operation and monitoring: the same criteria on production logs).
Results are ``steward.evidence/v1`` records of kind ``"performance"``.

The computation reuses the fairness engine's mergeable count tables with no sensitive feature, so the
confusion counts an auditor needs to recompute any rate are always stored in ``overall["confusion"]``.

Profiles: ``sklearn`` follows scikit-learn's defaults (``zero_division=0.0``, balanced accuracy over the
classes present, ``r2_score(force_finite=True)``); ``native`` reports undefined values as NaN with the reason.
Every choice that changes a number (pos_label, zero_division, probability threshold, averaging) is written
into ``parameters``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .errors import MeasureInputError
from .evidence import EvidenceResult, ThresholdSpec
from .fairness import (
    BATCH_ROWS,
    TN,
    TP,
    FairnessCounts,
    RegressionCounts,
    _as_float_column,
    _div,
    _plan,
    _thresholds,
    confusion_metrics,
)
from .io import (
    Source,
    coerce_pos_label,
    dataset_info,
    iter_batches,
    observed_labels,
    positive_mask,
    resolve_pos_label,
)

Task = Literal["classification", "regression"]
PerformanceProfile = Literal["native", "sklearn"]

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
RATE_METRICS = (
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
)


def evaluate_performance(
    data: Source | None = None,
    *,
    y_true: Any,
    y_pred: Any = None,
    scores: Any = None,
    task: Task = "classification",
    pos_label: Any = None,
    threshold: float = 0.5,
    zero_division: float | None = None,
    sample_weight: Any = None,
    profile: PerformanceProfile = "native",
    thresholds: Sequence[ThresholdSpec] | str | Path | None = None,
    batch_size: int = BATCH_ROWS,
    on_progress: Callable[[int], None] | None = None,
    hash_data: bool = True,
) -> EvidenceResult:
    """Performance evidence for a classifier (``task="classification"``) or a regressor.

    As in :func:`steward.measure.fairness.evaluate_fairness`, pass ``data`` with column names or arrays alone.
    For classification, ``y_pred`` may be omitted when ``scores`` (probability of ``pos_label``) are given:
    predictions are then ``score >= threshold``. ``zero_division`` (precision, recall, F1) defaults to 0.0
    in the sklearn profile and NaN in the native profile.
    """
    if task not in ("classification", "regression"):
        raise MeasureInputError(f"unknown task {task!r}; expected 'classification' or 'regression'")
    if profile not in ("native", "sklearn"):
        raise MeasureInputError(f"unknown profile {profile!r}; expected 'native' or 'sklearn'")
    if y_pred is None and (task == "regression" or scores is None):
        raise MeasureInputError("a prediction column is required (or, for classification, a score column)")
    extras = {"score": scores, "weight": sample_weight}
    if y_pred is None:
        # _plan requires a prediction; use the score column as a placeholder and derive predictions below.
        source, roles, _, display = _plan(data, y_true, scores, [], extras)
        del roles["prediction"], display["prediction"]
    else:
        source, roles, _, display = _plan(data, y_true, y_pred, [], extras)
    columns = list(dict.fromkeys(roles.values()))
    thresholds_list = _thresholds(thresholds)
    if task == "regression":
        return _regression(
            source,
            roles,
            display,
            columns,
            data,
            profile,
            thresholds_list,
            batch_size,
            on_progress,
            hash_data,
        )
    zd = (0.0 if profile == "sklearn" else math.nan) if zero_division is None else float(zero_division)
    state = FairnessCounts([], pos_label=True, missing="group", with_scores="score" in roles)
    labels: set[Any] = set()
    resolved = pos_label
    for batch in iter_batches(source, columns, batch_size, on_progress=on_progress):
        target = batch.column(roles["target"])
        if isinstance(resolved, str):
            resolved = coerce_pos_label(resolved, target.type)
        labels |= observed_labels(target, name=display["target"])
        if "prediction" in roles:
            prediction = batch.column(roles["prediction"])
            labels |= observed_labels(prediction, name=display["prediction"])
        resolve_pos_label(labels, resolved)
        pos = 1 if resolved is None else resolved
        y = positive_mask(target, pos)
        p = None
        if "score" in roles:
            p = _as_float_column(batch.column(roles["score"]), display["score"])
        yhat = positive_mask(prediction, pos) if "prediction" in roles else (p >= threshold)  # type: ignore[operator]
        state.update(
            y,
            yhat,
            [],
            sample_weight=batch.column(roles["weight"]) if "weight" in roles else None,
            scores=p,
            names=display,
        )
    if state.rows == 0:
        raise MeasureInputError("empty file: no data rows" if data is not None else "no rows to measure")
    pos_resolved = resolve_pos_label(labels, resolved)
    cells = state.w.sum(axis=0)
    counts = state.n.sum(axis=0)
    rates = confusion_metrics(cells, "fairlearn" if profile == "sklearn" else "native")
    tn, fp, fn, tp = (float(c) for c in cells)
    overall: dict[str, Any] = {
        "count": int(counts.sum()),
        "accuracy": float(rates["accuracy"]),
        "balanced_accuracy": float(rates["balanced_accuracy"]),
        "precision": float(_div(np.asarray(tp), np.asarray(tp + fp), zd)),
        "recall": float(_div(np.asarray(tp), np.asarray(tp + fn), zd)),
        "f1": float(_div(np.asarray(2 * tp), np.asarray(2 * tp + fp + fn), zd)),
    }
    warnings: list[str] = []
    if state.with_scores:
        _, score_overall = state._score_metrics(np.zeros(1, dtype=np.int64))
        overall.update(score_overall)
        if not (state.score_range[0] >= 0 and state.score_range[1] <= 1):
            warnings.append("scores fall outside [0, 1]; log_loss is not computed")
    overall.update({m: float(rates[m]) for m in RATE_METRICS})
    overall["confusion"] = {
        "tn": int(counts[TN]),
        "fp": int(counts[1]),
        "fn": int(counts[2]),
        "tp": int(counts[TP]),
    }
    if state.weighted:
        overall["weighted_confusion"] = {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    if profile == "native":
        for m, v in overall.items():
            if isinstance(v, float) and not math.isfinite(v):
                warnings.append(f"{m} undefined ({_reason(m)})")
    params: dict[str, Any] = {
        "task": "classification",
        "pos_label": pos_resolved,
        "labels": sorted(labels, key=repr),
        "zero_division": zd if math.isfinite(zd) else "nan",
        "average": "binary",
        "threshold": threshold if "prediction" not in roles else None,
        "prediction_from": "prediction column" if "prediction" in roles else f"score >= {threshold}",
        "weighted": state.weighted,
        "reproduces": "scikit-learn metrics" if profile == "sklearn" else None,
    }
    if data is not None:
        params["columns"] = dict(display)
    result = EvidenceResult(
        kind="performance",
        profile=profile,
        dataset=dataset_info(source, state.rows, hash_data=hash_data),
        parameters=params,
        overall=overall,
        warnings=warnings,
    )
    if thresholds_list:
        result.apply_checks(thresholds_list)
    return result


def _reason(metric: str) -> str:
    return {
        "precision": "no predicted positives",
        "recall": "no actual positives",
        "true_positive_rate": "no actual positives",
        "false_negative_rate": "no actual positives",
        "true_negative_rate": "no actual negatives",
        "false_positive_rate": "no actual negatives",
        "f1": "no actual or predicted positives",
        "balanced_accuracy": "the target has only one class",
        "roc_auc": "the target has only one class",
        "r2": "fewer than two rows or a constant target",
    }.get(metric, "zero denominator")


def _regression(
    source: Source,
    roles: Mapping[str, str],
    display: Mapping[str, str],
    columns: list[str],
    data: Source | None,
    profile: PerformanceProfile,
    thresholds: list[ThresholdSpec] | None,
    batch_size: int,
    on_progress: Callable[[int], None] | None,
    hash_data: bool,
) -> EvidenceResult:
    state = RegressionCounts([])
    for batch in iter_batches(source, columns, batch_size, on_progress=on_progress):
        state.update(
            batch.column(roles["target"]),
            batch.column(roles["prediction"]),
            [],
            sample_weight=batch.column(roles["weight"]) if "weight" in roles else None,
            names=display,
        )
    if state.rows == 0:
        raise MeasureInputError("empty file: no data rows" if data is not None else "no rows to measure")
    metrics = state._overall_metrics("fairlearn" if profile == "sklearn" else "native")
    overall: dict[str, Any] = {"count": int(state.n.sum()), **metrics}
    if state.weighted:
        overall["weight"] = float(state.w.sum())
    warnings = [
        f"{m} undefined ({_reason(m)})"
        for m, v in metrics.items()
        if profile == "native" and not math.isfinite(v)
    ]
    params: dict[str, Any] = {
        "task": "regression",
        "weighted": state.weighted,
        "r2_force_finite": profile == "sklearn",
        "reproduces": "scikit-learn metrics" if profile == "sklearn" else None,
    }
    if data is not None:
        params["columns"] = dict(display)
    result = EvidenceResult(
        kind="performance",
        profile=profile,
        dataset=dataset_info(source, state.rows, hash_data=hash_data),
        parameters=params,
        overall=overall,
        warnings=warnings,
    )
    if thresholds:
        result.apply_checks(thresholds)
    return result
