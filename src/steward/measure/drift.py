"""Data drift between a reference and a current data set, and reusable reference profiles.

ISO/IEC 42001 clause 9.1 (monitoring, measurement, analysis and evaluation), control A.6.2.6 (AI system
operation and monitoring: notice when production inputs stop resembling the data the system was validated on)
and control A.7.4 (data quality for AI systems). Every result is a ``steward.evidence/v1`` record of kind
``"drift"`` that states the profile, the test, the threshold and the decision rule used for every column.

Profiles
--------
``evidently`` reproduces Evidently 0.7.23 ``DataDriftPreset`` (per-column ``ValueDrift`` values):

* cleaning per column: ±inf → NaN → dropped; ``reference_rows`` is the cleaned reference length and
  ``n_unique`` the number of distinct values of cleaned reference and current;
* column types are inferred from the *current* data as Evidently does (float → numerical; int → categorical
  when it has ≤ 10 distinct values, else numerical; strings → text when more than half of the non-null values
  are distinct, else categorical; bool/category → categorical; unsigned and pandas nullable dtypes, datetimes
  and other objects are not analysed). ``column_types`` overrides the inference;
* default test per column (reference rows ≤ 1000: z-test for ≤ 2 values, chi-square for 3-5 values or any
  categorical, KS above; more rows: Jensen-Shannon for categorical or ≤ 5 values, normed Wasserstein above);
  PSI and KL divergence on request, with Evidently's binning and zero fill;
* dataset drift when the share of drifted columns is ≥ ``drift_share`` (0.5).

Text columns are not analysed (Evidently trains a domain classifier on them, which is not reproduced): they
are listed under ``skipped_columns`` and left out of the share, so the share differs from Evidently's
``DriftedColumnsCount`` when text columns are present. Evidently's ``DriftedColumnsCount`` also skips the
±inf cleaning for a column that holds ±inf but no NaN (its per-column ``ValueDrift`` does not); Steward
always cleans, so its share follows the per-column values.

``native`` is Steward's default, chosen for auditability and for exact scoring from a stored profile:

* column types come from ``column_types`` when given (preferred; the result warns about every inferred type)
  and otherwise from the *reference* (float → numerical; int → numerical with more than 10 distinct values;
  strings, bools and categories → categorical), so a column's test never depends on the window being scored;
* numerical columns: PSI over 10 equal-frequency bins cut at the reference deciles (inverted-CDF quantiles,
  intervals closed on the right, duplicate cut points merged); categorical columns: PSI over the categories
  of reference and current. Missing and non-finite values form one extra bin when either side has any, so a
  rising missing rate counts as drift instead of being dropped. Proportions use additive smoothing
  ``(count + 0.5) / (n + 0.5·k)`` so an empty bin gives a finite PSI. Drift when PSI ≥ 0.1; PSI ≥ 0.25 is
  reported as ``severity="significant"`` (credit-risk convention: < 0.1 none, 0.1-0.25 moderate);
* the Jensen-Shannon distance with base-2 logarithms (range 0-1) on the same bins is reported alongside;
* tests on request: ``jensenshannon`` (base 2, native bins, threshold 0.1), ``chisquare`` (test of
  homogeneity on the 2-by-k table of native bins, drift when p < 0.05), ``ks`` and ``wasserstein`` (as in the
  evidently profile).

Reference profiles
------------------
``build_reference_profile`` summarises the reference once (per column: value counts, deciles and decile-bin
counts, min/max/std, missing counts) and ``score_against_profile`` scores later windows by counting only.
Exact from a profile: native PSI and Jensen-Shannon (fixed bins), chi-square and z-test, Jensen-Shannon/PSI/KL
over values or categories, and — while the reference column has at most ``max_exact_values`` distinct values,
when the profile keeps every value with its count — KS, normed Wasserstein and Evidently's Sturges-binned
Jensen-Shannon/PSI/KL too. Above that limit the profile keeps a 1,000-point quantile sketch and those tests
are approximations (``"exact": false`` on the column); computing them exactly needs the raw reference (use
``evaluate_drift``). Current windows can be counted in chunks (``CurrentCounts.merge``): the merged counts are
exactly the whole window's, so the scores are too.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import MeasureInputError

if TYPE_CHECKING:
    from .evidence import EvidenceResult

__all__ = [
    "EVIDENTLY_VERSION",
    "PROFILES",
    "ColumnProfile",
    "CurrentCounts",
    "ReferenceProfile",
    "build_reference_profile",
    "evaluate_drift",
    "score_against_profile",
]

EVIDENTLY_VERSION = "0.7.23"
PROFILES = ("native", "evidently")
PROFILE_SCHEMA = "steward.reference_profile/v1"
NUMERICAL = "numerical"
CATEGORICAL = "categorical"
COLUMN_TYPES = (NUMERICAL, CATEGORICAL)

# Evidently's DataDriftPreset thresholds and switch points (legacy/calculations/stattests, registry.py).
_SMALL_REFERENCE = 1000
_EXACT_KS_MAX_N = 10_000  # scipy ks_2samp(method="auto") is exact up to this sample size
_INT_CARDINALITY_LIMIT = 10
_STURGES_MIN_UNIQUE = 20  # reference nunique above this → equal-width Sturges bins
_WASSERSTEIN_MIN_STD = 0.001

_SKETCH_POINTS = 1000
_DEFAULT_MAX_EXACT_VALUES = 10_000
_NATIVE_PSI_THRESHOLD = 0.1
_NATIVE_PSI_SIGNIFICANT = 0.25
_NATIVE_SMOOTHING = 0.5
_HISTOGRAM_BINS = 20
_HISTOGRAM_CATEGORIES = 30


@dataclass(frozen=True)
class _Test:
    name: str
    display: str
    score_kind: str  # "p_value" | "distance" | "divergence"
    default_threshold: float
    rule: str  # how the score is compared with the threshold

    def drifted(self, score: float, threshold: float) -> bool:
        if math.isnan(score):
            return False
        if self.rule == "p <= threshold":
            return score <= threshold
        if self.rule == "p < threshold":
            return score < threshold
        return score >= threshold


_EVIDENTLY_TESTS = {
    "ks": _Test("ks", "K-S p_value", "p_value", 0.05, "p <= threshold"),
    "chisquare": _Test("chisquare", "chi-square p_value", "p_value", 0.05, "p < threshold"),
    "z": _Test("z", "Z-test p_value", "p_value", 0.05, "p < threshold"),
    "wasserstein": _Test(
        "wasserstein", "Wasserstein distance (normed)", "distance", 0.1, "score >= threshold"
    ),
    "jensenshannon": _Test("jensenshannon", "Jensen-Shannon distance", "distance", 0.1, "score >= threshold"),
    "psi": _Test("psi", "PSI", "divergence", 0.1, "score >= threshold"),
    "kl_div": _Test("kl_div", "Kullback-Leibler divergence", "divergence", 0.1, "score >= threshold"),
}
# Which column types Evidently accepts a test for when it is requested explicitly (default selection may
# still apply chi-square and z to numerical columns).
_EVIDENTLY_ALLOWED = {
    "ks": (NUMERICAL,),
    "chisquare": (CATEGORICAL,),
    "z": (CATEGORICAL,),
    "wasserstein": (NUMERICAL,),
    "jensenshannon": (NUMERICAL, CATEGORICAL),
    "psi": (NUMERICAL, CATEGORICAL),
    "kl_div": (NUMERICAL, CATEGORICAL),
}
_NATIVE_TESTS = {
    "psi": _Test(
        "psi",
        "PSI (reference-decile bins, smoothed)",
        "divergence",
        _NATIVE_PSI_THRESHOLD,
        "score >= threshold",
    ),
    "jensenshannon": _Test(
        "jensenshannon",
        "Jensen-Shannon distance (base 2, reference-decile bins)",
        "distance",
        0.1,
        "score >= threshold",
    ),
    "chisquare": _Test(
        "chisquare", "chi-square test of homogeneity p_value", "p_value", 0.05, "p < threshold"
    ),
    "ks": _Test("ks", "K-S p_value", "p_value", 0.05, "p <= threshold"),
    "wasserstein": _Test(
        "wasserstein", "Wasserstein distance (normed)", "distance", 0.1, "score >= threshold"
    ),
}
_NATIVE_ALLOWED = {
    "psi": (NUMERICAL, CATEGORICAL),
    "jensenshannon": (NUMERICAL, CATEGORICAL),
    "chisquare": (NUMERICAL, CATEGORICAL),
    "ks": (NUMERICAL,),
    "wasserstein": (NUMERICAL,),
}

_EVIDENTLY_CONVENTIONS = [
    f"Evidently {EVIDENTLY_VERSION} DataDriftPreset defaults reproduced (per-column ValueDrift values).",
    "Cleaning per column: +/-inf -> NaN -> dropped; reference_rows and n_unique are counted after cleaning.",
    "Types inferred from the current data: float numerical; int categorical if <= 10 distinct values else "
    "numerical; strings text if > 50% distinct else categorical; bool/category categorical.",
    "Reference rows <= 1000: z-test (<= 2 values), chi-square (3-5 values or categorical), KS p (scipy "
    "ks_2samp, method auto) above; more rows: Jensen-Shannon (natural log) for categorical or <= 5 values, "
    "Wasserstein / max(std_ref, 0.001) above.",
    "p-value tests drift when p < threshold (KS: p <= threshold); distances when score >= threshold.",
    "Binning for JS/PSI/KL: numerical with reference nunique > 20 -> Sturges equal-width bins over "
    "reference + current; otherwise proportions over the union of values. PSI/KL zero fill per side: "
    "min_nonzero/1e6 if min_nonzero <= 1e-4 else 1e-4.",
    "Text columns are not analysed (Evidently's domain-classifier text drift is not reproduced).",
]
_NATIVE_CONVENTIONS = [
    "Column types from column_types when given, otherwise inferred from the reference: float numerical; int "
    "numerical when > 10 distinct values; strings, bools and categories categorical.",
    "Numerical: PSI over 10 equal-frequency bins cut at the reference deciles (inverted-CDF quantiles, "
    "right-closed, duplicates merged). Categorical: PSI over the categories of reference and current.",
    "Missing and non-finite values form one extra bin when either side has any.",
    "Proportions smoothed: (count + 0.5) / (n + 0.5 k). Drift when PSI >= 0.1; severity 'moderate' for "
    "0.1 <= PSI < 0.25 and 'significant' for PSI >= 0.25.",
    "Jensen-Shannon distance with base-2 logarithms on the same (unsmoothed) bins reported as "
    "js_distance_base2.",
]


# ------------------------------------------------------------------------------------------- value counts


@dataclass
class _Counts:
    """One side of one column: distinct non-missing values with their counts, plus what was removed.

    ``values`` is sorted when its dtype is numeric or bool. When ``exact`` is False, ``values`` is a quantile
    sketch and ``counts`` are float weights summing to ``n`` (min, max, std and n_unique stay exact).
    """

    values: np.ndarray
    counts: np.ndarray
    n: int
    n_null: int = 0
    n_posinf: int = 0
    n_neginf: int = 0
    integer: bool = False
    exact: bool = True
    n_unique: int = 0
    std: float | None = None
    vmin: Any = None
    vmax: Any = None

    @property
    def numeric(self) -> bool:
        return self.values.dtype.kind in "iuf"

    @property
    def n_nonfinite(self) -> int:
        return self.n_null + self.n_posinf + self.n_neginf

    def cumulative(self) -> np.ndarray:
        """``[0, c0, c0+c1, ...]``: how many values lie below each distinct value (cached)."""
        cum = self.__dict__.get("_cumulative")
        if cum is None or cum.size != self.counts.size + 1:
            cum = np.concatenate([np.zeros(1, dtype=self.counts.dtype), np.cumsum(self.counts)])
            self.__dict__["_cumulative"] = cum
        return cum

    def std_value(self) -> float:
        if self.std is None:
            w = self.counts.astype(np.float64)
            v = self.values.astype(np.float64)
            mean = float(np.dot(w, v) / self.n)
            self.std = float(math.sqrt(float(np.dot(w, (v - mean) ** 2)) / self.n))
        return self.std


def _run_lengths(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if s.size == 0:
        return s[:0], np.zeros(0, dtype=np.int64)
    change = np.empty(s.size, dtype=bool)
    change[0] = True
    np.not_equal(s[1:], s[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    if starts.size == s.size:
        return s, np.ones(s.size, dtype=np.int64)
    counts = np.diff(np.append(starts, s.size)).astype(np.int64, copy=False)
    return s[starts], counts


def _numeric_counts(x: np.ndarray) -> _Counts:
    """Counts of a numeric (int/uint/float) array; NaN and ±inf are counted and removed."""
    n_null = n_pos = n_neg = 0
    if x.dtype.kind == "f":
        if x.dtype != np.float64:
            # Evidently's bin edges and scipy's statistics are computed in float64.
            x = x.astype(np.float64)
        finite = np.isfinite(x)
        n_bad = x.size - int(np.count_nonzero(finite))
        if n_bad:
            n_pos = int(np.count_nonzero(x == np.inf))
            n_neg = int(np.count_nonzero(x == -np.inf))
            n_null = n_bad - n_pos - n_neg
            x = x[finite]
        integer = False
    else:
        integer = True
    n = int(x.size)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64 if integer else np.float64)
        return _Counts(empty, np.zeros(0, np.int64), 0, n_null, n_pos, n_neg, integer=integer)
    if integer:
        lo, hi = int(x.min()), int(x.max())
        if hi - lo <= 4 * n + 1024 and hi <= np.iinfo(np.int64).max:
            # Dense integer range: counting beats sorting.
            bc = np.bincount((x.astype(np.int64, copy=False) - lo).astype(np.intp, copy=False))
            nz = np.flatnonzero(bc)
            values = nz.astype(np.int64) + lo
            counts = bc[nz].astype(np.int64, copy=False)
        else:
            values, counts = _run_lengths(np.sort(x))
    else:
        values, counts = _run_lengths(np.sort(x))
    return _Counts(
        values,
        counts,
        n,
        n_null,
        n_pos,
        n_neg,
        integer=integer,
        n_unique=int(values.size),
        vmin=values[0].item(),
        vmax=values[-1].item(),
    )


def _sort_keys(keys: list[Any]) -> list[Any]:
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=lambda k: (type(k).__name__, repr(k)))


def _object_counts_from_pairs(keys: list[Any], counts: Sequence[int] | np.ndarray, n_total: int) -> _Counts:
    pairs = [(k, int(c)) for k, c in zip(keys, counts, strict=True) if c and not _is_missing_key(k)]
    n_inf = sum(c for k, c in pairs if isinstance(k, float) and math.isinf(k))
    pairs = [(k, c) for k, c in pairs if not (isinstance(k, float) and math.isinf(k))]
    order = _sort_keys([k for k, _ in pairs])
    lookup = dict(pairs)
    values = np.empty(len(order), dtype=object)
    values[:] = order
    cnt = np.array([lookup[k] for k in order], dtype=np.int64)
    n = int(cnt.sum())
    n_missing = n_total - n - n_inf
    return _Counts(values, cnt, n, n_null=n_missing, n_posinf=n_inf, n_unique=len(order))


def _is_missing_key(k: Any) -> bool:
    return k is None or (isinstance(k, float) and math.isnan(k))


def _arrow_value_counts(arr: Any) -> tuple[list[Any], np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray) and pa.types.is_dictionary(arr.type):
        arr = pa.chunked_array([c.dictionary_decode() for c in arr.chunks], type=arr.type.value_type)
    elif isinstance(arr, pa.Array) and pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    vc = pc.value_counts(arr)
    return vc.field("values").to_pylist(), vc.field("counts").to_numpy()


def _object_counts(x: np.ndarray) -> _Counts:
    """Counts of an object/str numpy array (hash-based through Arrow; Python fallback for mixed types)."""
    import pyarrow as pa

    try:
        keys, counts = _arrow_value_counts(pa.array(x, from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        # Mixed Python types (e.g. str and int in one column) cannot become one Arrow array.
        counter = Counter(v for v in x.tolist() if not _is_missing_key(v))
        keys, counts = list(counter.keys()), np.array(list(counter.values()), dtype=np.int64)
    return _object_counts_from_pairs(keys, counts, int(x.size))


def _bool_counts(x: np.ndarray) -> _Counts:
    n_true = int(np.count_nonzero(x))
    n_false = int(x.size) - n_true
    vals = [v for v, c in ((False, n_false), (True, n_true)) if c]
    cnt = [c for c in (n_false, n_true) if c]
    return _Counts(np.array(vals, dtype=bool), np.array(cnt, dtype=np.int64), int(x.size), n_unique=len(vals))


# ------------------------------------------------------------------------------------------ column access

# dtype classes: float, int, uint, bool, string, object, category, datetime, nullable (pandas extension
# dtypes such as Int64/Float64/boolean), other. They drive Evidently's type inference, which looks at dtypes.


@dataclass
class _Raw:
    dtype_class: str
    data: Any  # numpy array, pandas Series (object/string/category/nullable), or Arrow (chunked) array
    origin: str  # "numpy" | "pandas" | "arrow"
    rows: int


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def _numpy_class(arr: np.ndarray) -> str:
    kind = arr.dtype.kind
    return {
        "f": "float",
        "i": "int",
        "u": "uint",
        "b": "bool",
        "U": "string",
        "S": "string",
        "O": "object",
        "M": "datetime",
        "m": "other",
        "c": "other",
    }.get(kind, "other")


def _pandas_raw(s: Any) -> _Raw:
    name = str(s.dtype.name)
    rows = len(s)
    if name.startswith("float"):
        return _Raw("float", s.to_numpy(), "numpy", rows)
    if name.startswith("int"):
        return _Raw("int", s.to_numpy(), "numpy", rows)
    if name.startswith("uint"):
        return _Raw("uint", s.to_numpy(), "numpy", rows)
    if name == "bool":
        return _Raw("bool", s.to_numpy(), "numpy", rows)
    if name == "category":
        return _Raw("category", s, "pandas", rows)
    if name in ("string", "str"):
        return _Raw("string", s, "pandas", rows)
    if name == "object":
        return _Raw("object", s, "pandas", rows)
    if name.startswith("datetime"):
        return _Raw("datetime", s, "pandas", rows)
    if name[:1] in ("I", "U", "F") or name == "boolean":
        return _Raw("nullable", s, "pandas", rows)
    return _Raw("other", s, "pandas", rows)


def _arrow_raw(col: Any) -> _Raw:
    import pyarrow as pa

    t = col.type
    rows = len(col)
    if pa.types.is_dictionary(t):
        return _Raw("category", col, "arrow", rows)
    if pa.types.is_floating(t) or ((pa.types.is_integer(t)) and col.null_count):
        # Integers with nulls become float64 with NaN, as pandas would hold them.
        return _Raw("float", _arrow_numeric(col, np.float64), "numpy", rows)
    if pa.types.is_signed_integer(t):
        return _Raw("int", _arrow_numeric(col, None), "numpy", rows)
    if pa.types.is_unsigned_integer(t):
        return _Raw("uint", _arrow_numeric(col, None), "numpy", rows)
    if pa.types.is_boolean(t):
        if col.null_count:
            return _Raw("nullable", col, "arrow", rows)
        return _Raw("bool", _arrow_numeric(col, None), "numpy", rows)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
        return _Raw("string", col, "arrow", rows)
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return _Raw("datetime", col, "arrow", rows)
    return _Raw("other", col, "arrow", rows)


def _arrow_numeric(col: Any, dtype: Any) -> np.ndarray:
    import pyarrow as pa

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if dtype is not None and col.type != pa.float64():
        col = col.cast(pa.float64())
    # Arrow turns nulls of a float array into NaN; no copy when the buffer is already plain.
    return np.asarray(col.to_numpy(zero_copy_only=False))


class _Table:
    """Column-at-a-time view of a data source, without copying a whole DataFrame.

    Converting a whole pandas frame to Arrow first would double its memory; instead each column is taken
    from its own container (zero-copy for plain numeric pandas/Arrow columns) while it is being analysed.
    """

    def __init__(self, source: Any, columns: Sequence[str] | None = None) -> None:
        self.source = source
        self._kind: str
        self._obj: Any
        if isinstance(source, str) or hasattr(source, "__fspath__"):
            from . import io

            self._kind, self._obj = "arrow", io.as_arrow_table(source, columns)
            if self._obj.num_rows == 0:
                raise MeasureInputError(f"empty file: {source} has no data rows")
        else:
            mod = _module(source)
            if mod == "pandas" and hasattr(source, "columns"):
                self._kind, self._obj = "pandas", source
            elif mod == "polars" and hasattr(source, "get_column"):
                self._kind, self._obj = "polars", source
            elif mod == "pyarrow":
                import pyarrow as pa

                tbl = pa.Table.from_batches([source]) if isinstance(source, pa.RecordBatch) else source
                if not isinstance(tbl, pa.Table):
                    raise MeasureInputError(f"unsupported data source {type(source).__name__}")
                self._kind, self._obj = "arrow", tbl
            elif isinstance(source, np.ndarray) and source.dtype.names:
                self._kind, self._obj = "structured", source
            elif isinstance(source, Mapping):
                self._kind, self._obj = "mapping", source
            else:
                raise MeasureInputError(
                    f"unsupported data source {type(source).__name__}: pass a CSV/Parquet path, a DataFrame, "
                    "an Arrow table, a structured array or a dict of arrays"
                )
        self.names = self._names()
        self.rows = self._rows()

    def _names(self) -> list[str]:
        if self._kind == "arrow":
            return [str(n) for n in self._obj.schema.names]
        if self._kind in ("pandas", "polars"):
            return [str(c) for c in self._obj.columns]
        if self._kind == "structured":
            return list(self._obj.dtype.names)
        return [str(k) for k in self._obj]

    def _rows(self) -> int:
        if self._kind == "arrow":
            return int(self._obj.num_rows)
        if self._kind in ("pandas", "polars", "structured"):
            return len(self._obj)
        lengths = {len(self._obj[k]) for k in self._obj}
        if len(lengths) > 1:
            raise MeasureInputError(f"columns have different lengths: {sorted(lengths)}")
        return lengths.pop() if lengths else 0

    def raw(self, name: str) -> _Raw:
        if self._kind == "arrow":
            return _arrow_raw(self._obj.column(name))
        if self._kind == "pandas":
            col = self._obj[name] if name in self._obj.columns else self._obj[self._pandas_key(name)]
            return _pandas_raw(col)
        if self._kind == "polars":
            import pyarrow as pa

            arr = self._obj.get_column(name).to_arrow()
            return _arrow_raw(pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr)
        values = self._obj[name]
        mod = _module(values)
        if mod == "pandas":
            return _pandas_raw(values)
        if mod == "polars":
            import pyarrow as pa

            return _arrow_raw(pa.chunked_array([values.to_arrow()]))
        if mod == "pyarrow":
            import pyarrow as pa

            return _arrow_raw(values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values]))
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise MeasureInputError(f"column '{name}': expected a 1-D array, got shape {arr.shape}")
        return _Raw(_numpy_class(arr), arr, "numpy", int(arr.size))

    def _pandas_key(self, name: str) -> Any:
        for c in self._obj.columns:
            if str(c) == name:
                return c
        raise MeasureInputError(f"unknown column '{name}'")


def _first_last_non_null(raw: _Raw) -> tuple[Any, Any]:
    data = raw.data
    if raw.origin == "pandas":
        if len(data) == 0:
            return None, None
        first, last = data.iloc[0], data.iloc[-1]
        if _is_missing_key(first) or _is_missing_key(last):
            # Rare: scanning for the first valid index costs a full pass, so only do it when needed.
            i, j = data.first_valid_index(), data.last_valid_index()
            if i is None:
                return None, None
            first, last = data.loc[i], data.loc[j]
        return first, last
    if not isinstance(data, np.ndarray) or data.size == 0:
        return None, None
    if not (_is_missing_key(data[0]) or _is_missing_key(data[-1])):
        return data[0], data[-1]
    valid = [v for v in data.tolist() if not _is_missing_key(v)]
    return (valid[0], valid[-1]) if valid else (None, None)


def _summarise(raw: _Raw, name: str) -> _Counts:
    """Value counts of one column; numeric arrays are sorted/counted, labels hashed."""
    cls, data = raw.dtype_class, raw.data
    if raw.origin == "numpy":
        arr = np.asarray(data)
        if cls in ("float", "int", "uint"):
            return _numeric_counts(arr)
        if cls == "bool":
            return _bool_counts(arr)
        if cls in ("string", "object"):
            return _object_counts(arr.astype(object, copy=False) if arr.dtype.kind in "US" else arr)
        raise MeasureInputError(f"column '{name}': values of dtype {arr.dtype} cannot be analysed for drift")
    if raw.origin == "pandas":
        if cls == "category":
            codes = np.asarray(data.cat.codes.to_numpy(), dtype=np.int64)
            cats = list(data.cat.categories)
            bc = np.bincount(codes + 1, minlength=len(cats) + 1)
            return _object_counts_from_pairs(cats, bc[1:], raw.rows)
        if cls == "nullable":
            kind = str(data.dtype.name)
            if kind == "boolean":
                return _object_counts(data.to_numpy(dtype=object, na_value=None))
            return _numeric_counts(data.to_numpy(dtype=np.float64, na_value=np.nan))
        if cls in ("string", "object"):
            # dropna=False is several times faster; missing keys are dropped (and counted) just below.
            vc = data.value_counts(dropna=False, sort=False)
            return _object_counts_from_pairs(list(vc.index), vc.to_numpy(), raw.rows)
        raise MeasureInputError(f"column '{name}': values of dtype {data.dtype} cannot be analysed for drift")
    if cls in ("string", "category", "nullable"):
        keys, counts = _arrow_value_counts(data)
        return _object_counts_from_pairs(keys, counts, raw.rows)
    raise MeasureInputError(f"column '{name}': values of type {data.type} cannot be analysed for drift")


def _as_numeric(c: _Counts, name: str, side: str) -> _Counts:
    """A declared-numerical column must hold numbers; bools count as 0/1."""
    if c.numeric:
        return c
    if c.values.dtype.kind == "b":
        vals = c.values.astype(np.int64)
        return _numeric_counts(np.repeat(vals, c.counts)) if c.n else replace(c, values=vals, integer=True)
    raise MeasureInputError(f"column '{name}' is numerical but the {side} data holds non-numeric values")


# -------------------------------------------------------------------------------------------- statistics


def _align(a: _Counts, b: _Counts) -> tuple[list[Any] | np.ndarray, np.ndarray, np.ndarray]:
    """Union of the distinct values of both sides with each side's counts aligned to it."""
    if a.values.dtype != object and b.values.dtype != object:
        keys = np.union1d(a.values, b.values)
        ca = np.zeros(keys.size, dtype=a.counts.dtype)
        cb = np.zeros(keys.size, dtype=b.counts.dtype)
        ca[np.searchsorted(keys, a.values)] = a.counts
        cb[np.searchsorted(keys, b.values)] = b.counts
        return keys, ca, cb
    index: dict[Any, int] = {}
    for k in a.values.tolist() + b.values.tolist():
        index.setdefault(k, len(index))
    ca = np.zeros(len(index), dtype=a.counts.dtype)
    cb = np.zeros(len(index), dtype=b.counts.dtype)
    ca[[index[k] for k in a.values.tolist()]] = a.counts
    cb[[index[k] for k in b.values.tolist()]] = b.counts
    return list(index), ca, cb


