"""Steward's measurement engine: fairness, performance, drift and data-quality evidence.

Serves ISO/IEC 42001 clause 9.1 (monitoring, measurement, analysis and evaluation) and Annex A controls
A.6.2.4 (verification and validation), A.6.2.6 (operation and monitoring) and A.7.4 (data quality).

A pure library: it never imports Django. Importing this package is cheap; the public names below are
loaded on first use (PEP 562) so ``steward evaluate`` starts without numpy, pandas or scipy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "MeasureInputError": "errors",
    "EvidenceResult": "evidence",
    "DatasetInfo": "evidence",
    "Check": "evidence",
    "ThresholdSpec": "evidence",
    "load_thresholds": "evidence",
    "parse_thresholds": "evidence",
    "iter_batches": "io",
    "load_columns": "io",
    "dataset_sha256": "io",
    "evaluate_fairness": "fairness",
    "evaluate_regression_fairness": "fairness",
    "FairnessCounts": "fairness",
    "RegressionCounts": "fairness",
    "evaluate_performance": "performance",
    "render_html": "report",
    "evaluate_drift": "drift",
    "evaluate_quality": "quality",
}

__all__ = [
    "Check",
    "DatasetInfo",
    "EvidenceResult",
    "FairnessCounts",
    "MeasureInputError",
    "RegressionCounts",
    "ThresholdSpec",
    "dataset_sha256",
    "evaluate_drift",
    "evaluate_fairness",
    "evaluate_performance",
    "evaluate_quality",
    "evaluate_regression_fairness",
    "iter_batches",
    "load_columns",
    "load_thresholds",
    "parse_thresholds",
    "render_html",
]

if TYPE_CHECKING:
    from .errors import MeasureInputError
    from .evidence import Check, DatasetInfo, EvidenceResult, ThresholdSpec, load_thresholds, parse_thresholds
    from .fairness import FairnessCounts, RegressionCounts, evaluate_fairness, evaluate_regression_fairness
    from .io import dataset_sha256, iter_batches, load_columns
    from .performance import evaluate_performance
    from .report import render_html


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
