"""Data-quality evidence: counts, missing values, duplicates, constant columns and declared-schema rules.

ISO/IEC 42001 clause 9.1 (monitoring, measurement, analysis and evaluation) and control A.7.4 (data quality
for AI systems: data used to develop and operate an AI system meets defined quality requirements); also
A.6.2.6 when run on production inputs. The declared schema is the documented quality requirement; every rule
it states becomes one entry in ``checks`` and ``passed`` is true only when all of them hold.

Measured for the data set: rows, columns, ``missing_cells`` and ``missing_share`` (missing cells over all
cells), ``duplicate_rows`` and their share, and the numbers of constant, almost-constant and empty columns.
Measured for every column: missing values (null/None/NaN; ±inf is *not* missing and is counted separately as
``nonfinite``), distinct values, the share of the most frequent value, min/max for numbers and datetimes, and
two flags with Evidently's definitions: ``constant`` (at most one distinct non-missing value) and
``almost_constant`` (the most frequent non-missing value covers at least ``almost_constant_threshold`` = 95 %
of all rows; constant columns are included). Duplicate rows are rows equal to an earlier row in every column
(missing equals missing), as ``pandas.DataFrame.duplicated`` counts them.

Schema (a mapping, or a YAML/JSON file holding one)::

    rows: {min: 100, max: 10000000}            # optional bounds on the row count
    duplicates: {max_share: 0.01}              # optional bound on duplicate_row_share
    allow_extra_columns: true                  # false: columns not declared below fail a check
    reference: {max_row_count_change: 0.5,     # |rows - reference rows| / reference rows
                max_missing_share_increase: 0.05}   # per column, current share - reference share
    columns:
      age: {type: integer, min: 0, max: 120, nullable: false}
      sex: {type: string, allowed: [F, M]}
      income: {type: number, min: 0, max_missing_share: 0.1}
      id: {type: string, unique: true}
      joined: {type: datetime, required: false}

Column keys: ``type`` (``integer``, ``number``, ``string``, ``boolean``, ``datetime``, ``categorical`` = any),
``nullable`` (default true), ``min``/``max`` (inclusive), ``allowed`` (list of values), ``max_missing_share``,
``unique`` and ``required`` (default true). Type rules: ``integer`` accepts integer dtypes and floats with no
fractional part (±inf violates); ``number`` accepts integer and float dtypes (not bool); ``string`` accepts
string values only; ``boolean`` accepts booleans only; in object columns each non-missing value is checked,
otherwise a column of another dtype violates on every non-missing value. Rule → check: type →
``type_violations`` ≤ 0, nullable false → ``missing_count`` ≤ 0, min → observed ``min`` ≥ bound, max →
observed ``max`` ≤ bound, allowed → ``disallowed_values`` ≤ 0, unique → ``duplicate_values`` ≤ 0, a required
column that is absent → ``column_present`` ≥ 1.

With a ``reference`` data set the result also compares row counts, columns, dtypes and per-column missing
shares; a reference column absent from the data fails the check ``columns_missing_vs_reference`` ≤ 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .drift import _Counts, _json_key, _Raw, _summarise, _Table
from .errors import MeasureInputError

if TYPE_CHECKING:
    from .evidence import Check, EvidenceResult

__all__ = ["ALMOST_CONSTANT_THRESHOLD", "SCHEMA_TYPES", "evaluate_quality", "load_schema"]

ALMOST_CONSTANT_THRESHOLD = 0.95
SCHEMA_TYPES = ("integer", "number", "string", "boolean", "datetime", "categorical")
_COLUMN_KEYS = {"type", "nullable", "min", "max", "allowed", "max_missing_share", "unique", "required"}
_TOP_KEYS = {"columns", "rows", "duplicates", "allow_extra_columns", "reference"}
_REFERENCE_KEYS = {"max_row_count_change", "max_missing_share_increase"}

_CONVENTIONS = [
    "Missing: null/None/NaN (and NaT). +/-inf is not missing; it is counted as nonfinite.",
    "constant: at most one distinct non-missing value. almost_constant: the most frequent non-missing value "
    "covers >= almost_constant_threshold of all rows (constant columns included), as Evidently defines both.",
    "duplicate_rows: rows equal to an earlier row in every column, missing equal to missing "
    "(pandas DataFrame.duplicated).",
    "Schema rules are inclusive bounds; each declared rule yields one check, and passed requires all checks.",
]


# -------------------------------------------------------------------------------------------------- schema


def load_schema(schema: Any) -> dict[str, Any]:
    """Validate a schema mapping, or read one from a YAML/JSON file path; raises MeasureInputError."""
    if schema is None:
        return {}
    if isinstance(schema, (str, bytes)) or hasattr(schema, "__fspath__"):
        schema = _read_schema_file(schema)
    if not isinstance(schema, Mapping):
        raise MeasureInputError("schema must be a mapping with a 'columns' key")
    unknown = set(schema) - _TOP_KEYS
    if unknown:
        raise MeasureInputError(f"schema has unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    columns = schema.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise MeasureInputError("schema 'columns' must map column names to rules")
    for name, rules in columns.items():
        _validate_column_rules(str(name), rules)
    for key in ("rows", "duplicates", "reference"):
        if key in schema and not isinstance(schema[key], Mapping):
            raise MeasureInputError(f"schema '{key}' must be a mapping")
    for key in schema.get("rows") or {}:
        if key not in ("min", "max"):
            raise MeasureInputError(f"schema 'rows' accepts min and max, not {key!r}")
    for key in schema.get("duplicates") or {}:
        if key != "max_share":
            raise MeasureInputError(f"schema 'duplicates' accepts max_share, not {key!r}")
    bad_ref = set(schema.get("reference") or {}) - _REFERENCE_KEYS
    if bad_ref:
        raise MeasureInputError(f"schema 'reference' has unknown key(s) {sorted(bad_ref)}")
    return dict(schema)


def _read_schema_file(path: Any) -> Any:
    from pathlib import Path

    p = Path(path if not isinstance(path, bytes) else path.decode())
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise MeasureInputError(f"cannot read schema file {p}: {exc.strerror or exc}") from None
    if not text.strip():
        raise MeasureInputError(f"empty file: {p}")
    try:
        if p.suffix.lower() == ".json":
            import json

            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MeasureInputError(f"cannot parse schema file {p}: {first}") from None


def _validate_column_rules(name: str, rules: Any) -> None:
    if not isinstance(rules, Mapping):
        raise MeasureInputError(f"schema rules for column '{name}' must be a mapping")
    unknown = set(rules) - _COLUMN_KEYS
    if unknown:
        raise MeasureInputError(
            f"schema column '{name}' has unknown key(s) {sorted(unknown)}; allowed: {sorted(_COLUMN_KEYS)}"
        )
    if "type" in rules and rules["type"] not in SCHEMA_TYPES:
        raise MeasureInputError(f"schema column '{name}': type must be one of {SCHEMA_TYPES}")
    if "allowed" in rules and not isinstance(rules["allowed"], (list, tuple)):
        raise MeasureInputError(f"schema column '{name}': 'allowed' must be a list")
    for key in ("nullable", "unique", "required"):
        if key in rules and not isinstance(rules[key], bool):
            raise MeasureInputError(f"schema column '{name}': '{key}' must be true or false")
    if "max_missing_share" in rules:
        share = rules["max_missing_share"]
        if not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise MeasureInputError(f"schema column '{name}': max_missing_share must be between 0 and 1")


# ------------------------------------------------------------------------------------------ column stats


@dataclass
class _ColumnStats:
    name: str
    dtype: str
    rows: int
    counts: _Counts | None  # None for dtypes that cannot be counted (reported, not checked)
    is_datetime: bool = False

    @property
    def missing(self) -> int:
        return self.rows if self.counts is None else self.counts.n_null

    @property
    def nonfinite(self) -> int:
        return 0 if self.counts is None else self.counts.n_posinf + self.counts.n_neginf

    @property
    def n_unique(self) -> int:
        if self.counts is None:
            return 0
        c = self.counts
        return int(c.values.size) + int(c.n_posinf > 0) + int(c.n_neginf > 0)

    @property
    def top_count(self) -> int:
        if self.counts is None:
            return 0
        c = self.counts
        top = int(c.counts.max()) if c.counts.size else 0
        return max(top, c.n_posinf, c.n_neginf)


def _datetime_counts(raw: _Raw) -> _Counts:
    """Datetimes are counted on their int64 nanosecond view; NaT is missing."""
    data = raw.data
    if raw.origin == "pandas":
        arr = data.to_numpy()
    elif raw.origin == "arrow":
        import pyarrow as pa

        col = data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data
        arr = col.to_numpy(zero_copy_only=False)
    else:
        arr = np.asarray(data)
    if arr.dtype.kind != "M":
        arr = arr.astype("datetime64[ns]")
    ints = arr.view(np.int64)
    nat = np.isnat(arr)
    n_nat = int(np.count_nonzero(nat))
    from .drift import _numeric_counts

    c = _numeric_counts(ints[~nat] if n_nat else ints)
    c.n_null = n_nat
    c.values = c.values.astype(arr.dtype)
    return c


def _column_stats(raw: _Raw, name: str) -> _ColumnStats:
    if raw.dtype_class == "datetime":
        return _ColumnStats(name, raw.dtype_class, raw.rows, _datetime_counts(raw), is_datetime=True)
    try:
        return _ColumnStats(name, raw.dtype_class, raw.rows, _summarise(raw, name))
    except MeasureInputError:
        return _ColumnStats(name, raw.dtype_class, raw.rows, None)


def _bound_value(v: Any, is_datetime: bool) -> Any:
    if is_datetime:
        return str(np.datetime64(v, "ns")) if not isinstance(v, str) else v
    return _json_key(v)


def _min_max(s: _ColumnStats) -> tuple[Any, Any]:
    """Smallest and largest finite value (±inf is reported as ``nonfinite``, not as a bound)."""
    c = s.counts
    if c is None or c.values.dtype.kind not in "iufM" or not c.values.size:
        return None, None
    lo, hi = c.values[0], c.values[-1]
    if s.is_datetime:
        return str(lo), str(hi)
    if c.values.dtype.kind == "f":
        return float(lo), float(hi)
    return _json_key(lo), _json_key(hi)


def _observed_bound(s: _ColumnStats, which: str) -> float | None:
    """The bound a range check compares with: ±inf included, datetimes as epoch seconds."""
    c = s.counts
    if c is None or c.values.dtype.kind not in "iufM":
        return None
    if which == "min" and c.n_neginf:
        return float("-inf")
    if which == "max" and c.n_posinf:
        return float("inf")
    if not c.values.size:
        return None
    v = c.values[0] if which == "min" else c.values[-1]
    if s.is_datetime:
        return float(np.datetime64(v, "s").astype(np.int64))
    return float(v)


# --------------------------------------------------------------------------------------------- rule logic


def _type_violations(s: _ColumnStats, wanted: str) -> int:
    """Non-missing values that do not conform to the declared type."""
    if wanted == "categorical":
        return 0
    c = s.counts
    if c is None:
        return s.rows
    non_missing = c.n + c.n_posinf + c.n_neginf
    kind = c.values.dtype.kind
    if wanted == "datetime":
        return 0 if s.is_datetime else non_missing
    if kind == "O":
        return int(
            sum(
                n
                for v, n in zip(c.values.tolist(), c.counts.tolist(), strict=True)
                if not _conforms(v, wanted)
            )
        )
    if wanted == "integer":
        if kind in "iu":
            return 0
        if kind == "f":
            frac = c.values != np.floor(c.values)
            return int(c.counts[frac].sum()) + c.n_posinf + c.n_neginf
        return non_missing
    if wanted == "number":
        return 0 if kind in "iuf" else non_missing
    if wanted == "boolean":
        return 0 if kind == "b" else non_missing
    if wanted == "string":
        return 0 if kind in "US" else non_missing
    return 0


def _conforms(v: Any, wanted: str) -> bool:
    if wanted == "string":
        return isinstance(v, str)
    if wanted == "boolean":
        return isinstance(v, (bool, np.bool_))
    if isinstance(v, (bool, np.bool_)):
        return False
    if wanted == "integer":
        return isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer())
    if wanted == "number":
        return isinstance(v, (int, float, np.integer, np.floating))
    return True


def _count_outside(s: _ColumnStats, lo: Any, hi: Any) -> tuple[int, int]:
    """(values below lo, values above hi) among non-missing numeric/datetime values."""
    c = s.counts
    if c is None or c.values.dtype.kind not in "iufM":
        return 0, 0
    below = above = 0
    if lo is not None:
        bound = np.datetime64(lo) if s.is_datetime else lo
        below = int(c.counts[c.values < bound].sum()) + c.n_neginf
    if hi is not None:
        bound = np.datetime64(hi) if s.is_datetime else hi
        above = int(c.counts[c.values > bound].sum()) + c.n_posinf
    return below, above


def _disallowed(s: _ColumnStats, allowed: Sequence[Any]) -> int:
    c = s.counts
    if c is None:
        return s.rows - s.missing
    permitted = set()
    for v in allowed:
        permitted.add(v)
        if isinstance(v, str):
            continue
        permitted.add(str(v))
    bad = 0
    for v, n in zip(c.values.tolist(), c.counts.tolist(), strict=True):
        if v not in permitted:
            bad += n
    bad += 0 if float("inf") in permitted else c.n_posinf
    bad += 0 if float("-inf") in permitted else c.n_neginf
    return bad


# ---------------------------------------------------------------------------------------- duplicate rows


def _row_codes(raw: _Raw) -> np.ndarray:
    """Dense per-row codes of one column; missing values share one code."""
    data = raw.data
    if raw.origin == "pandas":
        codes, _ = data.factorize(use_na_sentinel=True)
        return np.asarray(codes, dtype=np.int64)
    if raw.origin == "arrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        col = data
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        enc = pc.dictionary_encode(col)
        return np.asarray(pc.fill_null(enc.indices.cast(pa.int64()), -1).to_numpy(), dtype=np.int64)
    arr = np.asarray(data)
    if arr.dtype.kind == "O":
        import pyarrow as pa

        try:
            return _row_codes(
                _Raw(raw.dtype_class, pa.chunked_array([pa.array(arr, from_pandas=True)]), "arrow", raw.rows)
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            index: dict[Any, int] = {}
            return np.fromiter((index.setdefault(repr(v), len(index)) for v in arr.tolist()), dtype=np.int64)
    _, inverse = np.unique(arr, return_inverse=True)
    return inverse.astype(np.int64, copy=False).ravel()


def _duplicate_rows(table: _Table, names: Sequence[str]) -> int:
    if table.rows == 0 or not names:
        return 0
    key = np.zeros(table.rows, dtype=np.int64)
    key_size = 1
    limit = 1 << 62
    for name in names:
        codes = _row_codes(table.raw(name))
        codes = codes + 1  # missing (-1) becomes 0
        width = int(codes.max()) + 1
        if key_size * width >= limit:
            # Re-number the combined key densely before it could overflow int64.
            uniq, inverse = np.unique(key, return_inverse=True)
            key, key_size = inverse.astype(np.int64, copy=False).ravel(), int(uniq.size)
        key = key * width + codes
        key_size *= width
    return int(table.rows - np.unique(key).size)


# ------------------------------------------------------------------------------------------------ public


def evaluate_quality(
    data: Any,
    *,
    schema: Any = None,
    reference: Any = None,
    almost_constant_threshold: float = ALMOST_CONSTANT_THRESHOLD,
    hash_data: bool = True,
) -> EvidenceResult:
    """Data-quality evidence for ``data`` (path, DataFrame, Arrow table or dict of arrays).

    ``schema``: a mapping or a YAML/JSON path (format in the module docstring); every declared rule becomes a
    check. ``reference``: an earlier data set to compare row counts, columns and missing shares with.
    """
    from .evidence import Check, EvidenceResult

    if not 0.5 <= almost_constant_threshold <= 1:
        raise MeasureInputError("almost_constant_threshold must be between 0.5 and 1")
    rules = load_schema(schema)
    table = _Table(data)
    names = table.names
    stats = {name: _column_stats(table.raw(name), name) for name in names}
    rows = table.rows
    checks: list[Check] = [
        Check(metric="rows", threshold=1.0, bound="min", value=float(rows), passed=rows >= 1)
    ]
    warnings: list[str] = []

    entries = []
    for name in names:
        s = stats[name]
        lo, hi = _min_max(s)
        top_share = s.top_count / rows if rows else 0.0
        entry: dict[str, Any] = {
            "column": name,
            "type": s.dtype,
            "count": rows - s.missing,
            "missing": s.missing,
            "missing_share": s.missing / rows if rows else 0.0,
            "nonfinite": s.nonfinite,
            "n_unique": s.n_unique,
            "top_share": top_share,
            "constant": s.n_unique <= 1,
            "almost_constant": bool(rows) and top_share >= almost_constant_threshold,
        }
        if lo is not None:
            entry["min"], entry["max"] = lo, hi
        if s.counts is None:
            entry["analysed"] = False
            warnings.append(f"column '{name}': dtype {s.dtype} only counted for missing values")
        entries.append(entry)
    by_name = {e["column"]: e for e in entries}

    declared = rules.get("columns") or {}
    for name, col_rules in declared.items():
        name = str(name)
        if name not in stats:
            if col_rules.get("required", True):
                checks.append(Check("column_present", 1.0, "min", 0.0, False, column=name))
            else:
                warnings.append(f"optional column '{name}' is absent")
            continue
        checks.extend(_column_checks(stats[name], col_rules, by_name[name]))
    if rules.get("allow_extra_columns") is False:
        extra_cols = [n for n in names if n not in declared]
        checks.append(Check("unexpected_columns", 0.0, "max", float(len(extra_cols)), not extra_cols))
        if extra_cols:
            warnings.append(f"columns not declared in the schema: {', '.join(extra_cols[:20])}")

    duplicates = _duplicate_rows(table, names)
    missing_cells = sum(s.missing for s in stats.values())
    cells = rows * len(names)
    overall: dict[str, Any] = {
        "rows": rows,
        "columns": len(names),
        "missing_cells": missing_cells,
        "missing_share": missing_cells / cells if cells else 0.0,
        "duplicate_rows": duplicates,
        "duplicate_row_share": duplicates / rows if rows else 0.0,
        "constant_columns": sum(1 for e in entries if e["constant"]),
        "almost_constant_columns": sum(1 for e in entries if e["almost_constant"]),
        "empty_columns": sum(1 for e in entries if rows and e["missing"] == rows),
    }
    if declared:
        overall["type_violations"] = sum(int(by_name[n].get("type_violations", 0)) for n in by_name)
    row_rules = rules.get("rows") or {}
    for bound in ("min", "max"):
        if bound in row_rules:
            limit = float(row_rules[bound])
            ok = rows >= limit if bound == "min" else rows <= limit
            checks.append(Check("rows", limit, bound, float(rows), ok))
    dup_rules = rules.get("duplicates") or {}
    if "max_share" in dup_rules:
        limit = float(dup_rules["max_share"])
        share = overall["duplicate_row_share"]
        checks.append(Check("duplicate_row_share", limit, "max", share, share <= limit))

    extra: dict[str, Any] = {"conventions": _CONVENTIONS}
    parameters: dict[str, Any] = {
        "schema": rules or None,
        "almost_constant_threshold": almost_constant_threshold,
        "reference": reference is not None,
    }
    if reference is not None:
        ref_block, ref_checks, ref_warnings = _compare_reference(
            reference, stats, rows, rules, by_name, hash_data
        )
        extra["reference"] = ref_block
        checks.extend(ref_checks)
        warnings.extend(ref_warnings)

    from .drift import _dataset_info

    return EvidenceResult(
        kind="data_quality",
        profile="native",
        dataset=_dataset_info(data, rows, hash_data),
        parameters=parameters,
        overall=overall,
        columns=entries,
        checks=checks,
        warnings=warnings,
        extra=extra,
    )


def _column_checks(s: _ColumnStats, rules: Mapping[str, Any], entry: dict[str, Any]) -> list[Check]:
    from .evidence import Check

    name = s.name
    out: list[Check] = []
    if "type" in rules:
        bad = _type_violations(s, str(rules["type"]))
        entry["type_violations"] = bad
        entry["declared_type"] = rules["type"]
        out.append(Check("type_violations", 0.0, "max", float(bad), bad == 0, column=name))
    if rules.get("nullable", True) is False:
        out.append(Check("missing_count", 0.0, "max", float(s.missing), s.missing == 0, column=name))
    if "max_missing_share" in rules:
        limit = float(rules["max_missing_share"])
        share = entry["missing_share"]
        out.append(Check("missing_share", limit, "max", share, share <= limit, column=name))
    lo, hi = rules.get("min"), rules.get("max")
    if lo is not None or hi is not None:
        below, above = _count_outside(s, lo, hi)
        entry["below_min"], entry["above_max"] = below, above
        if lo is not None:
            value = _observed_bound(s, "min")
            out.append(_range_check("min", lo, "min", value, below == 0, name, s.is_datetime))
        if hi is not None:
            value = _observed_bound(s, "max")
            out.append(_range_check("max", hi, "max", value, above == 0, name, s.is_datetime))
    if "allowed" in rules:
        bad = _disallowed(s, rules["allowed"])
        entry["disallowed_values"] = bad
        out.append(Check("disallowed_values", 0.0, "max", float(bad), bad == 0, column=name))
    if rules.get("unique") is True:
        dup = (entry["count"] - s.n_unique) if s.counts is not None else 0
        entry["duplicate_values"] = dup
        out.append(Check("duplicate_values", 0.0, "max", float(dup), dup == 0, column=name))
    return out


def _range_check(
    metric: str, bound_value: Any, bound: str, value: float | None, ok: bool, name: str, is_dt: bool
) -> Check:
    from .evidence import Check

    if is_dt:
        # Check thresholds are numbers: datetime bounds are compared as epoch seconds.
        threshold = float(np.datetime64(bound_value, "s").astype(np.int64))
        return Check(metric, threshold, bound, value, ok, column=name)  # type: ignore[arg-type]
    return Check(metric, float(bound_value), bound, value, ok, column=name)  # type: ignore[arg-type]


def _compare_reference(
    reference: Any,
    stats: Mapping[str, _ColumnStats],
    rows: int,
    rules: Mapping[str, Any],
    entries: Mapping[str, dict[str, Any]],
    hash_data: bool,
) -> tuple[dict[str, Any], list[Check], list[str]]:
    from .drift import _dataset_info
    from .evidence import Check

    ref_table = _Table(reference)
    ref_rows = ref_table.rows
    ref_names = ref_table.names
    checks: list[Check] = []
    warnings: list[str] = []
    missing_cols = [n for n in ref_names if n not in stats]
    new_cols = [n for n in stats if n not in set(ref_names)]
    checks.append(
        Check("columns_missing_vs_reference", 0.0, "max", float(len(missing_cols)), not missing_cols)
    )
    if missing_cols:
        warnings.append(f"columns in the reference but not in the data: {', '.join(missing_cols[:20])}")
    if new_cols:
        warnings.append(f"columns not in the reference: {', '.join(new_cols[:20])}")
    change = (rows - ref_rows) / ref_rows if ref_rows else float("nan")
    ref_rules = rules.get("reference") or {}
    if "max_row_count_change" in ref_rules:
        limit = float(ref_rules["max_row_count_change"])
        checks.append(Check("row_count_change", limit, "max", abs(change), abs(change) <= limit))
    max_increase = ref_rules.get("max_missing_share_increase")
    dtype_changes = []
    for name in ref_names:
        if name not in stats:
            continue
        ref_stats = _column_stats(ref_table.raw(name), name)
        ref_share = ref_stats.missing / ref_rows if ref_rows else 0.0
        entry = entries[name]
        entry["reference_missing_share"] = ref_share
        entry["missing_share_change"] = entry["missing_share"] - ref_share
        entry["reference_n_unique"] = ref_stats.n_unique
        if ref_stats.dtype != stats[name].dtype:
            entry["reference_type"] = ref_stats.dtype
            dtype_changes.append(f"{name} ({ref_stats.dtype} -> {stats[name].dtype})")
        if max_increase is not None:
            inc = entry["missing_share_change"]
            checks.append(
                Check(
                    "missing_share_increase",
                    float(max_increase),
                    "max",
                    inc,
                    inc <= float(max_increase),
                    column=name,
                )
            )
    if dtype_changes:
        warnings.append("dtype changed since the reference: " + ", ".join(dtype_changes[:20]))
    block = {
        "dataset": _dataset_info(reference, ref_rows, hash_data).to_dict(),
        "rows": ref_rows,
        "row_count_change": change,
        "columns_missing": missing_cols,
        "columns_added": new_cols,
    }
    return block, checks, warnings
