"""Group fairness of classifiers and regressors, computed from mergeable count tables.

Serves ISO/IEC 42001 clause 9.1 and controls A.6.2.4 (verification and validation of the AI system, here its
behaviour across groups of people) and A.6.2.6 (operation and monitoring: the same measurement repeated on
production logs). Results are ``steward.evidence/v1`` records (kind ``"fairness"``).

How it works: one counting pass over the rows builds, for every observed intersection of the sensitive
features, the 4 cells ``(y, ŷ)`` with row counts, weight sums and squared-weight sums (``np.bincount`` on a
combined code). Every confusion-based metric for every group, the overall values and all aggregates are
arithmetic on that small table; bootstrap replicates are drawn from it (multinomial over cells) without
touching the rows again. Tables from chunks or partitions add up to the table of the whole data
(``FairnessCounts.merge``), so the result does not depend on how the data was split.

Profiles:

``fairlearn``
    Reproduces Fairlearn 0.15.0's ``MetricFrame`` with its metric functions: 0/0 rates are 0.0 (sklearn's
    normalised confusion matrix and ``zero_division`` default), balanced accuracy averages the recalls of the
    classes present, several sensitive features give the full Cartesian product of their values with empty
    intersections as NaN (skipped by min/max). Missing sensitive values are refused (Fairlearn raises) unless
    ``missing="group"`` or ``missing="drop"`` is chosen explicitly; either choice is stated in the warnings.
``native``
    Steward's default: undefined rates are NaN with the reason in ``warnings``; only observed intersections
    are listed; missing sensitive values form their own group (value ``null``), stated in the warnings.

Score-based metrics (``roc_auc``, ``log_loss``) need a probability column; they follow sklearn (log loss
clips probabilities to [eps, 1 - eps]). Their states are mergeable too (score histograms and loss sums), but
they get no bootstrap interval.

Regression fairness (``evaluate_regression_fairness``) keeps per group the weight, the weighted sums of
absolute and squared errors and a weighted mean/M2 of the target (merged with Chan's formulas), giving MAE,
MSE, RMSE and R² (sklearn's ``force_finite`` rule in the fairlearn profile). One deliberate deviation: a group
whose target is constant has R² denominator exactly 0 here, whereas sklearn's weighted mean can leave a
rounding residue (~1e-30) that makes its R² an arbitrary huge negative number.
"""

from __future__ import annotations

import copy
import math
import warnings as pywarnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from ._groups import LevelIndex, combine_codes, reduce_keys, remap_levels, sum_by
from .errors import MeasureInputError
from .evidence import DatasetInfo, EvidenceResult, ThresholdSpec, load_thresholds
from .io import (
    Source,
    _array_from_values,
    coerce_pos_label,
    dataset_info,
    iter_batches,
    numeric_numpy,
    observed_labels,
    positive_mask,
    resolve_pos_label,
)

Profile = Literal["native", "fairlearn"]
Method = Literal["between_groups", "to_overall"]
MissingPolicy = Literal["group", "drop", "error"]

FAIRLEARN_VERSION = "0.15.0"

# Rows per counting pass. Small enough that the per-batch temporaries (codes, cell ids) stay a few MB, large
# enough that the per-batch merge of the count table is negligible; measured flat from 64k to 1M rows.
BATCH_ROWS = 1 << 16

CONFUSION_METRICS: tuple[str, ...] = (
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
)
SCORE_METRICS: tuple[str, ...] = ("roc_auc", "log_loss")
REGRESSION_METRICS: tuple[str, ...] = (
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "r2",
)

# Cells of the per-group confusion table, indexed by 2*y + ŷ.
TN, FP, FN, TP = 0, 1, 2, 3

_REASONS = {
    "selection_rate": "the group's weights sum to zero",
    "accuracy": "the group's weights sum to zero",
    "true_positive_rate": "no actual positives",
    "recall": "no actual positives",
    "false_negative_rate": "no actual positives",
    "true_negative_rate": "no actual negatives",
    "false_positive_rate": "no actual negatives",
    "balanced_accuracy": "the target has only one class",
    "precision": "no predicted positives",
    "f1": "no actual or predicted positives",
    "roc_auc": "the target has only one class",
    "log_loss": "no scores in [0, 1] or weights sum to zero",
    "mean_absolute_error": "the group's weights sum to zero",
    "mean_squared_error": "the group's weights sum to zero",
    "root_mean_squared_error": "the group's weights sum to zero",
    "r2": "fewer than two rows or a constant target",
}


# ------------------------------------------------------------------------------------------ metric algebra


