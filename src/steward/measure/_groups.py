"""Mergeable group encoding shared by the fairness and performance engines.

Supports ISO/IEC 42001 clause 9.1 and control A.6.2.4: disaggregated evaluation needs the same group
identities whether data arrives in one piece, in batches, or from separate machines. Sensitive feature values
are mapped to level ids that stay stable while new values appear, and observed intersections are kept as
key rows of level ids so partial states from chunks merge by plain addition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import MeasureInputError
from .io import numeric_values

# Above this many possible intersections the dense bincount would allocate too much; fall back to np.unique.
_DENSE_LIMIT = 1 << 22


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class LevelIndex:
    """Stable value → id mapping for one sensitive feature; the missing value is the level ``None``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: list[Any] = []
        self._ids: dict[Any, int] = {}

    def __len__(self) -> int:
        return len(self.values)

    def id_of(self, value: Any) -> int:
        if _is_missing(value):
            value = None
        found = self._ids.get(value)
        if found is None:
            found = len(self.values)
            self.values.append(value)
            self._ids[value] = found
        return found

    @property
    def missing_id(self) -> int | None:
        return self._ids.get(None)

    def encode(self, array: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Level ids (int64) for every row; nulls and NaN map to the missing level."""
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        if len(array) == 0:
            return np.zeros(0, dtype=np.int64)  # registering no level: an empty chunk must not add groups
        if pa.types.is_null(array.type):
            return np.full(len(array), self.id_of(None), dtype=np.int64)
        encoded = pc.dictionary_encode(array)
        remap = np.fromiter(
            (self.id_of(v) for v in encoded.dictionary.to_pylist()),
            dtype=np.int64,
            count=len(encoded.dictionary),
        )
        indices = encoded.indices
        if indices.null_count:
            missing = self.id_of(None)
            raw, valid = numeric_values(indices)
            idx = np.where(valid, raw, 0) if valid is not None else raw
            codes = remap[idx] if len(remap) else np.zeros(len(idx), dtype=np.int64)
            if valid is not None:
                codes[~valid] = missing
            return codes
        raw, _ = numeric_values(indices)
        return remap[raw]

    def sort_order(self) -> list[int]:
        """Level ids in presentation order: values sorted (as np.unique would), the missing level last."""
        present = [i for i, v in enumerate(self.values) if v is not None]
        try:
            present.sort(key=lambda i: self.values[i])
        except TypeError:
            present.sort(key=lambda i: (type(self.values[i]).__name__, str(self.values[i])))
        if self.missing_id is not None:
            present.append(self.missing_id)
        return present


def combine_codes(
    codes: Sequence[np.ndarray], dims: Sequence[int], n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row → local group index, and the key rows (level ids per feature) of the observed groups.

    ``dims`` are the current level counts; keys are returned as an (n_groups, n_features) int64 array.
    """
    n_features = len(codes)
    if n_features == 0:
        return np.zeros(n_rows, dtype=np.int64), np.zeros((1 if n_rows else 0, 0), dtype=np.int64)
    total = math.prod(dims)
    if total >= 2**62:
        stacked = np.stack(codes, axis=1)
        keys, inverse = np.unique(stacked, axis=0, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64), keys.astype(np.int64)
    combined = codes[0].astype(np.int64, copy=True)
    for c, d in zip(codes[1:], dims[1:], strict=True):
        combined *= d
        combined += c
    if total <= _DENSE_LIMIT:
        present = np.bincount(combined, minlength=total) > 0
        uniq = np.flatnonzero(present)
        remap = np.empty(total, dtype=np.int64)
        remap[uniq] = np.arange(len(uniq), dtype=np.int64)
        inverse = remap[combined]
    else:
        uniq, inverse = np.unique(combined, return_inverse=True)
        inverse = inverse.reshape(-1)
    keys = np.stack(np.unravel_index(uniq, tuple(dims)), axis=1).astype(np.int64)
    return inverse, keys


def reduce_keys(keys: np.ndarray, dims: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Unique key rows (sorted by code) and, for each input row, its index among them."""
    if keys.shape[1] == 0:
        return keys[:1], np.zeros(len(keys), dtype=np.int64)
    if math.prod(dims) >= 2**62:
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        return uniq, inverse.reshape(-1)
    code = np.ravel_multi_index(tuple(keys.T), tuple(dims))
    uniq_code, inverse = np.unique(code, return_inverse=True)
    uniq = np.stack(np.unravel_index(uniq_code, tuple(dims)), axis=1).astype(np.int64)
    return uniq, inverse.reshape(-1)


def sum_by(inverse: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum rows of ``values`` (any trailing shape) into ``n`` buckets."""
    out = np.zeros((n, *values.shape[1:]), dtype=values.dtype)
    np.add.at(out, inverse, values)
    return out


def remap_levels(target: Sequence[LevelIndex], source: Sequence[LevelIndex], keys: np.ndarray) -> np.ndarray:
    """Translate key rows expressed in ``source`` level ids into ``target`` level ids (adding new levels)."""
    if [t.name for t in target] != [s.name for s in source]:
        raise MeasureInputError(
            f"cannot merge results over different sensitive features: {[t.name for t in target]} vs "
            f"{[s.name for s in source]}"
        )
    out = np.empty_like(keys)
    for j, (t, s) in enumerate(zip(target, source, strict=True)):
        mapping = np.array([t.id_of(v) for v in s.values], dtype=np.int64)
        out[:, j] = mapping[keys[:, j]] if len(mapping) else keys[:, j]
    return out
