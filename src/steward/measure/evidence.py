"""Typed evidence records produced by every measurement, and the threshold checks applied to them.

ISO/IEC 42001 clause 9.1 (monitoring, measurement, analysis and evaluation) asks for retained, documented
evidence of measurement results; controls A.6.2.4 (verification and validation), A.6.2.6 (operation and
monitoring) and A.7.4 (data quality) are evidenced by fairness, performance, drift and data-quality records.
This module defines the one record shape they share (``steward.evidence/v1``) so the management system can
store, compare and audit them without knowing which engine produced them.

The module deliberately imports nothing beyond the standard library: the command line imports it at start-up.

JSON form (keys that do not apply to a kind are omitted)::

    {"schema": "steward.evidence/v1", "kind": "fairness"|"performance"|"drift"|"data_quality",
     "profile": ..., "engine": {"name": "steward", "version": ...},
     "dataset": {"rows": N, "sha256": ..., "sha256_of": "file-bytes"|"arrow-ipc", ...},
     "parameters": {...}, "overall": {metric: value}, "by_group": [{"group": {...}, "count": n, ...}],
     "aggregates": {...}, "columns": [{"column", "type", "test", "score", "threshold", "drift"}],
     "dataset_drift": bool, "share_drifted": x, "checks": [{"metric", "threshold", "passed", ...}],
     "passed": bool, "warnings": [...], "histograms": [...], ...extra keys}

Undefined numbers (NaN, ±inf) are written as JSON ``null`` so the file stays valid JSON; a warning names
every such value so a reader never mistakes ``null`` for "not measured".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from steward import __version__

from .errors import MeasureInputError

SCHEMA = "steward.evidence/v1"
ENGINE_NAME = "steward"

Kind = Literal["fairness", "performance", "drift", "data_quality"]
KINDS: tuple[str, ...] = ("fairness", "performance", "drift", "data_quality")

# Keys in the order the contract lists them; to_dict() emits them in this order, then any extra keys.
_CONTRACT_ORDER = (
    "schema",
    "kind",
    "profile",
    "engine",
    "dataset",
    "parameters",
    "overall",
    "by_group",
    "aggregates",
    "columns",
    "dataset_drift",
    "share_drifted",
    "checks",
    "passed",
    "warnings",
)


@dataclass(frozen=True)
class DatasetInfo:
    """What was measured: row count and a content hash so the record can be tied to its data.

    ``sha256_of`` says what the hash covers: ``"file-bytes"`` (the bytes of the input file as stored) or
    ``"arrow-ipc"`` (a canonical Arrow IPC stream of the in-memory table, see ``steward.measure.io``).
    """

    rows: int
    sha256: str | None = None
    sha256_of: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": int(self.rows), "sha256": self.sha256}
        if self.sha256_of is not None:
            out["sha256_of"] = self.sha256_of
        if self.source is not None:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Check:
    """One threshold check: ``value`` must be ``<= threshold`` (bound "max") or ``>= threshold`` ("min")."""

    metric: str
    threshold: float
    bound: Literal["min", "max"]
    value: float | None
    passed: bool
    column: str | None = None
    group: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "metric": self.metric,
            "threshold": self.threshold,
            "bound": self.bound,
            "value": self.value,
            "passed": bool(self.passed),
        }
        if self.column is not None:
            out["column"] = self.column
        if self.group is not None:
            out["group"] = dict(self.group)
        return out


@dataclass(frozen=True)
class ThresholdSpec:
    """A declared acceptance criterion from a threshold file: bounds on one metric.

    ``column`` addresses a drift/quality column entry, ``group`` a by_group row; without either the metric is
    looked up in ``aggregates``, then ``overall``, then the top-level numbers (``share_drifted``...).
    """

    metric: str
    min: float | None = None
    max: float | None = None
    column: str | None = None
    group: Mapping[str, Any] | None = None

    def evaluate(self, value: float | None) -> list[Check]:
        defined = value is not None and not math.isnan(value)
        checks = []
        for bound, threshold in (("max", self.max), ("min", self.min)):
            if threshold is None:
                continue
            if not defined:
                # An undefined measurement cannot demonstrate conformity, so the check fails.
                passed = False
            elif bound == "max":
                passed = value <= threshold  # type: ignore[operator]
            else:
                passed = value >= threshold  # type: ignore[operator]
            checks.append(
                Check(
                    metric=self.metric,
                    threshold=float(threshold),
                    bound=bound,  # type: ignore[arg-type]
                    value=value,
                    passed=bool(passed),
                    column=self.column,
                    group=self.group,
                )
            )
        return checks


_SPEC_KEYS = {"metric", "min", "max", "column", "group"}


def parse_thresholds(obj: Any) -> list[ThresholdSpec]:
    """Validate a loaded threshold document: ``{"checks": [...]}`` or a bare list of check entries."""
    entries = obj.get("checks") if isinstance(obj, Mapping) else obj
    if not isinstance(entries, list):
        raise MeasureInputError('threshold file must be a list of checks or {"checks": [...]}')
    specs = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or "metric" not in entry:
            raise MeasureInputError(f"threshold check #{i + 1} must be a mapping with a 'metric' key")
        unknown = set(entry) - _SPEC_KEYS
        if unknown:
            raise MeasureInputError(
                f"threshold check #{i + 1} has unknown key(s) {sorted(unknown)}; "
                f"allowed: {sorted(_SPEC_KEYS)}"
            )
        if entry.get("min") is None and entry.get("max") is None:
            raise MeasureInputError(f"threshold check #{i + 1} ({entry['metric']}) needs 'min' or 'max'")
        try:
            lo = None if entry.get("min") is None else float(entry["min"])
            hi = None if entry.get("max") is None else float(entry["max"])
        except (TypeError, ValueError):
            raise MeasureInputError(
                f"threshold check #{i + 1} ({entry['metric']}): bounds must be numbers"
            ) from None
        group = entry.get("group")
        if group is not None and not isinstance(group, Mapping):
            raise MeasureInputError(f"threshold check #{i + 1}: 'group' must map feature names to values")
        specs.append(
            ThresholdSpec(
                metric=str(entry["metric"]),
                min=lo,
                max=hi,
                column=None if entry.get("column") is None else str(entry["column"]),
                group=None if group is None else dict(group),
            )
        )
    return specs


def load_thresholds(path: str | Path) -> list[ThresholdSpec]:
    """Read a YAML or JSON threshold file (chosen by extension; ``.json`` is JSON, anything else YAML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise MeasureInputError(f"cannot read threshold file {p}: {exc.strerror or exc}") from None
    if not text.strip():
        raise MeasureInputError(f"empty file: {p}")
    try:
        if p.suffix.lower() == ".json":
            obj = json.loads(text)
        else:
            import yaml  # PyYAML parses JSON too; imported lazily to keep start-up fast

            obj = yaml.safe_load(text)
    except Exception as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MeasureInputError(f"cannot parse threshold file {p}: {first_line}") from None
    return parse_thresholds(obj)


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _same_group(row_group: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    # Threshold files are text: compare values as strings so `1` in YAML matches a group value of 1 or "1".
    if set(row_group) != set(wanted):
        return False
    return all(str(row_group[k]) == str(wanted[k]) for k in wanted)


@dataclass
class EvidenceResult:
    """The outcome of one evaluation, in the ``steward.evidence/v1`` shape.

    Fields left as ``None`` do not apply to the kind and are omitted from :meth:`to_dict`. ``histograms`` is
    optional plot data for the HTML report: a list of ``{"column": name, "edges": [...]}`` (numerical,
    len = bins + 1) or ``{"column": name, "categories": [...]}`` together with ``"reference": [...]`` and
    ``"current": [...]`` proportions per bin/category. ``extra`` holds further top-level keys (e.g.
    ``confidence_intervals``) that are emitted as they are.
    """

    kind: str
    profile: str
    dataset: DatasetInfo
    parameters: dict[str, Any] = field(default_factory=dict)
    overall: dict[str, Any] | None = None
    by_group: list[dict[str, Any]] | None = None
    aggregates: dict[str, Any] | None = None
    columns: list[dict[str, Any]] | None = None
    dataset_drift: bool | None = None
    share_drifted: float | None = None
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    histograms: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    engine_version: str = __version__

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown evidence kind {self.kind!r}; expected one of {KINDS}")

    @property
    def passed(self) -> bool:
        """True when every threshold check passed (vacuously true without checks)."""
        return all(c.passed for c in self.checks)

    def lookup(
        self, metric: str, *, column: str | None = None, group: Mapping[str, Any] | None = None
    ) -> float | None:
        """The number a threshold refers to; MeasureInputError if the result has no such metric."""
        if column is not None:
            for entry in self.columns or []:
                if str(entry.get("column")) == column and metric in entry:
                    return _as_float(entry[metric])
            raise MeasureInputError(
                f"threshold check names column '{column}' metric '{metric}' not in result"
            )
        if group is not None:
            for row in self.by_group or []:
                if _same_group(row.get("group", {}), group) and metric in row:
                    return _as_float(row[metric])
            raise MeasureInputError(
                f"threshold check names group {dict(group)} metric '{metric}' not in result"
            )
        for table in (self.aggregates, self.overall):
            if table is not None and metric in table:
                return _as_float(table[metric])
        if metric == "share_drifted" and self.share_drifted is not None:
            return float(self.share_drifted)
        if metric == "dataset_drift" and self.dataset_drift is not None:
            return 1.0 if self.dataset_drift else 0.0
        if metric in self.extra and _as_float(self.extra[metric]) is not None:
            return _as_float(self.extra[metric])
        raise MeasureInputError(
            f"threshold check names metric '{metric}' which this {self.kind} result lacks"
        )

    def apply_checks(self, specs: Iterable[ThresholdSpec]) -> EvidenceResult:
        """Evaluate threshold specs against this result, append the checks, and return self."""
        for spec in specs:
            value = self.lookup(spec.metric, column=spec.column, group=spec.group)
            new = spec.evaluate(value)
            if value is None or math.isnan(value):
                self.warnings.append(f"check on '{spec.metric}' failed because the value is undefined")
            self.checks.extend(new)
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; NaN/inf become None and each is named in ``warnings``."""
        raw: dict[str, Any] = {
            "schema": SCHEMA,
            "kind": self.kind,
            "profile": self.profile,
            "engine": {"name": ENGINE_NAME, "version": self.engine_version},
            "dataset": self.dataset.to_dict(),
            "parameters": self.parameters,
        }
        optional = {
            "overall": self.overall,
            "by_group": self.by_group,
            "aggregates": self.aggregates,
            "columns": self.columns,
            "dataset_drift": self.dataset_drift,
            "share_drifted": self.share_drifted,
        }
        raw.update({k: v for k, v in optional.items() if v is not None})
        raw["checks"] = [c.to_dict() for c in self.checks]
        raw["passed"] = self.passed
        if self.histograms is not None:
            raw["histograms"] = self.histograms
        for key, value in self.extra.items():
            if key in raw or key == "warnings":
                raise ValueError(f"extra key {key!r} would shadow a contract key")
            raw[key] = value
        undefined: list[str] = []
        clean = _sanitise(raw, "", undefined)
        warnings = list(self.warnings)
        if undefined:
            shown = ", ".join(undefined[:8]) + (
                f" and {len(undefined) - 8} more" if len(undefined) > 8 else ""
            )
            warnings.append(f"{len(undefined)} undefined value(s) written as null: {shown}")
        clean["warnings"] = warnings
        return clean

    def to_json(self, *, indent: int | None = 2) -> str:
        """Strict JSON text (no NaN/Infinity literals)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvidenceResult:
        """Rebuild a result from its dict/JSON form (undefined values come back as None)."""
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} record: schema={data.get('schema')!r}")
        known = set(_CONTRACT_ORDER) | {"histograms"}
        ds = data.get("dataset", {})
        checks = [
            Check(
                metric=c["metric"],
                threshold=c["threshold"],
                bound=c.get("bound", "max"),
                value=c.get("value"),
                passed=bool(c["passed"]),
                column=c.get("column"),
                group=c.get("group"),
            )
            for c in data.get("checks", [])
        ]
        return cls(
            kind=data["kind"],
            profile=data["profile"],
            dataset=DatasetInfo(
                rows=ds.get("rows", 0),
                sha256=ds.get("sha256"),
                sha256_of=ds.get("sha256_of"),
                source=ds.get("source"),
            ),
            parameters=dict(data.get("parameters", {})),
            overall=data.get("overall"),
            by_group=data.get("by_group"),
            aggregates=data.get("aggregates"),
            columns=data.get("columns"),
            dataset_drift=data.get("dataset_drift"),
            share_drifted=data.get("share_drifted"),
            checks=checks,
            # Undefined values come back as None, so to_dict() will not add its null note a second time.
            warnings=list(data.get("warnings", [])),
            histograms=data.get("histograms"),
            extra={k: v for k, v in data.items() if k not in known},
            engine_version=data.get("engine", {}).get("version", __version__),
        )


def _sanitise(value: Any, path: str, undefined: list[str]) -> Any:
    """Convert to plain JSON types; NaN/inf → None (path recorded); numpy scalars/arrays → Python."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        undefined.append(path or "<root>")
        return None
    if isinstance(value, Mapping):
        return {str(k): _sanitise(v, f"{path}.{k}" if path else str(k), undefined) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitise(v, f"{path}[{i}]", undefined) for i, v in enumerate(value)]
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays, without importing numpy here
    if callable(tolist):
        return _sanitise(tolist(), path, undefined)
    if isinstance(value, Sequence):
        return [_sanitise(v, f"{path}[{i}]", undefined) for i, v in enumerate(value)]
    if isinstance(value, Path):
        return str(value)
    isoformat = getattr(value, "isoformat", None)  # dates and times used as group values
    if callable(isoformat):
        return isoformat()
    if type(value).__name__ == "Decimal":
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} at {path or '<root>'} in an evidence record")