def _n_unique_union(a: _Counts, b: _Counts) -> int:
    if not (a.exact and b.exact):
        # A sketch is only kept above max_exact_values (> 20) distinct values, far past every switch point.
        return max(a.n_unique, b.n_unique)
    if a.values.dtype != object and b.values.dtype != object and min(a.values.size, b.values.size) > 64:
        # |A or B| = |A| + |B| - |A and B|, without building the union of two large sorted tables.
        small, large = (a.values, b.values) if a.values.size <= b.values.size else (b.values, a.values)
        idx = np.minimum(np.searchsorted(large, small), large.size - 1)
        common = int(np.count_nonzero(large[idx] == small))
        return int(a.values.size + b.values.size - common)
    keys, _, _ = _align(a, b)
    return len(keys)


def _merged_cdfs(a: _Counts, b: _Counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both empirical CDFs (right-continuous) at every distinct value of a and b, in ascending order."""
    v = np.concatenate([a.values, b.values])
    # Both halves are already sorted, so a stable sort only has to merge two runs.
    order = np.argsort(v, kind="stable")
    v = v[order]
    w = np.concatenate([a.counts, b.counts])[order]
    from_a = order < a.values.size
    del order
    ca = np.cumsum(np.where(from_a, w, 0))
    cb = np.cumsum(w)
    cb -= ca
    del w, from_a
    # A value present on both sides appears twice; the CDFs are read after the last of its copies.
    last = np.empty(v.size, dtype=bool)
    last[-1] = True
    np.not_equal(v[1:], v[:-1], out=last[:-1])
    return v[last], ca[last] / a.n, cb[last] / b.n


def _ks(a: _Counts, b: _Counts) -> tuple[float, float, int | None]:
    """(p-value, D, union size or None) of the two-sided two-sample KS test as ``ks_2samp(method="auto")``."""
    from scipy import stats

    if a.exact and b.exact and max(a.n, b.n) <= _EXACT_KS_MAX_N:
        # Small samples: scipy's exact path (with its own fall-backs) on the rebuilt samples.
        res = stats.ks_2samp(np.repeat(a.values, a.counts), np.repeat(b.values, b.counts))
        return float(res.pvalue), float(res.statistic), None
    grid, fa, fb = _merged_cdfs(a, b)
    diff = fa - fb
    d = float(max(float(diff.max()), float(np.clip(-diff.min(), 0, 1))))
    m, n = sorted([float(a.n), float(b.n)], reverse=True)
    en = m * n / (m + n)
    p = float(np.clip(stats.kstwo.sf(d, np.round(en)), 0, 1))
    return p, d, (int(grid.size) if a.exact and b.exact else None)


def _wasserstein_normed(ref: _Counts, cur: _Counts) -> tuple[float, float, int | None]:
    """(W1(ref, cur) / max(std_pop(ref), 0.001), W1, union size or None)."""
    grid, fr, fc = _merged_cdfs(ref, cur)
    deltas = np.diff(grid.astype(np.float64, copy=False))
    w1 = float(np.dot(np.abs(fr[:-1] - fc[:-1]), deltas))
    size = int(grid.size) if ref.exact and cur.exact else None
    return w1 / max(ref.std_value(), _WASSERSTEIN_MIN_STD), w1, size


def _chisquare_gof(ref: _Counts, cur: _Counts) -> tuple[float, float, int]:
    """Evidently's chi-square: current counts against reference counts scaled to the current size."""
    from scipy import stats

    _, cr, cc = _align(ref, cur)
    f_exp = cr * (cur.n / ref.n)
    f_obs = cc.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = float(np.sum((f_obs - f_exp) ** 2 / f_exp))
    dof = int(cr.size) - 1
    return float(stats.chi2.sf(stat, dof)), stat, dof


def _z_test(ref: _Counts, cur: _Counts) -> tuple[float, float]:
    """Two-proportion z-test on "equals the smallest value" vs the rest, as Evidently codes it."""
    from scipy import special

    if ref.n_unique == 1 and cur.n_unique == 1 and ref.values[0] == cur.values[0]:
        return 1.0, 0.0
    keys, cr, cc = _align(ref, cur)
    key_list = list(keys.tolist() if isinstance(keys, np.ndarray) else keys)
    first = _sort_keys(key_list)[0]
    i = key_list.index(first)
    n1, n2 = ref.n, cur.n
    # Same float operations in the same order as Evidently, so the p-values agree to the last bit.
    p1 = float(n1 - int(cr[i])) / n1
    p2 = float(n2 - int(cc[i])) / n2
    pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    p = 2 * (1 - special.ndtr(np.abs(z)))
    return float(p), float(z)


def _sturges_edges(ref: _Counts, cur: _Counts) -> np.ndarray:
    """``np.histogram_bin_edges(concat(ref, cur), "sturges")`` computed from the two summaries."""
    total = ref.n + cur.n
    integer = ref.integer and cur.integer
    lo = min(ref.vmin, cur.vmin)
    hi = max(ref.vmax, cur.vmax)
    if integer:
        lo, hi = int(lo), int(hi)
    else:
        lo, hi = float(lo), float(hi)
    ptp = hi - lo
    first, last = (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)
    width = ptp / (np.log2(total) + 1.0)
    if width:
        if integer and width < 1:
            width = 1
        n_bins = int(np.ceil((last - first) / width))
    else:
        n_bins = 1
    return np.linspace(first, last, n_bins + 1, endpoint=True, dtype=np.float64)


def _counts_below(c: _Counts, points: np.ndarray, *, inclusive: bool) -> np.ndarray:
    """Number (or weight) of values < point (``inclusive``: <= point) for each point."""
    cum = c.cumulative()
    if c.exact:
        return cum[np.searchsorted(c.values, points, side="right" if inclusive else "left")]
    # Sketch: interpolate the empirical CDF between sketch points (an approximation, flagged as such).
    v = c.values.astype(np.float64)
    mids = cum[1:] - c.counts / 2.0
    return np.interp(np.asarray(points, dtype=np.float64), v, mids, left=0.0, right=float(c.n))


def _histogram_counts(c: _Counts, edges: np.ndarray) -> np.ndarray:
    """Counts per bin with numpy's convention: [e_i, e_{i+1}) and the last bin closed on the right."""
    below = _counts_below(c, edges[1:-1], inclusive=False)
    bounds = np.concatenate([[0], below, [c.n]])
    return np.diff(bounds)


def _evidently_binned(ref: _Counts, cur: _Counts, numerical: bool) -> tuple[np.ndarray, np.ndarray, str]:
    if numerical and ref.n_unique > _STURGES_MIN_UNIQUE:
        edges = _sturges_edges(ref, cur)
        r = _histogram_counts(ref, edges) / ref.n
        c = _histogram_counts(cur, edges) / cur.n
        return r, c, f"sturges:{edges.size - 1}"
    _, cr, cc = _align(ref, cur)
    return cr / ref.n, cc / cur.n, f"values:{cr.size}"


def _zero_fill(p: np.ndarray) -> np.ndarray:
    p = p.astype(np.float64, copy=True)
    nonzero = p[p != 0]
    if nonzero.size == 0:
        return p
    smallest = float(nonzero.min())
    p[p == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return p


def _rel_entr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x, dtype=np.float64)
    pos = x > 0
    with np.errstate(divide="ignore"):
        out[pos] = x[pos] * np.log(x[pos] / y[pos])
    out[pos & (y <= 0)] = np.inf
    return out


def _js_distance(p: np.ndarray, q: np.ndarray, base: float | None = None) -> float:
    p = p / np.sum(p)
    q = q / np.sum(q)
    m = (p + q) / 2.0
    js = float(np.sum(_rel_entr(p, m)) + np.sum(_rel_entr(q, m)))
    if base is not None:
        js /= math.log(base)
    return float(np.sqrt(max(js, 0.0) / 2.0))


def _psi(r: np.ndarray, c: np.ndarray) -> float:
    return float(np.sum((r - c) * np.log(r / c)))


def _kl(r: np.ndarray, c: np.ndarray) -> float:
    # scipy.stats.entropy normalises both sides before summing, so the zero-filled vectors are rescaled here.
    return float(np.sum(_rel_entr(r / np.sum(r), c / np.sum(c))))


# ------------------------------------------------------------------------------------------- native bins


@dataclass
class _NativeBins:
    """Reference bins of the native profile: decile cut points (numerical) or categories (categorical)."""

    edges: np.ndarray | None  # numerical: inner cut points; right-closed intervals
    ref_counts: np.ndarray  # per bin, without the missing bin
    ref_missing: int  # NaN/None/±inf in the reference


def _decile_edges(c: _Counts) -> np.ndarray:
    if c.n == 0:
        return np.zeros(0, dtype=np.float64)
    cum = c.cumulative()[1:]
    # Inverted-CDF deciles: the ceil(n·k/10)-th smallest value, in exact integer arithmetic.
    ranks = np.array([-(-(c.n * k) // 10) for k in range(1, 10)], dtype=np.float64)
    idx = np.searchsorted(cum, ranks, side="left")
    edges = np.unique(c.values[np.minimum(idx, c.values.size - 1)])
    # A cut at the maximum would leave an empty top bin in the reference.
    return edges[edges < c.vmax] if c.vmax is not None else edges


def _native_bins(ref: _Counts, ctype: str) -> _NativeBins:
    if ctype == NUMERICAL:
        edges = _decile_edges(ref)
        return _NativeBins(edges, _right_closed_counts(ref, edges), ref.n_nonfinite)
    return _NativeBins(None, ref.counts.copy(), ref.n_nonfinite)


def _right_closed_counts(c: _Counts, edges: np.ndarray) -> np.ndarray:
    upto = _counts_below(c, edges, inclusive=True)
    bounds = np.concatenate([[0], upto, [c.n]])
    return np.diff(bounds)


def _native_table(ref: _Counts, cur: _Counts, bins: _NativeBins, ctype: str) -> tuple[np.ndarray, np.ndarray]:
    """Reference and current counts over the native bins, plus a missing bin when either side has any."""
    if ctype == NUMERICAL:
        assert bins.edges is not None
        rc = bins.ref_counts.astype(np.float64)
        cc = _right_closed_counts(cur, bins.edges).astype(np.float64)
    else:
        ref_cats = _Counts(ref.values, bins.ref_counts, int(bins.ref_counts.sum()))
        _, rc_, cc_ = _align(ref_cats, cur)
        rc, cc = rc_.astype(np.float64), cc_.astype(np.float64)
    ref_missing, cur_missing = bins.ref_missing, cur.n_nonfinite
    if ref_missing or cur_missing:
        rc = np.append(rc, float(ref_missing))
        cc = np.append(cc, float(cur_missing))
    return rc, cc


def _smoothed(counts: np.ndarray) -> np.ndarray:
    return (counts + _NATIVE_SMOOTHING) / (counts.sum() + _NATIVE_SMOOTHING * counts.size)


def _chi2_homogeneity(rc: np.ndarray, cc: np.ndarray) -> tuple[float, float, int]:
    from scipy import stats

    keep = (rc + cc) > 0
    table = np.vstack([rc[keep], cc[keep]])
    total = table.sum()
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = float(np.sum((table - expected) ** 2 / expected))
    dof = int(table.shape[1]) - 1
    if dof < 1:
        return 1.0, 0.0, 0
    return float(stats.chi2.sf(stat, dof)), stat, dof


# ---------------------------------------------------------------------------------------- type resolution


def _evidently_type(raw_class: str, cur: _Counts, first_last: tuple[Any, Any] | None) -> str:
    """Evidently 0.7's ``infer_column_type`` on the current data: a column type or a reason to skip."""
    if raw_class == "float":
        return NUMERICAL
    if raw_class == "int":
        return CATEGORICAL if cur.n_unique <= _INT_CARDINALITY_LIMIT else NUMERICAL
    if raw_class in ("bool", "category"):
        return CATEGORICAL
    if raw_class == "string" or (raw_class == "object" and first_last is not None):
        if raw_class == "object":
            first, last = first_last or (None, None)
            if first is None:
                return "unknown"
            if not (isinstance(first, str) and isinstance(last, str)):
                return "unknown"
        return "text" if cur.n_unique > cur.n * 0.5 else CATEGORICAL
    if raw_class == "datetime":
        return "datetime"
    return "unknown"


def _native_type(raw_class: str, ref: _Counts) -> str:
    if raw_class == "float" or (raw_class == "nullable" and ref.numeric):
        return NUMERICAL
    if raw_class in ("int", "uint"):
        return CATEGORICAL if ref.n_unique <= _INT_CARDINALITY_LIMIT else NUMERICAL
    if raw_class in ("bool", "category", "string", "object", "nullable"):
        return CATEGORICAL
    return "unsupported"


_SKIP_REASONS = {
    "text": "text column: Evidently's domain-classifier text drift is not reproduced; declare the column "
    "categorical in column_types to test it",
    "datetime": "datetime column: not analysed (Evidently leaves datetimes out of DataDriftPreset)",
    "unknown": "dtype not analysed by Evidently 0.7 (unsigned or nullable integer, mixed objects, ...); "
    "declare its type in column_types to test it",
    "unsupported": "dtype cannot be analysed for drift",
}


# ------------------------------------------------------------------------------------------------ scoring


def _pick(option: Any, name: str) -> Any:
    if isinstance(option, Mapping):
        return option.get(name)
    return option


def _evidently_default_test(ctype: str, ref_rows: int, n_unique: int) -> str:
    if ref_rows <= _SMALL_REFERENCE:
        if ctype == NUMERICAL:
            if n_unique <= 2:
                return "z"
            return "chisquare" if n_unique <= 5 else "ks"
        return "chisquare" if n_unique > 2 else "z"
    if ctype == NUMERICAL:
        return "jensenshannon" if n_unique <= 5 else "wasserstein"
    return "jensenshannon"


def _score_column(
    profile: str,
    name: str,
    ctype: str,
    ref: _Counts,
    cur: _Counts,
    *,
    test_name: str | None,
    threshold: float | None,
    native: _NativeBins | None = None,
) -> dict[str, Any]:
    if ctype == NUMERICAL:
        ref = _as_numeric(ref, name, "reference")
        cur = _as_numeric(cur, name, "current")
    # The default tests only need to know whether there are at most 5 distinct values; the exact union
    # count of two large tables is read off the merged grid when a test builds one.
    many = max(ref.n_unique, cur.n_unique) > 5
    n_unique: int | None = None if many else _n_unique_union(ref, cur)
    entry: dict[str, Any] = {"column": name, "type": ctype}
    if profile == "evidently":
        tests, allowed = _EVIDENTLY_TESTS, _EVIDENTLY_ALLOWED
        chosen = test_name or _evidently_default_test(ctype, ref.n, 6 if n_unique is None else n_unique)
    else:
        tests, allowed = _NATIVE_TESTS, _NATIVE_ALLOWED
        chosen = test_name or "psi"
    test = tests.get(chosen)
    if test is None:
        raise MeasureInputError(
            f"unknown drift test '{chosen}' for profile {profile}; choose from {sorted(tests)}"
        )
    if test_name is not None and ctype not in allowed[chosen]:
        raise MeasureInputError(f"drift test '{chosen}' does not apply to {ctype} column '{name}'")
    t = test.default_threshold if threshold is None else float(threshold)
    exact = ref.exact and cur.exact
    extra: dict[str, Any] = {}

    if chosen == "ks":
        score, stat, grid_size = _ks(ref, cur)
        extra["statistic"] = stat
        n_unique = grid_size if grid_size is not None else n_unique
    elif chosen == "wasserstein":
        score, w1, grid_size = _wasserstein_normed(ref, cur)
        n_unique = grid_size if grid_size is not None else n_unique
        extra["wasserstein_distance"] = w1
        extra["reference_std"] = ref.std_value()
    elif chosen == "z":
        score, z = _z_test(ref, cur)
        extra["statistic"] = z
    elif profile == "evidently" and chosen == "chisquare":
        score, stat, dof = _chisquare_gof(ref, cur)
        extra.update(statistic=stat, dof=dof)
    elif profile == "evidently":
        r, c, binning = _evidently_binned(ref, cur, ctype == NUMERICAL)
        extra["binning"] = binning
        if chosen == "jensenshannon":
            score = _js_distance(r, c)
        elif chosen == "psi":
            score = _psi(_zero_fill(r), _zero_fill(c))
        else:
            score = _kl(_zero_fill(r), _zero_fill(c))
    else:
        bins = native if native is not None else _native_bins(ref, ctype)
        rc, cc = _native_table(ref, cur, bins, ctype)
        exact = True  # native bins are fixed by the reference: counting the current is enough
        extra["bins"] = int(rc.size)
        if chosen == "chisquare":
            score, stat, dof = _chi2_homogeneity(rc, cc)
            extra.update(statistic=stat, dof=dof)
        else:
            psi = _psi(_smoothed(rc), _smoothed(cc))
            js2 = _js_distance(rc, cc, base=2.0)
            score = psi if chosen == "psi" else js2
            extra["psi"] = psi
            extra["js_distance_base2"] = js2
            if chosen == "psi":
                extra["severity"] = (
                    "significant" if psi >= _NATIVE_PSI_SIGNIFICANT else "moderate" if psi >= t else "none"
                )
    if n_unique is None:
        n_unique = _n_unique_union(ref, cur)
    drift = test.drifted(score, t)
    entry.update(
        test=chosen,
        score=score,
        threshold=t,
        drift=bool(drift),
        rule=test.rule,
        score_kind=test.score_kind,
        test_display=test.display,
    )
    if test.score_kind == "p_value":
        entry["p_value"] = score
    entry.update(extra)
    entry.update(
        reference_rows=ref.n,
        current_rows=cur.n,
        n_unique=n_unique,
        reference_missing=ref.n_null,
        current_missing=cur.n_null,
        reference_nonfinite=ref.n_posinf + ref.n_neginf,
        current_nonfinite=cur.n_posinf + cur.n_neginf,
        exact=bool(exact),
    )
    return entry


def _histogram(name: str, ctype: str, ref: _Counts, cur: _Counts) -> dict[str, Any] | None:
    """Small plot payload for the HTML report: proportions per bin or per (top) category."""
    if ref.n == 0 or cur.n == 0:
        return None
    if ctype == NUMERICAL and ref.numeric and cur.numeric:
        lo = float(min(ref.vmin, cur.vmin))
        hi = float(max(ref.vmax, cur.vmax))
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, _HISTOGRAM_BINS + 1)
        return {
            "column": name,
            "edges": edges.tolist(),
            "reference": (_histogram_counts(ref, edges) / ref.n).tolist(),
            "current": (_histogram_counts(cur, edges) / cur.n).tolist(),
        }
    keys, cr, cc = _align(ref, cur)
    key_list = list(keys.tolist() if isinstance(keys, np.ndarray) else keys)
    share = cr / ref.n + cc / cur.n
    top = np.argsort(-share, kind="stable")[:_HISTOGRAM_CATEGORIES]
    out: dict[str, Any] = {
        "column": name,
        "categories": [_json_key(key_list[i]) for i in top],
        "reference": (cr[top] / ref.n).tolist(),
        "current": (cc[top] / cur.n).tolist(),
    }
    if len(key_list) > _HISTOGRAM_CATEGORIES:
        out["truncated"] = True
    return out


def _json_key(k: Any) -> Any:
    if isinstance(k, np.generic):
        k = k.item()
    if k is None or isinstance(k, (str, bool, int, float)):
        return k
    return str(k)


# ------------------------------------------------------------------------------------- reference profiles


def _sketch(c: _Counts, points: int = _SKETCH_POINTS) -> _Counts:
    """Equal-weight quantile sketch (mid-point inverted-CDF quantiles) of an exact numeric table."""
    cum = c.cumulative()[1:]
    targets = (np.arange(points) + 0.5) * (c.n / points)
    idx = np.minimum(np.searchsorted(cum, targets, side="left"), c.values.size - 1)
    values, per_point = np.unique(c.values[idx], return_counts=True)
    return replace(c, values=values, counts=per_point * (c.n / points), exact=False)


def _values_to_json(values: np.ndarray) -> tuple[str, list[Any]]:
    kind = values.dtype.kind
    if kind == "b":
        return "bool", [bool(v) for v in values.tolist()]
    if kind in "iu":
        return "int64", [int(v) for v in values.tolist()]
    if kind == "f":
        return "float64", [float(v) for v in values.tolist()]
    return "object", [_json_key(v) for v in values.tolist()]


def _values_from_json(dtype: str, values: list[Any]) -> np.ndarray:
    if dtype == "object":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype={"bool": bool, "int64": np.int64, "float64": np.float64}[dtype])


def _counts_to_dict(c: _Counts) -> dict[str, Any]:
    dtype, values = _values_to_json(c.values)
    return {
        "n": c.n,
        "missing": c.n_null,
        "posinf": c.n_posinf,
        "neginf": c.n_neginf,
        "n_unique": c.n_unique,
        "integer": c.integer,
        "exact": c.exact,
        "min": _json_key(c.vmin),
        "max": _json_key(c.vmax),
        "std": c.std_value() if c.numeric and c.n else None,
        "values_dtype": dtype,
        "values": values,
        ("counts" if c.exact else "weights"): c.counts.tolist(),
    }


def _counts_from_dict(d: Mapping[str, Any]) -> _Counts:
    exact = bool(d.get("exact", True))
    counts = np.asarray(d["counts"] if exact else d["weights"], dtype=np.int64 if exact else np.float64)
    return _Counts(
        values=_values_from_json(d["values_dtype"], list(d["values"])),
        counts=counts,
        n=int(d["n"]),
        n_null=int(d.get("missing", 0)),
        n_posinf=int(d.get("posinf", 0)),
        n_neginf=int(d.get("neginf", 0)),
        integer=bool(d.get("integer", False)),
        exact=exact,
        n_unique=int(d.get("n_unique", len(d["values"]))),
        std=None if d.get("std") is None else float(d["std"]),
        vmin=d.get("min"),
        vmax=d.get("max"),
    )


@dataclass
class ColumnProfile:
    """What the reference profile keeps about one column (see the module docstring for exactness)."""

    column: str
    dtype: str  # dtype class of the reference column (float, int, string, category, ...)
    type: str  # native column type: numerical, categorical or unsupported
    type_source: str  # "declared" or "inferred"
    counts: _Counts
    native: _NativeBins | None

    @property
    def exact(self) -> bool:
        return self.counts.exact

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "column": self.column,
            "dtype": self.dtype,
            "type": self.type,
            "type_source": self.type_source,
            **_counts_to_dict(self.counts),
        }
        if self.native is not None:
            out["native_bins"] = {
                "edges": None
                if self.native.edges is None
                else [_json_key(e) for e in self.native.edges.tolist()],
                "counts": self.native.ref_counts.astype(np.int64).tolist(),
                "missing": self.native.ref_missing,
            }
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ColumnProfile:
        nb = d.get("native_bins")
        native = None
        if nb is not None:
            edges = None if nb.get("edges") is None else np.asarray(nb["edges"])
            native = _NativeBins(edges, np.asarray(nb["counts"], dtype=np.int64), int(nb.get("missing", 0)))
        return cls(
            column=str(d["column"]),
            dtype=str(d["dtype"]),
            type=str(d["type"]),
            type_source=str(d.get("type_source", "inferred")),
            counts=_counts_from_dict(d),
            native=native,
        )


@dataclass
class ReferenceProfile:
    """A reference data set summarised once, to score later windows by counting (``score_against_profile``).

    JSON form: ``{"schema": "steward.reference_profile/v1", "engine": {...}, "rows": N, "dataset": {...},
    "max_exact_values": K, "columns": [ColumnProfile.to_dict(), ...]}``.
    """

    columns: dict[str, ColumnProfile]
    rows: int
    dataset: dict[str, Any] = field(default_factory=dict)
    max_exact_values: int | None = _DEFAULT_MAX_EXACT_VALUES
    engine_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": PROFILE_SCHEMA,
            "engine": {"name": "steward", "version": self.engine_version or _engine_version()},
            "rows": self.rows,
            "dataset": dict(self.dataset),
            "max_exact_values": self.max_exact_values,
            "columns": [c.to_dict() for c in self.columns.values()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceProfile:
        if data.get("schema") != PROFILE_SCHEMA:
            raise MeasureInputError(f"not a {PROFILE_SCHEMA} document: schema={data.get('schema')!r}")
        cols = [ColumnProfile.from_dict(c) for c in data.get("columns", [])]
        return cls(
            columns={c.column: c for c in cols},
            rows=int(data["rows"]),
            dataset=dict(data.get("dataset", {})),
            max_exact_values=data.get("max_exact_values"),
            engine_version=str(data.get("engine", {}).get("version", "")),
        )

    def to_json(self, *, indent: int | None = None) -> str:
        import json

        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def write_json(self, path: Any) -> None:
        from pathlib import Path

        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def read_json(cls, path: Any) -> ReferenceProfile:
        import json
        from pathlib import Path

        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            if isinstance(exc, MeasureInputError):
                raise
            raise MeasureInputError(f"cannot read reference profile {path}: {exc}") from None


def _engine_version() -> str:
    from steward import __version__

    return __version__


def _check_column_types(column_types: Mapping[str, str] | None, available: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for col, ctype in (column_types or {}).items():
        if ctype not in COLUMN_TYPES:
            raise MeasureInputError(f"column type for '{col}' must be one of {COLUMN_TYPES}, not {ctype!r}")
        if col not in available:
            raise MeasureInputError(f"column_types names unknown column '{col}'")
        out[str(col)] = ctype
    return out


def _select(
    names_cur: Sequence[str], names_ref: Sequence[str], columns: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    warnings: list[str] = []
    ref_set, cur_set = set(names_ref), set(names_cur)
    if columns is not None:
        for col in columns:
            if col not in cur_set:
                raise MeasureInputError(f"unknown column '{col}' in the current data")
            if col not in ref_set:
                raise MeasureInputError(f"unknown column '{col}' in the reference")
        return list(columns), warnings
    only_cur = [c for c in names_cur if c not in ref_set]
    only_ref = [c for c in names_ref if c not in cur_set]
    if only_cur:
        warnings.append(f"columns only in the current data, not tested: {', '.join(only_cur[:20])}")
    if only_ref:
        warnings.append(f"columns only in the reference, not tested: {', '.join(only_ref[:20])}")
    return [c for c in names_cur if c in ref_set], warnings


def build_reference_profile(
    reference: Any,
    *,
    columns: Sequence[str] | None = None,
    column_types: Mapping[str, str] | None = None,
    max_exact_values: int | None = _DEFAULT_MAX_EXACT_VALUES,
    hash_data: bool = True,
) -> ReferenceProfile:
    """Summarise ``reference`` once (a path, DataFrame, Arrow table or dict of arrays).

    Numerical columns keep every distinct value with its count while they have at most ``max_exact_values``
    of them (``None``: always), otherwise a 1,000-point quantile sketch; categorical columns always keep every
    category. Native decile bins and their counts are always exact.
    """
    if max_exact_values is not None and max_exact_values <= _STURGES_MIN_UNIQUE:
        raise MeasureInputError(f"max_exact_values must exceed {_STURGES_MIN_UNIQUE}")
    table = _Table(reference, columns)
    names = list(columns) if columns is not None else table.names
    for col in names:
        if col not in table.names:
            raise MeasureInputError(f"unknown column '{col}' in the reference")
    declared = _check_column_types(column_types, names)
    profiles: dict[str, ColumnProfile] = {}
    for name in names:
        raw = table.raw(name)
        counts = _summarise(raw, name)
        ctype = declared.get(name) or _native_type(raw.dtype_class, counts)
        if ctype == NUMERICAL:
            counts = _as_numeric(counts, name, "reference")
        native = _native_bins(counts, ctype) if ctype in COLUMN_TYPES and counts.n else None
        if (
            max_exact_values is not None
            and counts.numeric
            and ctype != CATEGORICAL
            and counts.n_unique > max_exact_values
        ):
            counts.std_value()
            counts = _sketch(counts)
        profiles[name] = ColumnProfile(
            column=name,
            dtype=raw.dtype_class,
            type=ctype,
            type_source="declared" if name in declared else "inferred",
            counts=counts,
            native=native,
        )
    dataset: dict[str, Any] = {"rows": table.rows}
    if hash_data:
        from . import io

        dataset = io.dataset_info(reference, table.rows, hash_data=True).to_dict()
    return ReferenceProfile(profiles, table.rows, dataset, max_exact_values, _engine_version())


# ------------------------------------------------------------------------------------------ current counts


@dataclass
class _ColumnCounts:
    dtype: str
    counts: _Counts
    first: Any = None  # first and last non-null value, for Evidently's object-column inference
    last: Any = None


def _merge_class(a: str, b: str) -> str:
    if a == b:
        return a
    pair = {a, b}
    if pair <= {"int", "uint", "float"}:
        return "float" if "float" in pair else "int"
    if pair <= {"string", "object"}:
        return "object"
    return "object"


def _merge_counts(a: _Counts, b: _Counts) -> _Counts:
    if not (a.exact and b.exact):
        raise MeasureInputError("only exact counts can be merged")
    if (
        a.values.dtype != object
        and b.values.dtype != object
        and (a.numeric or a.n == 0) == (b.numeric or b.n == 0)
    ):
        v = np.concatenate([a.values, b.values])
        values, inverse = np.unique(v, return_inverse=True)
        counts = np.bincount(
            inverse.ravel(), weights=np.concatenate([a.counts, b.counts]), minlength=values.size
        )
        counts = np.rint(counts).astype(np.int64)
    else:
        merged: Counter[Any] = Counter()
        for c in (a, b):
            for k, n in zip(c.values.tolist(), c.counts.tolist(), strict=True):
                merged[k] += n
        pairs = _object_counts_from_pairs(list(merged), list(merged.values()), sum(merged.values()))
        values, counts = pairs.values, pairs.counts
    n = a.n + b.n
    integer = (a.integer or a.n == 0) and (b.integer or b.n == 0) and values.dtype.kind in "iu"
    return _Counts(
        values,
        counts,
        n,
        a.n_null + b.n_null,
        a.n_posinf + b.n_posinf,
        a.n_neginf + b.n_neginf,
        integer=integer,
        n_unique=int(values.size),
        vmin=values[0].item()
        if values.size and values.dtype != object
        else (values[0] if values.size else None),
        vmax=values[-1].item()
        if values.size and values.dtype != object
        else (values[-1] if values.size else None),
    )


@dataclass
class CurrentCounts:
    """Exact value counts of a current window; counts of chunks merge into the counts of the whole window."""

    rows: int
    columns: dict[str, _ColumnCounts]

    @classmethod
    def from_data(cls, data: Any, columns: Sequence[str] | None = None) -> CurrentCounts:
        table = _Table(data, columns)
        names = list(columns) if columns is not None else table.names
        out: dict[str, _ColumnCounts] = {}
        for name in names:
            if name not in table.names:
                raise MeasureInputError(f"unknown column '{name}' in the current data")
            out[name] = _column_counts(table.raw(name), name)
        return cls(table.rows, out)

    @classmethod
    def from_batches(cls, batches: Iterable[Any], columns: Sequence[str] | None = None) -> CurrentCounts:
        total: CurrentCounts | None = None
        for batch in batches:
            part = cls.from_data(batch, columns)
            total = part if total is None else total.merge(part)
        if total is None:
            raise MeasureInputError("no data: the current window has no batches")
        return total

    def merge(self, other: CurrentCounts) -> CurrentCounts:
        if set(self.columns) != set(other.columns):
            raise MeasureInputError("cannot merge counts of different column sets")
        merged = {}
        for name, a in self.columns.items():
            b = other.columns[name]
            first = a.first if a.first is not None else b.first
            last = b.last if b.last is not None else a.last
            merged[name] = _ColumnCounts(
                _merge_class(a.dtype, b.dtype), _merge_counts(a.counts, b.counts), first, last
            )
        return CurrentCounts(self.rows + other.rows, merged)


def _column_counts(raw: _Raw, name: str) -> _ColumnCounts:
    first = last = None
    if raw.dtype_class == "object":
        first, last = _first_last_non_null(raw)
    return _ColumnCounts(raw.dtype_class, _summarise(raw, name), first, last)


# ---------------------------------------------------------------------------------------------- evaluation


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise MeasureInputError(f"unknown drift profile {profile!r}; choose from {PROFILES}")


def _resolve_type(
    profile: str,
    name: str,
    declared: Mapping[str, str],
    ref_class: str,
    ref: _Counts,
    cur: _ColumnCounts,
    stored_native: str | None,
    warnings_inferred: list[str],
) -> tuple[str | None, str | None]:
    """(column type, None) or (None, reason to skip)."""
    if name in declared:
        return declared[name], None
    if profile == "evidently":
        first_last = (cur.first, cur.last) if cur.dtype == "object" else None
        ctype = _evidently_type(cur.dtype, cur.counts, first_last)
    else:
        ctype = stored_native or _native_type(ref_class, ref)
        warnings_inferred.append(name)
    if ctype in COLUMN_TYPES:
        return ctype, None
    return None, _SKIP_REASONS.get(ctype, _SKIP_REASONS["unsupported"])


@dataclass
class _Run:
    """Accumulates per-column outcomes of one drift evaluation."""

    profile: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    histograms: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)

    def column(
        self,
        name: str,
        declared: Mapping[str, str],
        ref_class: str,
        ref: _Counts,
        cur: _ColumnCounts,
        stattest: Any,
        threshold: Any,
        stored_native: str | None = None,
        native: _NativeBins | None = None,
    ) -> None:
        ctype, reason = _resolve_type(
            self.profile, name, declared, ref_class, ref, cur, stored_native, self.inferred
        )
        if ctype is None:
            self.skipped.append({"column": name, "reason": reason})
            return
        if ref.n == 0 or cur.counts.n == 0:
            side = "reference" if ref.n == 0 else "current"
            self.skipped.append(
                {"column": name, "reason": f"no usable values in the {side} data after cleaning"}
            )
            return
        if native is not None and stored_native is not None and ctype != stored_native:
            if not ref.exact:
                raise MeasureInputError(
                    f"column '{name}' was profiled as {stored_native}; re-profile it to score it as {ctype}"
                )
            native = None
        entry = _score_column(
            self.profile,
            name,
            ctype,
            ref,
            cur.counts,
            test_name=_pick(stattest, name),
            threshold=_pick(threshold, name),
            native=native,
        )
        self.entries.append(entry)
        hist = _histogram(name, ctype, ref, cur.counts)
        if hist is not None:
            self.histograms.append(hist)


def _result(
    run: _Run,
    *,
    dataset: Any,
    reference_dataset: Mapping[str, Any],
    parameters: dict[str, Any],
    drift_share: float,
) -> EvidenceResult:
    from .evidence import Check, EvidenceResult

    n = len(run.entries)
    n_drift = sum(1 for e in run.entries if e["drift"])
    warnings = list(run.warnings)
    if n:
        share = n_drift / n
        dataset_drift = bool(share >= drift_share)
    else:
        share = float("nan")
        dataset_drift = False
        warnings.append("no column could be tested for drift")
    for s in run.skipped:
        warnings.append(f"column '{s['column']}' not tested: {s['reason']}")
    if run.profile == "native" and run.inferred:
        shown = ", ".join(run.inferred[:10]) + (" ..." if len(run.inferred) > 10 else "")
        warnings.append(f"column types inferred, not declared, for {len(run.inferred)} column(s): {shown}")
    approx = [e["column"] for e in run.entries if not e["exact"]]
    if approx:
        warnings.append(
            "scores approximated from a quantile sketch of the reference for: " + ", ".join(approx[:10])
        )
    extra: dict[str, Any] = {
        "tested_columns": n,
        "drifted_columns": n_drift,
        "skipped_columns": run.skipped,
        "conventions": _EVIDENTLY_CONVENTIONS if run.profile == "evidently" else _NATIVE_CONVENTIONS,
        "reference_dataset": dict(reference_dataset),
    }
    if run.profile == "evidently":
        extra["reference_library"] = {
            "name": "evidently",
            "version": EVIDENTLY_VERSION,
            "preset": "DataDriftPreset",
        }
    check = Check(
        metric="dataset_drift",
        threshold=0.0,
        bound="max",
        value=1.0 if dataset_drift else 0.0,
        passed=not dataset_drift,
    )
    return EvidenceResult(
        kind="drift",
        profile=run.profile,
        dataset=dataset,
        parameters=parameters,
        columns=run.entries,
        dataset_drift=dataset_drift,
        share_drifted=share,
        checks=[check],
        warnings=warnings,
        histograms=run.histograms,
        extra=extra,
    )


def _parameters(
    profile: str,
    columns: Sequence[str] | None,
    column_types: Mapping[str, str],
    stattest: Any,
    threshold: Any,
    drift_share: float,
) -> dict[str, Any]:
    return {
        "profile": profile,
        "columns": None if columns is None else list(columns),
        "column_types": dict(column_types),
        "stattest": dict(stattest) if isinstance(stattest, Mapping) else stattest,
        "threshold": dict(threshold) if isinstance(threshold, Mapping) else threshold,
        "drift_share": drift_share,
    }


def _dataset_info(source: Any, rows: int, hash_data: bool) -> Any:
    from . import io
    from .evidence import DatasetInfo

    if not hash_data:
        return DatasetInfo(rows=rows)
    return io.dataset_info(source, rows, hash_data=True)


def evaluate_drift(
    current: Any,
    reference: Any,
    *,
    columns: Sequence[str] | None = None,
    profile: str = "native",
    column_types: Mapping[str, str] | None = None,
    stattest: str | Mapping[str, str] | None = None,
    threshold: float | Mapping[str, float] | None = None,
    drift_share: float = 0.5,
    hash_data: bool = True,
) -> EvidenceResult:
    """Per-column drift of ``current`` against ``reference`` and the dataset-drift decision.

    ``current``/``reference``: CSV/Parquet paths, pandas/polars DataFrames, Arrow tables or dicts of arrays.
    ``profile``: ``"native"`` (default) or ``"evidently"`` (Evidently 0.7.23 DataDriftPreset numbers).
    ``column_types``: ``{column: "numerical"|"categorical"}``, overriding inference. ``stattest`` and
    ``threshold``: one value for all columns or a ``{column: value}`` mapping. Columns are processed one at a
    time, so peak memory stays near the size of the inputs.
    """
    _check_profile(profile)
    cur_t = _Table(current, columns)
    ref_t = _Table(reference, columns)
    for table, side in ((cur_t, "current data"), (ref_t, "reference")):
        if table.rows == 0:
            raise MeasureInputError(f"the {side} has no rows")
    names, warnings = _select(cur_t.names, ref_t.names, columns)
    declared = _check_column_types(column_types, names)
    run = _Run(profile, warnings=warnings)
    for name in names:
        ref_raw = ref_t.raw(name)
        ref = _summarise(ref_raw, name)
        cur = _column_counts(cur_t.raw(name), name)
        run.column(name, declared, ref_raw.dtype_class, ref, cur, stattest, threshold)
    ref_info = _dataset_info(reference, ref_t.rows, hash_data).to_dict()
    return _result(
        run,
        dataset=_dataset_info(current, cur_t.rows, hash_data),
        reference_dataset=ref_info,
        parameters=_parameters(profile, columns, declared, stattest, threshold, drift_share),
        drift_share=drift_share,
    )


def score_against_profile(
    current: Any,
    reference_profile: ReferenceProfile,
    *,
    profile: str = "native",
    columns: Sequence[str] | None = None,
    column_types: Mapping[str, str] | None = None,
    stattest: str | Mapping[str, str] | None = None,
    threshold: float | Mapping[str, float] | None = None,
    drift_share: float = 0.5,
    hash_data: bool = True,
) -> EvidenceResult:
    """Drift of ``current`` (raw data or ``CurrentCounts``) against a stored ``ReferenceProfile``.

    Only the current window is read, and only to count it. Columns whose reference was kept as a quantile
    sketch are scored approximately for KS, Wasserstein and Sturges-binned tests (``"exact": false``).
    """
    _check_profile(profile)
    if isinstance(current, CurrentCounts):
        cur_names = list(current.columns)
        rows = current.rows
        table = None
    else:
        table = _Table(current, columns)
        cur_names, rows = table.names, table.rows
    names, warnings = _select(cur_names, list(reference_profile.columns), columns)
    declared = _check_column_types(column_types, names)
    run = _Run(profile, warnings=warnings)
    for name in names:
        prof = reference_profile.columns[name]
        if isinstance(current, CurrentCounts):
            cur = current.columns[name]
        else:
            assert table is not None
            cur = _column_counts(table.raw(name), name)
        stored = prof.type if prof.type in COLUMN_TYPES else None
        native = prof.native if profile == "native" else None
        run.column(name, declared, prof.dtype, prof.counts, cur, stattest, threshold, stored, native)
    if isinstance(current, CurrentCounts) or table is None:
        from .evidence import DatasetInfo

        dataset: Any = DatasetInfo(rows=rows)
    else:
        dataset = _dataset_info(current, rows, hash_data)
    params = _parameters(profile, columns, declared, stattest, threshold, drift_share)
    params["reference_profile"] = {
        "rows": reference_profile.rows,
        "max_exact_values": reference_profile.max_exact_values,
    }
    return _result(
        run,
        dataset=dataset,
        reference_dataset=reference_profile.dataset,
        parameters=params,
        drift_share=drift_share,
    )