def _div(num: np.ndarray, den: np.ndarray, fill: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(num, den)
    return np.where(den == 0, fill, out)


def confusion_metrics(cells: np.ndarray, profile: Profile) -> dict[str, np.ndarray]:
    """All confusion-based metrics from weighted cells ``[..., 4]`` (TN, FP, FN, TP)."""
    tn, fp, fn, tp = (cells[..., i] for i in range(4))
    zero = 0.0 if profile == "fairlearn" else math.nan
    pos = fn + tp
    neg = tn + fp
    total = pos + neg
    predicted = tp + fp
    tpr = _div(tp, pos, zero)
    tnr = _div(tn, neg, zero)
    if profile == "fairlearn":
        # sklearn's balanced_accuracy_score drops classes absent from y_true and averages the rest.
        r1 = _div(tp, pos, math.nan)
        r0 = _div(tn, neg, math.nan)
        both = (pos > 0) & (neg > 0)
        balanced = np.where(both, (r0 + r1) / 2, np.where(pos > 0, r1, r0))
    else:
        balanced = np.where((pos > 0) & (neg > 0), (_div(tp, pos, 0.0) + _div(tn, neg, 0.0)) / 2, math.nan)
    return {
        "selection_rate": _div(predicted, total, math.nan),
        "true_positive_rate": tpr,
        "true_negative_rate": tnr,
        "false_positive_rate": _div(fp, neg, zero),
        "false_negative_rate": _div(fn, pos, zero),
        "accuracy": _div(tp + tn, total, math.nan),
        "balanced_accuracy": balanced,
        "precision": _div(tp, predicted, zero),
        "recall": tpr,
        "f1": _div(2 * tp, 2 * tp + fp + fn, zero),
    }


def _nan_reduce(fn: Callable[..., np.ndarray], values: np.ndarray) -> np.ndarray:
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore", RuntimeWarning)
        return fn(values, axis=-1)


def nan_percentiles(samples: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """np.nanquantile(..., axis=0) with linear interpolation, vectorised over columns.

    np.nanquantile falls back to a Python-level loop per column when NaN is present (a bootstrap replicate
    in which a small group is empty), which dominated the bootstrap time.
    """
    samples = np.asarray(samples, dtype=np.float64)
    ordered = np.sort(samples, axis=0)  # NaN sorts last
    valid = np.sum(~np.isnan(samples), axis=0)
    out = []
    for q in quantiles:
        pos = q * np.maximum(valid - 1, 0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(valid - 1, 0))
        frac = pos - lo
        a = np.take_along_axis(ordered, lo[None, ...], axis=0)[0]
        b = np.take_along_axis(ordered, hi[None, ...], axis=0)[0]
        with np.errstate(invalid="ignore"):
            value = a + (b - a) * frac
        out.append(np.where(valid > 0, value, math.nan))
    return np.stack(out)


def _ratio_sub_one(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 1, 1 / x, x)


def group_aggregates(by_group: np.ndarray, overall: np.ndarray) -> dict[str, np.ndarray]:
    """Fairlearn's aggregates over the last axis (groups); NaN groups are skipped like pandas does."""
    gmin = _nan_reduce(np.nanmin, by_group)
    gmax = _nan_reduce(np.nanmax, by_group)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = gmin / gmax
        to_overall = _ratio_sub_one(by_group / overall[..., None])
    return {
        "group_min": gmin,
        "group_max": gmax,
        "difference": gmax - gmin,
        "ratio": ratio,
        "difference_to_overall": _nan_reduce(np.nanmax, np.abs(by_group - overall[..., None])),
        "ratio_to_overall": _nan_reduce(np.nanmin, to_overall),
    }


def _pick(a: np.ndarray, b: np.ndarray, kind: str, profile: Profile) -> np.ndarray:
    if profile == "fairlearn":
        # Fairlearn calls Python's builtin max()/min() on [tpr, fpr]: a NaN first operand wins, a NaN second
        # operand loses. Reproduced literally so NaN edge cases match too.
        return np.where(b > a, b, a) if kind == "max" else np.where(b < a, b, a)
    return np.maximum(a, b) if kind == "max" else np.minimum(a, b)


def fairness_aggregates(
    metric_aggs: Mapping[str, Mapping[str, np.ndarray]], method: Method, profile: Profile
) -> dict[str, np.ndarray]:
    """Named fairness criteria (demographic parity, equalized odds, equal opportunity)."""
    d = "difference" if method == "between_groups" else "difference_to_overall"
    r = "ratio" if method == "between_groups" else "ratio_to_overall"
    sel, tpr, fpr = (
        metric_aggs["selection_rate"],
        metric_aggs["true_positive_rate"],
        metric_aggs["false_positive_rate"],
    )
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore", RuntimeWarning)
        mean_d = (
            np.nanmean(np.stack([tpr[d], fpr[d]]), axis=0)
            if profile == "fairlearn"
            else (tpr[d] + fpr[d]) / 2
        )
        mean_r = (
            np.nanmean(np.stack([tpr[r], fpr[r]]), axis=0)
            if profile == "fairlearn"
            else (tpr[r] + fpr[r]) / 2
        )
    return {
        "demographic_parity_difference": sel[d],
        "demographic_parity_ratio": sel[r],
        "equalized_odds_difference": _pick(tpr[d], fpr[d], "max", profile),
        "equalized_odds_ratio": _pick(tpr[r], fpr[r], "min", profile),
        "equalized_odds_difference_mean": mean_d,
        "equalized_odds_ratio_mean": mean_r,
        "equal_opportunity_difference": tpr[d],
        "equal_opportunity_ratio": tpr[r],
    }


def _summary(
    cells: np.ndarray, present: np.ndarray, profile: Profile, method: Method
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(by_group metrics [..., k], overall metrics [...], aggregates [...]) from cells [..., k, 4]."""
    by_group = confusion_metrics(cells, profile)
    for name in by_group:
        by_group[name] = np.where(present, by_group[name], math.nan)
    overall = confusion_metrics(cells.sum(axis=-2), profile)
    per_metric = {m: group_aggregates(by_group[m], overall[m]) for m in CONFUSION_METRICS}
    aggregates: dict[str, np.ndarray] = {}
    for m, aggs in per_metric.items():
        for suffix, value in aggs.items():
            aggregates[f"{m}_{suffix}"] = value
    aggregates.update(fairness_aggregates(per_metric, method, profile))
    return by_group, overall, aggregates


# -------------------------------------------------------------------------------------------- the state


def _plain_numpy(values: Any) -> np.ndarray | None:
    """``values`` itself when it is a numeric/boolean numpy array (fast path, no Arrow conversion)."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "biuf":
        return values
    return None


def _numbers(values: Any, name: str) -> np.ndarray:
    """A complete numeric column as float64; missing or non-numeric values are an input error."""
    arr = _plain_numpy(values)
    if arr is None:
        array = _array_from_values(values)
        if array.null_count:
            raise MeasureInputError(f"column '{name}' has {array.null_count} missing value(s)")
        if not (
            pa.types.is_integer(array.type)
            or pa.types.is_floating(array.type)
            or pa.types.is_boolean(array.type)
        ):
            raise MeasureInputError(f"column '{name}' must be numeric, got {array.type}")
        arr = numeric_numpy(array)
    return arr.astype(np.float64, copy=False)


def _as_float_weights(values: Any, name: str) -> np.ndarray:
    out = _numbers(values, name)
    if not np.all(np.isfinite(out)):
        raise MeasureInputError(f"column '{name}' has missing or non-finite weights")
    if np.any(out < 0):
        raise MeasureInputError(f"column '{name}' has negative weights")
    return out


def _as_float_column(values: Any, name: str) -> np.ndarray:
    out = _numbers(values, name)
    if not np.all(np.isfinite(out)):
        raise MeasureInputError(f"column '{name}' has NaN or infinite values")
    return out


def _label_column(values: Any, name: str) -> tuple[Any, set[Any]]:
    """The label column (numpy for plain numeric arrays, else Arrow) and its distinct values."""
    arr = _plain_numpy(values)
    if arr is not None:
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise MeasureInputError(f"column '{name}' has NaN values; labels must be complete")
        return arr, set(np.unique(arr).tolist())
    array = _array_from_values(values)
    return array, observed_labels(array, name=name)


def _label_mask(column: Any, pos_label: Any) -> np.ndarray:
    if isinstance(column, np.ndarray):
        return np.asarray(column == pos_label)
    return positive_mask(column, pos_label)


def _coerce_label(pos_label: Any, column: Any) -> Any:
    if not isinstance(pos_label, str):
        return pos_label
    if isinstance(column, np.ndarray):
        kind = {"b": pa.bool_(), "i": pa.int64(), "u": pa.uint64(), "f": pa.float64()}[column.dtype.kind]
        return coerce_pos_label(pos_label, kind)
    return coerce_pos_label(pos_label, column.type)


class _GroupedState:
    """Shared part of the mergeable states: sensitive feature levels, observed key rows, row bookkeeping."""

    def __init__(self, features: Sequence[str], *, missing: MissingPolicy = "group") -> None:
        if missing not in ("group", "drop", "error"):
            raise MeasureInputError(f"missing must be 'group', 'drop' or 'error', not {missing!r}")
        self.levels = [LevelIndex(str(f)) for f in features]
        self.missing: MissingPolicy = missing
        self.keys = np.zeros((0, len(self.levels)), dtype=np.int64)
        self.rows = 0
        self.dropped_rows = 0
        self.missing_rows = dict.fromkeys((lv.name for lv in self.levels), 0)

    @property
    def features(self) -> list[str]:
        return [lv.name for lv in self.levels]

    def _dims(self) -> list[int]:
        return [max(len(lv), 1) for lv in self.levels]

    def _encode(
        self, sensitive: Sequence[pa.Array | pa.ChunkedArray], n_rows: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Level codes per row [n, f] and the keep-mask after applying the missing-value policy."""
        if len(sensitive) != len(self.levels):
            raise MeasureInputError(f"expected {len(self.levels)} sensitive feature(s), got {len(sensitive)}")
        codes = []
        keep = np.ones(n_rows, dtype=bool)
        for lv, arr in zip(self.levels, sensitive, strict=True):
            if len(arr) != n_rows:
                raise MeasureInputError(
                    f"sensitive feature '{lv.name}' has {len(arr)} rows, expected {n_rows}"
                )
            c = lv.encode(arr)
            mid = lv.missing_id
            if mid is not None:
                is_missing = c == mid
                count = int(is_missing.sum())
                if count:
                    self.missing_rows[lv.name] += count
                    if self.missing == "error":
                        raise MeasureInputError(
                            f"sensitive feature '{lv.name}' has {count} missing value(s); "
                            "choose missing 'group' "
                            "(own group) or 'drop' (rows removed and counted)"
                        )
                    if self.missing == "drop":
                        keep &= ~is_missing
            codes.append(c)
        return (np.stack(codes, axis=1) if codes else np.zeros((n_rows, 0), dtype=np.int64)), keep

    def _group_rows(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return combine_codes([codes[:, j] for j in range(codes.shape[1])], self._dims(), codes.shape[0])

    def _merge_keys(self, new_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Reduce existing + new key rows; returns (inverse of old rows, inverse of new rows, n_keys)."""
        all_keys = np.concatenate([self.keys, new_keys], axis=0)
        uniq, inverse = reduce_keys(all_keys, self._dims())
        n_old = len(self.keys)
        self.keys = uniq
        return inverse[:n_old], inverse[n_old:], len(uniq)

    def _bookkeeping_merge(self, other: _GroupedState) -> np.ndarray:
        if self.missing != other.missing:
            raise MeasureInputError("cannot merge states built with different missing-value policies")
        other_keys = remap_levels(self.levels, other.levels, other.keys)
        self.rows += other.rows
        self.dropped_rows += other.dropped_rows
        for name, count in other.missing_rows.items():
            self.missing_rows[name] += count
        return other_keys

    def _presentation(self, profile: Profile) -> tuple[list[tuple[int, ...]], np.ndarray]:
        """Group key tuples in report order and, for each, the index into self.keys (-1 = empty)."""
        orders = [lv.sort_order() for lv in self.levels]
        if self.missing == "drop":
            # A dropped missing value still has a level id (it was seen); it must not form groups.
            orders = [[i for i in o if i != lv.missing_id] for o, lv in zip(orders, self.levels, strict=True)]
        index = {tuple(int(v) for v in row): i for i, row in enumerate(self.keys)}
        if profile == "fairlearn" and len(self.levels) > 1:
            total = math.prod(len(o) for o in orders)
            if total > 1_000_000:
                raise MeasureInputError(
                    f"the Cartesian product of the sensitive features has {total} groups; "
                    "use the native profile"
                )
            import itertools

            wanted = list(itertools.product(*orders))
        else:
            rank = [{lid: pos for pos, lid in enumerate(o)} for o in orders]
            wanted = sorted(index, key=lambda key: tuple(rank[j][lid] for j, lid in enumerate(key)))
        positions = np.array([index.get(key, -1) for key in wanted], dtype=np.int64)
        return wanted, positions

    def _group_dict(self, key: tuple[int, ...]) -> dict[str, Any]:
        return {lv.name: lv.values[lid] for lv, lid in zip(self.levels, key, strict=True)}

    def _missing_warnings(self) -> list[str]:
        out = []
        for name, count in self.missing_rows.items():
            if not count:
                continue
            if self.missing == "drop":
                out.append(f"sensitive feature '{name}': {count} row(s) with a missing value were dropped")
            else:
                out.append(
                    f"sensitive feature '{name}': {count} row(s) with a missing value are reported "
                    "as their own group (value null)"
                )
        return out


class FairnessCounts(_GroupedState):
    """Mergeable state of a classification fairness evaluation.

    For each observed intersection (row of ``keys``, level ids into ``levels``) and each cell TN/FP/FN/TP:
    ``n`` (rows), ``w`` (weight sum; equals ``n`` without weights) and ``w2`` (squared-weight sum, used to
    resample weighted cells). With scores: ``log_loss_sum`` per group and a score histogram
    (``score_keys``, ``score_values``, ``score_wpos``, ``score_wneg``) from which ROC AUC is exact.
    ``labels`` is the set of target/prediction values seen, validated when the result is built.
    """

    def __init__(
        self,
        features: Sequence[str],
        *,
        pos_label: Any = None,
        missing: MissingPolicy = "group",
        with_scores: bool = False,
    ) -> None:
        super().__init__(features, missing=missing)
        self.pos_label = pos_label
        self.with_scores = with_scores
        self.weighted = False
        self.n = np.zeros((0, 4), dtype=np.int64)
        self.w = np.zeros((0, 4), dtype=np.float64)
        self.w2 = np.zeros((0, 4), dtype=np.float64)
        self.log_loss_sum = np.zeros(0, dtype=np.float64)
        self.score_keys = np.zeros((0, len(self.levels)), dtype=np.int64)
        self.score_values = np.zeros(0, dtype=np.float64)
        self.score_wpos = np.zeros(0, dtype=np.float64)
        self.score_wneg = np.zeros(0, dtype=np.float64)
        self.score_range: tuple[float, float] = (math.inf, -math.inf)
        self.labels: set[Any] = set()

    # ---- building

    def update(
        self,
        y_true: Any,
        y_pred: Any,
        sensitive: Sequence[Any],
        *,
        sample_weight: Any = None,
        scores: Any = None,
        names: Mapping[str, str] | None = None,
    ) -> FairnessCounts:
        """Add a chunk of rows. Arrays may be numpy, Arrow, pandas/polars series or lists."""
        names = dict(names or {})
        yt, labels_true = _label_column(y_true, names.get("target", "target"))
        yp, labels_pred = _label_column(y_pred, names.get("prediction", "prediction"))
        n_rows = len(yt)
        if len(yp) != n_rows:
            raise MeasureInputError(f"target has {n_rows} rows but prediction has {len(yp)}")
        self.pos_label = _coerce_label(self.pos_label, yt)
        self.labels |= labels_true | labels_pred
        resolve_pos_label(self.labels, self.pos_label)  # fail on the first bad chunk, not after the last
        pos = 1 if self.pos_label is None else self.pos_label
        y = _label_mask(yt, pos)
        yhat = _label_mask(yp, pos)
        codes, keep = self._encode([_array_from_values(s) for s in sensitive], n_rows)
        weights = None
        if sample_weight is not None:
            weights = _as_float_weights(sample_weight, names.get("weight", "weight"))
            self.weighted = True
        p = None
        if self.with_scores:
            if scores is None:
                raise MeasureInputError("this state tracks scores; pass scores for every chunk")
            p = _as_float_column(scores, names.get("score", "score"))
        self.rows += n_rows
        if not keep.all():
            self.dropped_rows += int((~keep).sum())
            codes, y, yhat = codes[keep], y[keep], yhat[keep]
            weights = None if weights is None else weights[keep]
            p = None if p is None else p[keep]
        inverse, keys = self._group_rows(codes)
        k = len(keys)
        cell = inverse * 4 + (y.astype(np.int64) * 2 + yhat.astype(np.int64))
        n_b = np.bincount(cell, minlength=4 * k).reshape(k, 4)
        w_b: np.ndarray
        w2_b: np.ndarray
        if weights is None:
            w_b = n_b.astype(np.float64)
            w2_b = w_b
        else:
            w_b = np.bincount(cell, weights=weights, minlength=4 * k).reshape(k, 4)
            w2_b = np.bincount(cell, weights=weights * weights, minlength=4 * k).reshape(k, 4)
        old_inv, new_inv, size = self._merge_keys(keys)
        self.n = sum_by(np.concatenate([old_inv, new_inv]), np.concatenate([self.n, n_b]), size)
        self.w = sum_by(np.concatenate([old_inv, new_inv]), np.concatenate([self.w, w_b]), size)
        self.w2 = sum_by(np.concatenate([old_inv, new_inv]), np.concatenate([self.w2, w2_b]), size)
        ll_b = np.zeros(k)
        if p is not None:
            ll_b = self._add_scores(p, y, weights, inverse, keys)
        self.log_loss_sum = sum_by(
            np.concatenate([old_inv, new_inv]), np.concatenate([self.log_loss_sum, ll_b]), size
        )
        return self

    def _add_scores(
        self, p: np.ndarray, y: np.ndarray, weights: np.ndarray | None, inverse: np.ndarray, keys: np.ndarray
    ) -> np.ndarray:
        if len(p):
            self.score_range = (
                min(self.score_range[0], float(p.min())),
                max(self.score_range[1], float(p.max())),
            )
        w = np.ones(len(p)) if weights is None else weights
        eps = np.finfo(np.float64).eps
        # sklearn clips each class probability column, so negatives use clip(1 - p), not 1 - clip(p).
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(y, -np.log(np.clip(p, eps, 1 - eps)), -np.log(np.clip(1 - p, eps, 1 - eps)))
        ll = np.bincount(inverse, weights=w * loss, minlength=len(keys))
        wpos = np.where(y, w, 0.0)
        wneg = np.where(y, 0.0, w)
        self._absorb_scores(keys[inverse], p, wpos, wneg)
        return ll

    def _absorb_scores(
        self, keys: np.ndarray, values: np.ndarray, wpos: np.ndarray, wneg: np.ndarray
    ) -> None:
        keys = np.concatenate([self.score_keys, keys])
        values = np.concatenate([self.score_values, values])
        wpos = np.concatenate([self.score_wpos, wpos])
        wneg = np.concatenate([self.score_wneg, wneg])
        if len(values) == 0:
            return
        _, group = (
            reduce_keys(keys, self._dims()) if keys.shape[1] else (None, np.zeros(len(values), np.int64))
        )
        order = np.lexsort((values, group))
        g, v = group[order], values[order]
        start = np.ones(len(v), dtype=bool)
        start[1:] = (g[1:] != g[:-1]) | (v[1:] != v[:-1])
        idx = np.flatnonzero(start)
        self.score_keys = keys[order][idx]
        self.score_values = v[idx]
        self.score_wpos = np.add.reduceat(wpos[order], idx)
        self.score_wneg = np.add.reduceat(wneg[order], idx)

    def merge(self, other: FairnessCounts) -> FairnessCounts:
        """A new state equal to the state of the concatenated data (exact for counts)."""
        if self.with_scores != other.with_scores:
            raise MeasureInputError("cannot merge a state with scores and one without")
        out = copy.deepcopy(self)
        other_keys = out._bookkeeping_merge(other)
        if out.pos_label is None:
            out.pos_label = other.pos_label
        out.labels |= other.labels
        out.weighted = out.weighted or other.weighted
        old_inv, new_inv, size = out._merge_keys(other_keys)
        inv = np.concatenate([old_inv, new_inv])
        out.n = sum_by(inv, np.concatenate([out.n, other.n]), size)
        out.w = sum_by(inv, np.concatenate([out.w, other.w]), size)
        out.w2 = sum_by(inv, np.concatenate([out.w2, other.w2]), size)
        out.log_loss_sum = sum_by(inv, np.concatenate([out.log_loss_sum, other.log_loss_sum]), size)
        if out.with_scores:
            lo = min(out.score_range[0], other.score_range[0])
            hi = max(out.score_range[1], other.score_range[1])
            out.score_range = (lo, hi)
            out._absorb_scores(
                remap_levels(out.levels, other.levels, other.score_keys),
                other.score_values,
                other.score_wpos,
                other.score_wneg,
            )
        return out

    # ---- reading

    def _score_metrics(self, positions: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, float]]:
        """ROC AUC and log loss per presented group and overall."""
        k = len(self.keys)
        # self.keys is unique and sorted by code, and the score table is sorted by (code, score), so the index
        # of each score row's key among self.keys keeps the table sorted by (group, score).
        _, inverse = reduce_keys(np.concatenate([self.keys, self.score_keys]), self._dims())
        group = inverse[k:]
        auc_num = np.zeros(k)
        wpos_total = np.bincount(group, weights=self.score_wpos, minlength=k)
        wneg_total = np.bincount(group, weights=self.score_wneg, minlength=k)
        if len(group):
            # Rows are sorted by (group, score): negatives strictly below each score count fully, ties half.
            cum = np.cumsum(self.score_wneg)
            first = np.ones(len(group), dtype=bool)
            first[1:] = group[1:] != group[:-1]
            seg_start = np.maximum.accumulate(np.where(first, np.arange(len(group)), 0))
            before = cum - self.score_wneg - np.where(seg_start > 0, cum[seg_start - 1], 0.0)
            auc_num = np.bincount(
                group, weights=self.score_wpos * (before + 0.5 * self.score_wneg), minlength=k
            ).astype(np.float64)
        auc = _div(auc_num, wpos_total * wneg_total, math.nan)
        weight = self.w.sum(axis=1)
        in_range = self.score_range[0] >= 0 and self.score_range[1] <= 1
        ll = _div(self.log_loss_sum, weight, math.nan) if in_range else np.full(k, math.nan)
        order = np.argsort(self.score_values, kind="stable")
        v, wp, wn = self.score_values[order], self.score_wpos[order], self.score_wneg[order]
        _uniq, start = np.unique(v, return_index=True)
        wp_u, wn_u = (
            np.add.reduceat(wp, start) if len(v) else wp,
            np.add.reduceat(wn, start) if len(v) else wn,
        )
        before_all = np.cumsum(wn_u) - wn_u
        den = wp_u.sum() * wn_u.sum()
        overall_auc = float(np.sum(wp_u * (before_all + 0.5 * wn_u)) / den) if den > 0 else math.nan
        total_w = float(weight.sum())
        overall_ll = float(self.log_loss_sum.sum() / total_w) if (in_range and total_w > 0) else math.nan
        per_group = {"roc_auc": _take(auc, positions), "log_loss": _take(ll, positions)}
        return per_group, {"roc_auc": overall_auc, "log_loss": overall_ll}

    def result(
        self,
        *,
        profile: Profile = "native",
        method: Method = "between_groups",
        min_group_size: int = 30,
        bootstrap: int = 0,
        seed: int | None = None,
        ci_level: float = 0.95,
        dataset: DatasetInfo | None = None,
        parameters: Mapping[str, Any] | None = None,
        thresholds: Sequence[ThresholdSpec] | None = None,
    ) -> EvidenceResult:
        """Build the evidence record from the counts (no data access)."""
        _check_counts(self, profile, method)
        pos_label = resolve_pos_label(self.labels, self.pos_label)
        wanted, positions = self._presentation(profile)
        present = positions >= 0
        cells = _take(self.w, positions, axis=0, fill=0.0)
        by_group, overall, aggregates = _summary(cells, present, profile, method)
        warnings = self._missing_warnings()
        if profile == "fairlearn" and len(self.levels) > 1 and not present.all():
            warnings.append(
                f"{int((~present).sum())} of {len(present)} intersections have no rows; "
                "their values are null and skipped by min/max (Fairlearn's Cartesian product)"
            )
        score_by_group: dict[str, np.ndarray] = {}
        if self.with_scores:
            score_by_group, score_overall = self._score_metrics(positions)
            overall.update({m: np.asarray(v) for m, v in score_overall.items()})
            for m in SCORE_METRICS:
                aggs = group_aggregates(score_by_group[m], np.asarray(score_overall[m]))
                aggregates.update({f"{m}_{s}": v for s, v in aggs.items()})
            if not (self.score_range[0] >= 0 and self.score_range[1] <= 1):
                warnings.append(
                    "scores fall outside [0, 1]; log_loss is not computed (ROC AUC only needs ranks)"
                )
        counts = _take(self.n.sum(axis=1), positions, fill=0)
        weights = cells.sum(axis=1)
        selection = by_group["selection_rate"]
        impact = _impact_ratios(selection)
        rows: list[dict[str, Any]] = []
        for i, key in enumerate(wanted):
            row: dict[str, Any] = {"group": self._group_dict(key)}
            row["count"] = int(counts[i]) if present[i] else math.nan
            for m in CONFUSION_METRICS:
                row[m] = float(by_group[m][i])
            for m, values in score_by_group.items():
                row[m] = float(values[i])
            if present[i]:
                nn = self.n[positions[i]]
                row["confusion"] = {
                    "tn": int(nn[TN]),
                    "fp": int(nn[FP]),
                    "fn": int(nn[FN]),
                    "tp": int(nn[TP]),
                }
                if self.weighted:
                    ww = self.w[positions[i]]
                    row["weighted_confusion"] = {"tn": ww[TN], "fp": ww[FP], "fn": ww[FN], "tp": ww[TP]}
                    row["weight"] = float(weights[i])
            row["impact_ratio"] = float(impact[i])
            row["four_fifths_flag"] = bool(impact[i] < 0.8)
            rows.append(row)
        overall_out: dict[str, Any] = {"count": int(self.n.sum())}
        overall_out.update({m: float(v) for m, v in overall.items()})
        total_n = self.n.sum(axis=0)
        overall_out["confusion"] = {
            "tn": int(total_n[TN]),
            "fp": int(total_n[FP]),
            "fn": int(total_n[FN]),
            "tp": int(total_n[TP]),
        }
        agg_out: dict[str, Any] = {k: float(v) for k, v in aggregates.items()}
        finite_impact = impact[np.isfinite(impact)]
        agg_out["impact_ratio_min"] = float(finite_impact.min()) if len(finite_impact) else math.nan
        agg_out["four_fifths_rule_passed"] = bool(len(finite_impact) and (finite_impact >= 0.8).all())
        flagged = [self._group_dict(wanted[i]) for i in range(len(wanted)) if impact[i] < 0.8]
        if flagged:
            warnings.append(
                f"four-fifths rule: {len(flagged)} group(s) have a selection rate below 80% of the highest: "
                + "; ".join(_fmt_group(g) for g in flagged[:5])
                + (" ..." if len(flagged) > 5 else "")
            )
        warnings.extend(_small_group_warnings(self, wanted, counts, present, min_group_size))
        if profile == "native":
            warnings.extend(
                _undefined_warnings(self, wanted, present, {**by_group, **score_by_group}, overall)
            )
        extra: dict[str, Any] = {}
        params: dict[str, Any] = {
            "sensitive_features": self.features,
            "pos_label": pos_label,
            "labels": _sorted_labels(self.labels),
            "method": method,
            "missing": self.missing,
            "dropped_rows": self.dropped_rows,
            "min_group_size": min_group_size,
            "weighted": self.weighted,
            "zero_division": 0.0 if profile == "fairlearn" else "nan",
            "metrics": list(CONFUSION_METRICS) + (list(SCORE_METRICS) if self.with_scores else []),
            "reproduces": f"fairlearn {FAIRLEARN_VERSION}" if profile == "fairlearn" else None,
        }
        params.update(parameters or {})
        if bootstrap:
            extra["confidence_intervals"] = self._bootstrap(
                positions, present, profile, method, bootstrap, seed, ci_level, warnings
            )
            params["bootstrap"] = {"replicates": int(bootstrap), "seed": seed, "level": ci_level}
        result = EvidenceResult(
            kind="fairness",
            profile=profile,
            dataset=dataset or DatasetInfo(rows=self.rows),
            parameters=params,
            overall=overall_out,
            by_group=rows,
            aggregates=agg_out,
            warnings=warnings,
            extra=extra,
        )
        if thresholds:
            result.apply_checks(thresholds)
        return result

    def _bootstrap(
        self,
        positions: np.ndarray,
        present: np.ndarray,
        profile: Profile,
        method: Method,
        replicates: int,
        seed: int | None,
        level: float,
        warnings: list[str],
    ) -> dict[str, Any]:
        """Percentile intervals from resampling the count table (no pass over the rows)."""
        rng = np.random.default_rng(seed)
        n_flat = self.n.reshape(-1)
        total = int(n_flat.sum())
        k = len(self.keys)
        if self.weighted:
            # Within a cell the resampled weight sum is a sum of n* draws from that cell's weights:
            # matched in mean and variance by a normal. Exact when a cell's weights are all equal.
            n_safe = np.maximum(n_flat, 1)
            mean_w = self.w.reshape(-1) / n_safe
            var_w = np.maximum(self.w2.reshape(-1) / n_safe - mean_w**2, 0.0)
            warnings.append(
                "bootstrap with weights: weight sums per cell are resampled by a moment-matched normal "
                "(exact when weights within a cell are equal)"
            )

        def replicate_block(size: int) -> tuple[dict, dict, dict]:
            draws = rng.multinomial(total, n_flat / total, size=size)
            if self.weighted:
                noise = rng.standard_normal(draws.shape)
                w_draws = np.maximum(draws * mean_w + np.sqrt(draws * var_w) * noise, 0.0)
            else:
                w_draws = draws.astype(np.float64)
            cells = _take(w_draws.reshape(size, k, 4), positions, axis=1, fill=0.0)
            counts = _take(draws.reshape(size, k, 4).sum(axis=2), positions, axis=1, fill=0)
            return _summary(cells, present[None, :] & (counts > 0), profile, method)

        by_group, overall, aggregates = _collect_replicates(replicate_block, replicates)
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2

        def interval(samples: np.ndarray) -> np.ndarray:
            return nan_percentiles(samples, (lo_q, hi_q))

        group_ci = {m: interval(v) for m, v in by_group.items()}
        return {
            "method": "percentile bootstrap; rows resampled with replacement "
            "via a multinomial over the count table",
            "level": level,
            "replicates": int(replicates),
            "seed": seed,
            "overall": {m: interval(v).tolist() for m, v in overall.items()},
            "by_group": [{m: group_ci[m][:, i].tolist() for m in by_group} for i in range(len(positions))],
            "aggregates": {m: interval(v).tolist() for m, v in aggregates.items()},
        }


_REPLICATE_BLOCK = 64  # replicates computed together: bounds the bootstrap's working memory


def _collect_replicates(
    block: Callable[[int], tuple[Mapping[str, np.ndarray], ...]], replicates: int
) -> tuple[dict[str, np.ndarray], ...]:
    """Run ``block(size)`` over blocks of replicates and stack each returned array along a first axis.

    Only the per-replicate statistics are kept (replicates x groups per metric); the resampled tables and
    intermediate arrays of a block are freed before the next one.
    """
    stacked: list[dict[str, np.ndarray]] = []
    done = 0
    while done < replicates:
        size = min(_REPLICATE_BLOCK, replicates - done)
        parts = block(size)
        if not stacked:
            stacked = [
                {m: np.empty((replicates, *np.shape(v)[1:])) for m, v in part.items()} for part in parts
            ]
        for target, part in zip(stacked, parts, strict=True):
            for m, v in part.items():
                target[m][done : done + size] = v
        done += size
    return tuple(stacked)


def _take(values: np.ndarray, positions: np.ndarray, axis: int = 0, fill: float = math.nan) -> np.ndarray:
    """values[positions] along ``axis`` with ``fill`` where position is -1 (an empty intersection)."""
    safe = np.where(positions >= 0, positions, 0)
    if values.shape[axis] == 0:
        shape = list(values.shape)
        shape[axis] = len(positions)
        return np.full(shape, fill, dtype=np.float64)
    out = np.take(values, safe, axis=axis)
    mask_shape = [1] * out.ndim
    mask_shape[axis] = len(positions)
    mask = (positions < 0).reshape(mask_shape)
    if mask.any():
        out = np.where(mask, fill, out)
    return out


def _impact_ratios(selection: np.ndarray) -> np.ndarray:
    finite = selection[np.isfinite(selection)]
    if not len(finite) or finite.max() <= 0:
        return np.full(len(selection), math.nan)
    return selection / finite.max()


def _fmt_group(group: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={'<missing>' if v is None else v}" for k, v in group.items()) + "}"


def _sorted_labels(labels: set[Any]) -> list[Any]:
    try:
        return sorted(labels)
    except TypeError:
        return sorted(labels, key=repr)


def _small_group_warnings(
    state: _GroupedState,
    wanted: Sequence[tuple[int, ...]],
    counts: np.ndarray,
    present: np.ndarray,
    minimum: int,
) -> list[str]:
    small = [
        f"{_fmt_group(state._group_dict(key))} n={int(counts[i])}"
        for i, key in enumerate(wanted)
        if present[i] and counts[i] < minimum
    ]
    if not small:
        return []
    shown = "; ".join(small[:5]) + (f" and {len(small) - 5} more" if len(small) > 5 else "")
    return [f"{len(small)} group(s) have fewer than {minimum} rows; their rates are unstable: {shown}"]


def _undefined_warnings(
    state: _GroupedState,
    wanted: Sequence[tuple[int, ...]],
    present: np.ndarray,
    by_group: Mapping[str, np.ndarray],
    overall: Mapping[str, Any],
) -> list[str]:
    out = []
    for m, values in by_group.items():
        bad = [i for i in range(len(wanted)) if present[i] and not np.isfinite(values[i])]
        if bad:
            shown = "; ".join(_fmt_group(state._group_dict(wanted[i])) for i in bad[:5])
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            out.append(
                f"{m} undefined ({_REASONS.get(m, 'zero denominator')}) "
                f"for {len(bad)} group(s): {shown}{more}"
            )
    for m, v in overall.items():
        if isinstance(v, (float, np.floating)) and not np.isfinite(v):
            out.append(f"overall {m} undefined ({_REASONS.get(m, 'zero denominator')})")
    return out


def _check_counts(counts: Any, profile: Profile, method: Method) -> None:
    """What every ``result()`` needs before it can build a record from count tables."""
    _check_profile(profile, method)
    if counts.rows == 0:
        raise MeasureInputError("no rows to measure")
    if int(counts.n.sum()) == 0:
        raise MeasureInputError("no rows left after dropping missing sensitive values")


def _check_profile(profile: str, method: str) -> None:
    if profile not in ("native", "fairlearn"):
        raise MeasureInputError(f"unknown profile {profile!r}; expected 'native' or 'fairlearn'")
    if method not in ("between_groups", "to_overall"):
        raise MeasureInputError(f"unknown method {method!r}; expected 'between_groups' or 'to_overall'")


# ------------------------------------------------------------------------------------ regression fairness


class RegressionCounts(_GroupedState):
    """Mergeable state of a regression fairness evaluation.

    Per observed group: ``n`` rows, ``w`` weight sum, ``abs_err``/``sq_err`` weighted error sums, a weighted
    mean/M2 of the target (``y_mean``, ``y_m2``) and its range for R². For bootstrap intervals, per-row
    vectors ``(w, w|e|, w e², w y, w y²)`` are summarised by their mean ``mom_mean`` and co-moment
    ``mom_m2`` per group.
    All parts merge with Chan's parallel formulas.
    """

    def __init__(self, features: Sequence[str], *, missing: MissingPolicy = "group") -> None:
        super().__init__(features, missing=missing)
        self.weighted = False
        self.n = np.zeros(0, dtype=np.int64)
        self.w = np.zeros(0)
        self.abs_err = np.zeros(0)
        self.sq_err = np.zeros(0)
        self.y_mean = np.zeros(0)
        self.y_m2 = np.zeros(0)
        self.y_min = np.zeros(0)
        self.y_max = np.zeros(0)
        self.mom_mean = np.zeros((0, 5))
        self.mom_m2 = np.zeros((0, 5, 5))

    def update(
        self,
        y_true: Any,
        y_pred: Any,
        sensitive: Sequence[Any],
        *,
        sample_weight: Any = None,
        names: Mapping[str, str] | None = None,
    ) -> RegressionCounts:
        names = dict(names or {})
        y = _as_float_column(y_true, names.get("target", "target"))
        yhat = _as_float_column(y_pred, names.get("prediction", "prediction"))
        if len(y) != len(yhat):
            raise MeasureInputError(f"target has {len(y)} rows but prediction has {len(yhat)}")
        codes, keep = self._encode([_array_from_values(s) for s in sensitive], len(y))
        w = np.ones(len(y))
        if sample_weight is not None:
            w = _as_float_weights(sample_weight, names.get("weight", "weight"))
            self.weighted = True
        self.rows += len(y)
        if not keep.all():
            self.dropped_rows += int((~keep).sum())
            codes, y, yhat, w = codes[keep], y[keep], yhat[keep], w[keep]
        inverse, keys = self._group_rows(codes)
        k = len(keys)
        n = np.bincount(inverse, minlength=k)
        wsum = np.bincount(inverse, weights=w, minlength=k)
        err = y - yhat
        abs_err = np.bincount(inverse, weights=w * np.abs(err), minlength=k)
        sq_err = np.bincount(inverse, weights=w * err * err, minlength=k)
        y_mean = _div(np.bincount(inverse, weights=w * y, minlength=k), wsum, 0.0)
        dev = y - y_mean[inverse]
        y_m2 = np.bincount(inverse, weights=w * dev * dev, minlength=k)
        y_min = np.full(k, np.inf)
        y_max = np.full(k, -np.inf)
        np.minimum.at(y_min, inverse, y)
        np.maximum.at(y_max, inverse, y)
        vec = np.stack([w, w * np.abs(err), w * err * err, w * y, w * y * y], axis=1)
        mom_sums = np.stack([np.bincount(inverse, weights=vec[:, j], minlength=k) for j in range(5)], axis=1)
        mom_mean = mom_sums / np.maximum(n, 1)[:, None]
        centred = vec - mom_mean[inverse]
        mom_m2 = np.zeros((k, 5, 5))
        for a in range(5):
            for b in range(a, 5):
                s = np.bincount(inverse, weights=centred[:, a] * centred[:, b], minlength=k)
                mom_m2[:, a, b] = s
                mom_m2[:, b, a] = s
        self._absorb(keys, n, wsum, abs_err, sq_err, y_mean, y_m2, y_min, y_max, mom_mean, mom_m2)
        return self

    def _absorb(
        self,
        keys: np.ndarray,
        n: np.ndarray,
        w: np.ndarray,
        abs_err: np.ndarray,
        sq_err: np.ndarray,
        y_mean: np.ndarray,
        y_m2: np.ndarray,
        y_min: np.ndarray,
        y_max: np.ndarray,
        mom_mean: np.ndarray,
        mom_m2: np.ndarray,
    ) -> None:
        old_inv, new_inv, size = self._merge_keys(keys)
        inv = np.concatenate([old_inv, new_inv])
        cat_n = np.concatenate([self.n, n])
        cat_w = np.concatenate([self.w, w])
        new_n = sum_by(inv, cat_n, size)
        new_w = sum_by(inv, cat_w, size)
        cat_mean = np.concatenate([self.y_mean, y_mean])
        y_mean_new = _div(sum_by(inv, cat_w * cat_mean, size), new_w, 0.0)
        shift = cat_mean - y_mean_new[inv]
        y_m2_new = sum_by(inv, np.concatenate([self.y_m2, y_m2]) + cat_w * shift * shift, size)
        cat_mom = np.concatenate([self.mom_mean, mom_mean])
        mom_mean_new = sum_by(inv, cat_n[:, None] * cat_mom, size) / np.maximum(new_n, 1)[:, None]
        d = cat_mom - mom_mean_new[inv]
        mom_m2_new = sum_by(
            inv,
            np.concatenate([self.mom_m2, mom_m2]) + cat_n[:, None, None] * d[:, :, None] * d[:, None, :],
            size,
        )
        self.abs_err = sum_by(inv, np.concatenate([self.abs_err, abs_err]), size)
        self.sq_err = sum_by(inv, np.concatenate([self.sq_err, sq_err]), size)
        self.n, self.w, self.y_mean, self.y_m2 = new_n, new_w, y_mean_new, y_m2_new
        lo = np.full(size, np.inf)
        hi = np.full(size, -np.inf)
        np.minimum.at(lo, inv, np.concatenate([self.y_min, y_min]))
        np.maximum.at(hi, inv, np.concatenate([self.y_max, y_max]))
        self.y_min, self.y_max = lo, hi
        self.mom_mean, self.mom_m2 = mom_mean_new, mom_m2_new

    def merge(self, other: RegressionCounts) -> RegressionCounts:
        out = copy.deepcopy(self)
        other_keys = out._bookkeeping_merge(other)
        out.weighted = out.weighted or other.weighted
        out._absorb(
            other_keys,
            other.n,
            other.w,
            other.abs_err,
            other.sq_err,
            other.y_mean,
            other.y_m2,
            other.y_min,
            other.y_max,
            other.mom_mean,
            other.mom_m2,
        )
        return out

    @staticmethod
    def _metrics(
        n: np.ndarray,
        w: np.ndarray,
        abs_err: np.ndarray,
        sq_err: np.ndarray,
        ss_tot: np.ndarray,
        profile: Profile,
    ) -> dict[str, np.ndarray]:
        mae = _div(abs_err, w, math.nan)
        mse = _div(sq_err, w, math.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            raw_r2 = 1 - sq_err / ss_tot
        if profile == "fairlearn":
            # sklearn's r2_score: NaN below two samples; force_finite turns 0/0 into 1 and x/0 into 0.
            r2 = np.where(sq_err == 0, 1.0, np.where(ss_tot == 0, 0.0, raw_r2))
            r2 = np.where(n < 2, math.nan, r2)
        else:
            r2 = np.where((n < 2) | (ss_tot <= 0), math.nan, raw_r2)
        return {
            "mean_absolute_error": mae,
            "mean_squared_error": mse,
            "root_mean_squared_error": np.sqrt(mse),
            "r2": r2,
        }

    def result(
        self,
        *,
        profile: Profile = "native",
        method: Method = "between_groups",
        min_group_size: int = 30,
        bootstrap: int = 0,
        seed: int | None = None,
        ci_level: float = 0.95,
        dataset: DatasetInfo | None = None,
        parameters: Mapping[str, Any] | None = None,
        thresholds: Sequence[ThresholdSpec] | None = None,
    ) -> EvidenceResult:
        _check_counts(self, profile, method)
        wanted, positions = self._presentation(profile)
        present = positions >= 0
        n = _take(self.n, positions, fill=0)
        by_group = self._metrics(
            n,
            _take(self.w, positions, fill=0.0),
            _take(self.abs_err, positions, fill=0.0),
            _take(self.sq_err, positions, fill=0.0),
            _take(self._ss_tot(), positions, fill=0.0),
            profile,
        )
        by_group = {m: np.where(present, v, math.nan) for m, v in by_group.items()}
        overall = self._overall_metrics(profile)
        aggregates: dict[str, Any] = {}
        for m in REGRESSION_METRICS:
            for s, v in group_aggregates(by_group[m], np.asarray(overall[m])).items():
                aggregates[f"{m}_{s}"] = float(v)
        warnings = self._missing_warnings()
        if profile == "fairlearn" and len(self.levels) > 1 and not present.all():
            warnings.append(
                f"{int((~present).sum())} of {len(present)} intersections have no rows; their values are null"
            )
        rows = []
        for i, key in enumerate(wanted):
            row: dict[str, Any] = {
                "group": self._group_dict(key),
                "count": int(n[i]) if present[i] else math.nan,
            }
            row.update({m: float(by_group[m][i]) for m in REGRESSION_METRICS})
            if present[i] and self.weighted:
                row["weight"] = float(self.w[positions[i]])
            rows.append(row)
        warnings.extend(_small_group_warnings(self, wanted, n, present, min_group_size))
        if profile == "native":
            warnings.extend(_undefined_warnings(self, wanted, present, by_group, overall))
        params: dict[str, Any] = {
            "task": "regression",
            "sensitive_features": self.features,
            "method": method,
            "missing": self.missing,
            "dropped_rows": self.dropped_rows,
            "min_group_size": min_group_size,
            "weighted": self.weighted,
            "metrics": list(REGRESSION_METRICS),
            "reproduces": f"fairlearn {FAIRLEARN_VERSION} with sklearn metrics"
            if profile == "fairlearn"
            else None,
        }
        params.update(parameters or {})
        extra: dict[str, Any] = {}
        if bootstrap:
            extra["confidence_intervals"] = self._bootstrap(
                positions, present, profile, bootstrap, seed, ci_level
            )
            params["bootstrap"] = {"replicates": int(bootstrap), "seed": seed, "level": ci_level}
            warnings.append(
                "regression bootstrap: per-group sums are resampled by a moment-matched normal "
                "from mergeable sufficient statistics (agrees with a row bootstrap for groups of ~30+ rows)"
            )
        result = EvidenceResult(
            kind="fairness",
            profile=profile,
            dataset=dataset or DatasetInfo(rows=self.rows),
            parameters=params,
            overall={"count": int(self.n.sum()), **{m: float(v) for m, v in overall.items()}},
            by_group=rows,
            aggregates=aggregates,
            warnings=warnings,
            extra=extra,
        )
        if thresholds:
            result.apply_checks(thresholds)
        return result

    def _ss_tot(self) -> np.ndarray:
        # A constant target has zero spread exactly; floating-point means would leave ~1e-30 residue and
        # turn R² into noise (as sklearn's does with non-dyadic weights), so it is set to 0 explicitly.
        return np.where(self.y_min == self.y_max, 0.0, self.y_m2)

    def _overall_metrics(self, profile: Profile) -> dict[str, float]:
        w = self.w.sum()
        mean = float(np.sum(self.w * self.y_mean) / w) if w > 0 else 0.0
        ss_tot = float(np.sum(self.y_m2 + self.w * (self.y_mean - mean) ** 2))
        if len(self.y_min) and self.y_min.min() == self.y_max.max():
            ss_tot = 0.0
        m = self._metrics(
            np.asarray(self.n.sum()),
            np.asarray(w),
            np.asarray(self.abs_err.sum()),
            np.asarray(self.sq_err.sum()),
            np.asarray(ss_tot),
            profile,
        )
        return {k: float(v) for k, v in m.items()}

    def _bootstrap(
        self,
        positions: np.ndarray,
        present: np.ndarray,
        profile: Profile,
        replicates: int,
        seed: int | None,
        level: float,
    ) -> dict[str, Any]:
        rng = np.random.default_rng(seed)
        total = int(self.n.sum())
        cov = self.mom_m2 / np.maximum(self.n, 1)[:, None, None]
        vals, vecs = np.linalg.eigh(cov)
        root = vecs * np.sqrt(np.clip(vals, 0.0, None))[:, None, :]  # cov = root @ root.T

        def replicate_block(size: int) -> tuple[dict, dict, dict]:
            draws = rng.multinomial(total, self.n / total, size=size)  # (size, k) rows per group
            z = rng.standard_normal((size, len(self.n), 5))
            sums = draws[:, :, None] * self.mom_mean[None] + np.sqrt(draws)[:, :, None] * np.einsum(
                "kij,bkj->bki", root, z
            )
            w, abs_err, sq_err, wy, wyy = (sums[..., j] for j in range(5))
            w = np.maximum(w, 0.0)
            ss_tot = np.maximum(wyy - _div(wy * wy, w, 0.0), 0.0)
            per_group = self._metrics(draws, w, abs_err, sq_err, ss_tot, profile)
            tw, ty, tyy = w.sum(axis=1), wy.sum(axis=1), wyy.sum(axis=1)
            overall = self._metrics(
                draws.sum(axis=1),
                tw,
                abs_err.sum(axis=1),
                sq_err.sum(axis=1),
                np.maximum(tyy - _div(ty * ty, tw, 0.0), 0.0),
                profile,
            )
            rep_present = present[None, :] & (_take(draws, positions, axis=1, fill=0) > 0)
            shown = {
                m: np.where(rep_present, _take(v, positions, axis=1), math.nan) for m, v in per_group.items()
            }
            aggs = {}
            for m in REGRESSION_METRICS:
                for suffix, v in group_aggregates(shown[m], overall[m]).items():
                    aggs[f"{m}_{suffix}"] = v
            return shown, overall, aggs

        shown, overall, aggs = _collect_replicates(replicate_block, replicates)
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2

        def interval(samples: np.ndarray) -> np.ndarray:
            return nan_percentiles(samples, (lo_q, hi_q))

        group_ci = {m: interval(v) for m, v in shown.items()}
        return {
            "method": "percentile bootstrap; group sizes multinomial, per-group sums moment-matched normal",
            "level": level,
            "replicates": int(replicates),
            "seed": seed,
            "overall": {m: interval(v).tolist() for m, v in overall.items()},
            "by_group": [{m: group_ci[m][:, i].tolist() for m in shown} for i in range(len(positions))],
            "aggregates": {m: interval(v).tolist() for m, v in aggs.items()},
        }


# ---------------------------------------------------------------------------------------- entry points


def _sensitive_columns(sensitive_features: Any) -> tuple[list[str], list[Any]]:
    """Names and arrays for sensitive features given as arrays (not column names)."""
    mod = type(sensitive_features).__module__.split(".", 1)[0]
    if isinstance(sensitive_features, (list, tuple)) and len(sensitive_features) == 0:
        return [], []
    if isinstance(sensitive_features, Mapping):
        return [str(k) for k in sensitive_features], list(sensitive_features.values())
    if mod in ("pandas", "polars") and hasattr(sensitive_features, "columns"):
        names = [str(c) for c in sensitive_features.columns]
        return names, [sensitive_features[c] for c in sensitive_features.columns]
    if isinstance(sensitive_features, pa.Table):
        return list(sensitive_features.column_names), list(sensitive_features.columns)
    if mod in ("pandas", "polars") and getattr(sensitive_features, "name", None):
        return [str(sensitive_features.name)], [sensitive_features]
    arr = np.asarray(sensitive_features, dtype=object) if isinstance(sensitive_features, list) else None
    if isinstance(sensitive_features, np.ndarray) and sensitive_features.ndim == 2:
        cols = [sensitive_features[:, j] for j in range(sensitive_features.shape[1])]
        return [f"sensitive_feature_{j}" for j in range(len(cols))], cols
    if arr is not None and arr.ndim == 2:
        return [f"sensitive_feature_{j}" for j in range(arr.shape[1])], [
            arr[:, j] for j in range(arr.shape[1])
        ]
    return ["sensitive_feature_0"], [sensitive_features]


def _plan(
    data: Source | None,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    extras: Mapping[str, Any],
) -> tuple[Source, dict[str, str], list[str], dict[str, str]]:
    """Normalise the two calling styles to (source, role → column, sensitive columns, display names)."""
    if data is not None:
        sens = [sensitive_features] if isinstance(sensitive_features, str) else list(sensitive_features)
        if not all(isinstance(s, str) for s in [y_true, y_pred, *sens]):
            raise MeasureInputError(
                "with a data source, target, prediction and sensitive features must be column names"
            )
        roles = {"target": y_true, "prediction": y_pred}
        for role, col in extras.items():
            if col is not None:
                if not isinstance(col, str):
                    raise MeasureInputError(f"with a data source, {role} must be a column name")
                roles[role] = col
        return data, roles, sens, dict(roles)
    names, arrays = _sensitive_columns(sensitive_features)
    table: dict[str, Any] = {"__target": y_true, "__prediction": y_pred}
    roles = {"target": "__target", "prediction": "__prediction"}
    for role, values in extras.items():
        if values is not None:
            table[f"__{role}"] = values
            roles[role] = f"__{role}"
    for name, values in zip(names, arrays, strict=True):
        if name in table:
            raise MeasureInputError(f"sensitive feature name {name!r} clashes with an input column")
        table[name] = values
    display = {role: role for role in roles}
    return table, roles, names, display


def _batches(
    source: Source, columns: list[str], batch_size: int, on_progress: Callable[[int], None] | None
) -> Iterator[pa.RecordBatch]:
    # Columns may repeat (e.g. the same column as target and sensitive feature); read each once.
    unique = list(dict.fromkeys(columns))
    yield from iter_batches(source, unique, batch_size, on_progress=on_progress)


def _thresholds(thresholds: Sequence[ThresholdSpec] | str | Path | None) -> list[ThresholdSpec] | None:
    if thresholds is None:
        return None
    if isinstance(thresholds, (str, Path)):
        return load_thresholds(thresholds)
    return list(thresholds)


def evaluate_fairness(
    data: Source | None = None,
    *,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    scores: Any = None,
    sample_weight: Any = None,
    pos_label: Any = None,
    profile: Profile = "native",
    method: Method = "between_groups",
    missing: MissingPolicy | None = None,
    min_group_size: int = 30,
    bootstrap: int = 0,
    seed: int | None = None,
    ci_level: float = 0.95,
    thresholds: Sequence[ThresholdSpec] | str | Path | None = None,
    batch_size: int = BATCH_ROWS,
    on_progress: Callable[[int], None] | None = None,
    hash_data: bool = True,
) -> EvidenceResult:
    """Classification fairness evidence.

    Two calling styles: ``data`` (CSV/Parquet path, DataFrame, Arrow table, dict of arrays) with column names
    for ``y_true``, ``y_pred``, ``sensitive_features`` (one name or a list), ``scores`` and
    ``sample_weight``; or ``data=None`` with arrays for each (``sensitive_features`` may be one array, a 2-D
    array, a DataFrame or a ``{name: array}`` mapping). ``missing`` defaults to ``"group"`` in the native
    profile and to ``"error"`` in the fairlearn profile (as Fairlearn refuses missing sensitive values).
    """
    _check_profile(profile, method)
    policy: MissingPolicy = missing or ("error" if profile == "fairlearn" else "group")
    source, roles, sens, display = _plan(
        data, y_true, y_pred, sensitive_features, {"score": scores, "weight": sample_weight}
    )
    if not sens:
        raise MeasureInputError("at least one sensitive feature is required")
    state = FairnessCounts(sens, pos_label=pos_label, missing=policy, with_scores="score" in roles)
    columns = [roles["target"], roles["prediction"], *sens] + [
        roles[r] for r in ("score", "weight") if r in roles
    ]
    for batch in _batches(source, columns, batch_size, on_progress):
        state.update(
            batch.column(roles["target"]),
            batch.column(roles["prediction"]),
            [batch.column(s) for s in sens],
            sample_weight=batch.column(roles["weight"]) if "weight" in roles else None,
            scores=batch.column(roles["score"]) if "score" in roles else None,
            names=display,
        )
    if state.rows == 0:
        raise MeasureInputError("empty file: no data rows" if data is not None else "no rows to measure")
    info = dataset_info(source, state.rows, hash_data=hash_data)
    params = {"columns": dict(display.items())} if data is not None else {}
    return state.result(
        profile=profile,
        method=method,
        min_group_size=min_group_size,
        bootstrap=bootstrap,
        seed=seed,
        ci_level=ci_level,
        dataset=info,
        parameters=params,
        thresholds=_thresholds(thresholds),
    )


def evaluate_regression_fairness(
    data: Source | None = None,
    *,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    sample_weight: Any = None,
    profile: Profile = "native",
    method: Method = "between_groups",
    missing: MissingPolicy | None = None,
    min_group_size: int = 30,
    bootstrap: int = 0,
    seed: int | None = None,
    ci_level: float = 0.95,
    thresholds: Sequence[ThresholdSpec] | str | Path | None = None,
    batch_size: int = BATCH_ROWS,
    on_progress: Callable[[int], None] | None = None,
    hash_data: bool = True,
) -> EvidenceResult:
    """Regression fairness evidence: MAE, MSE, RMSE and R² per group with the same aggregates."""
    _check_profile(profile, method)
    policy: MissingPolicy = missing or ("error" if profile == "fairlearn" else "group")
    source, roles, sens, display = _plan(data, y_true, y_pred, sensitive_features, {"weight": sample_weight})
    if not sens:
        raise MeasureInputError("at least one sensitive feature is required")
    state = RegressionCounts(sens, missing=policy)
    columns = [roles["target"], roles["prediction"], *sens] + ([roles["weight"]] if "weight" in roles else [])
    for batch in _batches(source, columns, batch_size, on_progress):
        state.update(
            batch.column(roles["target"]),
            batch.column(roles["prediction"]),
            [batch.column(s) for s in sens],
            sample_weight=batch.column(roles["weight"]) if "weight" in roles else None,
            names=display,
        )
    if state.rows == 0:
        raise MeasureInputError("empty file: no data rows" if data is not None else "no rows to measure")
    info = dataset_info(source, state.rows, hash_data=hash_data)
    params = {"columns": dict(display)} if data is not None else {}
    return state.result(
        profile=profile,
        method=method,
        min_group_size=min_group_size,
        bootstrap=bootstrap,
        seed=seed,
        ci_level=ci_level,
        dataset=info,
        parameters=params,
        thresholds=_thresholds(thresholds),
    )
