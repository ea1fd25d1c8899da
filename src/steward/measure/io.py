"""Input adapters for the measurement engine: files and in-memory tables in, Arrow batches / numpy out.

Serves ISO/IEC 42001 clause 9.1 and control A.7.4: a measurement is only evidence if it is tied to the exact
data it was computed on (``dataset_sha256``) and if bad input is refused with a reason instead of being
measured silently (``MeasureInputError``).

Accepted sources: a CSV or Parquet path (``str``/``Path``), a pyarrow ``Table``/``RecordBatch``, a pandas or
polars DataFrame, or a mapping ``{column: array-like}`` (numpy arrays, lists). pandas and polars are never
imported here: objects are recognised by their module and converted through their own Arrow exporters.

Files are read in record batches (``iter_batches``) so large prediction logs never have to fit in memory;
only the requested columns are decoded.

Hashing (``dataset_sha256``): for a file, SHA-256 of the file's bytes as stored (``sha256_of="file-bytes"``).
For an in-memory source, SHA-256 of a canonical Arrow IPC stream (``"arrow-ipc"``): all columns in source
order, schema metadata dropped, dictionary columns decoded, large/view string and binary types cast to the
plain ones, rows re-chunked into record batches of 65,536 rows. The same table therefore hashes the same
whether it arrived as pandas, polars or Arrow, whatever its chunking.

Missing values: pandas/numpy ``NaN`` and ``None`` are read as Arrow nulls; in CSV files empty cells and
Arrow's default NA spellings (``NA``, ``N/A``, ``NaN``, ``null``, ...) are nulls in every column type.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import MeasureInputError

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "MeasureInputError",
    "as_arrow_table",
    "coerce_pos_label",
    "column_names",
    "dataset_info",
    "dataset_sha256",
    "is_path",
    "iter_batches",
    "load_columns",
    "observed_labels",
    "positive_mask",
    "progress_total",
    "resolve_pos_label",
    "to_numpy",
]

DEFAULT_BATCH_ROWS = 1 << 20
_CSV_BLOCK_BYTES = 16 << 20  # large blocks make CSV type inference see more rows before committing
_HASH_CHUNK_ROWS = 65_536
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zst", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")

Source = Any
ProgressCallback = Callable[[int], None]


# --------------------------------------------------------------------------------------------------- paths


def is_path(source: Source) -> bool:
    return isinstance(source, (str, os.PathLike))


def _file_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    raise MeasureInputError(f"unsupported file type: {path} (expected .csv or .parquet)")


def _checked_path(source: str | os.PathLike[str]) -> Path:
    path = Path(source)
    if not path.exists():
        raise MeasureInputError(f"file not found: {path}")
    if path.is_dir():
        raise MeasureInputError(f"not a file: {path}")
    if path.stat().st_size == 0:
        raise MeasureInputError(f"empty file: {path}")
    return path


def _csv_names(path: Path) -> list[str]:
    import pyarrow.csv as pv

    try:
        reader = pv.open_csv(str(path), read_options=pv.ReadOptions(block_size=1 << 16))
    except pa.ArrowInvalid as exc:
        raise _csv_error(path, exc) from None
    return list(reader.schema.names)


def _csv_error(path: Path, exc: Exception) -> MeasureInputError:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Empty CSV file" in msg:
        return MeasureInputError(f"empty file: {path}")
    return MeasureInputError(f"cannot read CSV {path}: {msg}")


def column_names(source: Source) -> list[str]:
    """Names of all columns of a source, without reading its data."""
    if is_path(source):
        path = _checked_path(source)
        if _file_format(path) == "parquet":
            import pyarrow.parquet as pq

            return list(_parquet_file(path, pq).schema_arrow.names)
        return _csv_names(path)
    return list(_in_memory_schema_names(source))


def _check_columns(available: Sequence[str], columns: Sequence[str] | None) -> None:
    if columns is None:
        return
    have = set(available)
    for col in columns:
        if col not in have:
            listed = ", ".join(list(available)[:20]) + (" ..." if len(available) > 20 else "")
            raise MeasureInputError(f"unknown column '{col}' (available: {listed})")


def _parquet_file(path: Path, pq: Any) -> Any:
    try:
        return pq.ParquetFile(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MeasureInputError(f"cannot read Parquet {path}: {msg}") from None


# --------------------------------------------------------------------------------------------- in memory


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def _in_memory_schema_names(source: Source) -> list[str]:
    if isinstance(source, (pa.Table, pa.RecordBatch)):
        return list(source.schema.names)
    mod = _module(source)
    if mod in ("pandas", "polars"):
        return [str(c) for c in source.columns]
    if isinstance(source, np.ndarray) and source.dtype.names:
        return list(source.dtype.names)
    if isinstance(source, Mapping):
        return [str(k) for k in source]
    raise MeasureInputError(
        f"unsupported data source {type(source).__name__}: pass a CSV/Parquet path, a DataFrame, "
        "an Arrow table or a dict of arrays"
    )


def _array_from_values(values: Any) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    mod = _module(values)
    if mod == "polars":
        return values.to_arrow()
    if mod == "pandas":
        return pa.array(values, from_pandas=True)
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise MeasureInputError(f"expected a 1-D array, got shape {arr.shape}")
    return pa.array(arr, from_pandas=True)


def _column_slicer(values: Any) -> tuple[int, Callable[[int, int], pa.Array]]:
    """Length of a column and a function converting rows [a, b) of it to Arrow with one fixed type.

    Converting slice by slice keeps the memory of a conversion bounded by the batch size; the type is fixed
    up front (inferred once for Python-object columns) so every slice has the same schema.
    """
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values

        def take_arrow(a: int, b: int) -> pa.Array:
            part = arr.slice(a, b - a)
            return part.combine_chunks() if isinstance(part, pa.ChunkedArray) else part

        return len(arr), take_arrow
    mod = _module(values)
    if mod == "polars":
        series = values

        def take_polars(a: int, b: int) -> pa.Array:
            part = series.slice(a, b - a).to_arrow()
            return part.combine_chunks() if isinstance(part, pa.ChunkedArray) else part

        return len(series), take_polars
    if mod == "pandas":
        series = values
        fixed = pa.infer_type(series.to_numpy(), from_pandas=True) if series.dtype == object else None

        def take_pandas(a: int, b: int) -> pa.Array:
            return pa.Array.from_pandas(series.iloc[a:b], type=fixed)

        return len(series), take_pandas
    arr_np = np.asarray(values)
    if arr_np.ndim != 1:
        raise MeasureInputError(f"expected a 1-D array, got shape {arr_np.shape}")
    fixed_np = pa.infer_type(arr_np, from_pandas=True) if arr_np.dtype == object else None

    def take_numpy(a: int, b: int) -> pa.Array:
        return pa.array(arr_np[a:b], type=fixed_np, from_pandas=True)

    return len(arr_np), take_numpy


def _in_memory_batches(
    source: Source, columns: Sequence[str] | None, batch_size: int
) -> Iterator[pa.RecordBatch]:
    """Record batches of an in-memory source, converted one slice at a time."""
    _check_columns(_in_memory_schema_names(source), columns)
    if isinstance(source, pa.RecordBatch):
        source = pa.Table.from_batches([source])
    if isinstance(source, pa.Table):
        table = source.select(list(columns)) if columns is not None else source
        yield from table.to_batches(max_chunksize=batch_size)
        return
    names = list(columns) if columns is not None else _in_memory_schema_names(source)
    if _module(source) in ("pandas", "polars"):
        lookup = {str(c): c for c in source.columns}
        cols = [source[lookup[n]] for n in names]
    elif isinstance(source, np.ndarray):
        cols = [source[n] for n in names]
    else:
        cols = [source[n] for n in names]
    slicers = [_column_slicer(c) for c in cols]
    lengths = {length for length, _ in slicers}
    if len(lengths) > 1:
        raise MeasureInputError(f"columns have different lengths: {sorted(lengths)}")
    n_rows = lengths.pop() if lengths else 0
    for start in range(0, n_rows, batch_size):
        stop = min(start + batch_size, n_rows)
        yield pa.RecordBatch.from_arrays([take(start, stop) for _, take in slicers], names=names)


def as_arrow_table(source: Source, columns: Sequence[str] | None = None) -> pa.Table:
    """The source (restricted to ``columns`` when given) as one Arrow table; files are read fully."""
    if isinstance(source, pa.Table):
        _check_columns(source.schema.names, columns)
        return source.select(list(columns)) if columns is not None else source
    batches = list(iter_batches(source, columns))
    if not batches:
        names = list(columns) if columns is not None else column_names(source)
        return pa.table({c: pa.array([], pa.null()) for c in names})
    return pa.Table.from_batches(batches)


# ----------------------------------------------------------------------------------------------- batches


def progress_total(source: Source) -> int | None:
    """The total that ``iter_batches(..., on_progress=...)`` advances towards: bytes for files, rows else."""
    if is_path(source):
        try:
            return Path(source).stat().st_size
        except OSError:
            return None
    try:
        return len(source)
    except TypeError:
        return None


def iter_batches(
    source: Source,
    columns: Sequence[str] | None = None,
    batch_size: int = DEFAULT_BATCH_ROWS,
    *,
    on_progress: ProgressCallback | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield Arrow record batches of ``columns`` (all when None), reading files incrementally.

    ``on_progress(n)`` is called after each batch with the amount of ``progress_total(source)`` consumed.
    Unknown columns, missing or empty files raise ``MeasureInputError`` before the first batch.
    For CSV, the batch size follows the reader's 16 MiB blocks rather than ``batch_size``.
    """
    if is_path(source):
        path = _checked_path(source)
        if _file_format(path) == "parquet":
            yield from _iter_parquet(path, columns, batch_size, on_progress)
        else:
            yield from _iter_csv(path, columns, on_progress)
        return
    for batch in _in_memory_batches(source, columns, batch_size):
        yield batch
        if on_progress is not None:
            on_progress(batch.num_rows)


def _iter_parquet(
    path: Path, columns: Sequence[str] | None, batch_size: int, on_progress: ProgressCallback | None
) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    pf = _parquet_file(path, pq)
    _check_columns(pf.schema_arrow.names, columns)
    total_rows = max(pf.metadata.num_rows, 1)
    size = path.stat().st_size
    cols = list(columns) if columns is not None else None
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        yield batch
        if on_progress is not None:
            on_progress(int(batch.num_rows * size / total_rows))


def _iter_csv(
    path: Path, columns: Sequence[str] | None, on_progress: ProgressCallback | None
) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pv

    if columns is not None:
        _check_columns(_csv_names(path), columns)
    stream = pa.input_stream(str(path))
    # Empty cells and the usual NA spellings are missing values, for text columns as well as numbers.
    convert = pv.ConvertOptions(
        include_columns=list(columns) if columns is not None else None, strings_can_be_null=True
    )
    try:
        reader = pv.open_csv(
            stream, read_options=pv.ReadOptions(block_size=_CSV_BLOCK_BYTES), convert_options=convert
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        stream.close()
        raise _csv_error(path, exc) from None
    consumed = 0
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise _csv_error(path, exc) from None
            yield batch
            if on_progress is not None:
                try:
                    position = stream.tell()
                except (OSError, pa.ArrowException):
                    position = consumed
                on_progress(max(position - consumed, 0))
                consumed = max(position, consumed)
    finally:
        stream.close()


_NUMPY_TYPES = {
    pa.int8(): "int8",
    pa.int16(): "int16",
    pa.int32(): "int32",
    pa.int64(): "int64",
    pa.uint8(): "uint8",
    pa.uint16(): "uint16",
    pa.uint32(): "uint32",
    pa.uint64(): "uint64",
    pa.float16(): "float16",
    pa.float32(): "float32",
    pa.float64(): "float64",
}


def _bits(buffer: pa.Buffer, offset: int, length: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[offset : offset + length].astype(bool)


def numeric_values(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, validity mask or None) of a numeric or boolean Arrow array, read straight from its buffers.

    pyarrow's own to_numpy(), pa.array() and pa.scalar() import pandas, a 0.5-1.5 s start-up cost the CLI
    must not pay when it reads CSV/Parquet files; the buffers can be viewed without it. Values in null slots
    are unspecified.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    n = len(array)
    buffers = array.buffers()
    valid = _bits(buffers[0], array.offset, n) if array.null_count and buffers[0] is not None else None
    if n == 0:
        return np.zeros(0, dtype=bool if pa.types.is_boolean(array.type) else np.float64), None
    if pa.types.is_boolean(array.type):
        return _bits(buffers[1], array.offset, n), valid
    name = _NUMPY_TYPES.get(array.type)
    if name is None:
        raise TypeError(f"not a numeric Arrow array: {array.type}")
    dtype = np.dtype(name)
    return np.frombuffer(buffers[1], dtype=dtype, count=n, offset=array.offset * dtype.itemsize), valid


def numeric_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Numbers or booleans → numpy without importing pandas; nulls become NaN (the result is then float)."""
    values, valid = numeric_values(array)
    if valid is None:
        return values
    out = values.astype(np.float64)
    out[~valid] = math.nan
    return out


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow → numpy; nulls become NaN (numbers) or None (objects). Dictionary arrays are decoded."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array.to_numpy(zero_copy_only=False)


def load_columns(source: Source, columns: Sequence[str]) -> dict[str, np.ndarray]:
    """Read ``columns`` of a source into numpy arrays (the whole column; use iter_batches for streaming)."""
    table = as_arrow_table(source, columns)
    if table.num_rows == 0 and is_path(source):
        raise MeasureInputError(f"empty file: {source} has no data rows")
    return {c: to_numpy(table.column(c)) for c in columns}


# ------------------------------------------------------------------------------------------------ hashing


class _HashSink:
    """Minimal writable file object that feeds a hash; lets Arrow's IPC writer stream into SHA-256."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        return view.nbytes

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True


def _canonical_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(t):
        return _canonical_type(t.value_type)
    if pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _t: False)(t):
        return pa.string()
    if pa.types.is_large_binary(t) or getattr(pa.types, "is_binary_view", lambda _t: False)(t):
        return pa.binary()
    return t


def _canonical_table(table: pa.Table) -> pa.Table:
    fields, arrays = [], []
    for f, col in zip(table.schema, table.columns, strict=True):
        t = _canonical_type(f.type)
        if pa.types.is_dictionary(f.type):
            col = pa.chunked_array([c.dictionary_decode() for c in col.chunks], type=f.type.value_type)
        if col.type != t:
            col = col.cast(t)
        fields.append(pa.field(str(f.name), t, nullable=True))
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def dataset_sha256(source: Source) -> tuple[str, str]:
    """(hex digest, what it covers): ``"file-bytes"`` for paths, ``"arrow-ipc"`` for in-memory data."""
    if is_path(source):
        path = _checked_path(source)
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest(), "file-bytes"
    sink = _HashSink()
    writer: Any = None
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def flush(rows: int) -> None:
        nonlocal writer, pending, pending_rows
        table = _canonical_table(pa.Table.from_batches(pending)).combine_chunks()
        if writer is None:
            writer = pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), table.schema)
        head, tail = table.slice(0, rows), table.slice(rows)
        for batch in head.to_batches():
            # A zero-copy slice can carry its parent's larger buffers into the IPC bytes; concatenating
            # with an empty slice forces fresh, exactly sized buffers.
            fresh = [pa.concat_arrays([col, col.slice(0, 0)]) for col in batch.columns]
            writer.write_batch(pa.RecordBatch.from_arrays(fresh, schema=batch.schema))
        pending = tail.to_batches() if tail.num_rows else []
        pending_rows = tail.num_rows

    # Re-chunk to fixed 65,536-row batches so the digest does not depend on how the source was chunked.
    for batch in _in_memory_batches(source, None, _HASH_CHUNK_ROWS):
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= _HASH_CHUNK_ROWS:
            flush(_HASH_CHUNK_ROWS)
    if pending_rows or writer is None:
        if not pending:
            names = _in_memory_schema_names(source)
            pending = [pa.RecordBatch.from_arrays([pa.array([], pa.null()) for _ in names], names=names)]
        flush(pending_rows)
    writer.close()
    return sink.digest.hexdigest(), "arrow-ipc"


def dataset_info(source: Source, rows: int, *, hash_data: bool = True) -> Any:
    """The ``dataset`` block of an evidence record for ``source`` (``rows`` as counted by the caller)."""
    from .evidence import DatasetInfo

    digest, covers = dataset_sha256(source) if hash_data else (None, None)
    name = Path(source).name if is_path(source) else None
    return DatasetInfo(rows=int(rows), sha256=digest, sha256_of=covers, source=name)


# ------------------------------------------------------------------------------------------------- labels


def coerce_pos_label(pos_label: Any, arrow_type: pa.DataType) -> Any:
    """Convert a positive label given as text (e.g. from the CLI) to the label column's type."""
    if pos_label is None or not isinstance(pos_label, str):
        return pos_label
    try:
        if pa.types.is_boolean(arrow_type):
            low = pos_label.strip().lower()
            if low in ("true", "1", "yes"):
                return True
            if low in ("false", "0", "no"):
                return False
            raise ValueError(pos_label)
        if pa.types.is_integer(arrow_type):
            return int(pos_label)
        if pa.types.is_floating(arrow_type):
            return float(pos_label)
    except ValueError:
        raise MeasureInputError(
            f"pos_label {pos_label!r} does not match the label type {arrow_type}"
        ) from None
    return pos_label


def _plain(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    if pa.types.is_dictionary(array.type):
        if isinstance(array, pa.ChunkedArray):
            return pa.chunked_array([c.dictionary_decode() for c in array.chunks], type=array.type.value_type)
        return array.dictionary_decode()
    return array


def observed_labels(array: pa.Array | pa.ChunkedArray, *, name: str) -> set[Any]:
    """Distinct label values of a target/prediction column; missing values are refused."""
    array = _plain(array)
    nulls = array.null_count
    if nulls:
        raise MeasureInputError(f"column '{name}' has {nulls} missing value(s); labels must be complete")
    if pa.types.is_floating(array.type) and pc.any(pc.is_nan(array)).as_py():
        raise MeasureInputError(f"column '{name}' has NaN values; labels must be complete")
    return set(pc.unique(array).to_pylist())


def _fmt_labels(labels: set[Any]) -> str:
    try:
        ordered = sorted(labels)
    except TypeError:
        ordered = sorted(labels, key=repr)
    return "[" + ", ".join(repr(v) for v in ordered[:10]) + (", ..." if len(ordered) > 10 else "") + "]"


def resolve_pos_label(labels: set[Any], pos_label: Any, *, name: str = "target/prediction") -> Any:
    """Check that ``labels`` (union of target and prediction values) is binary; return the positive label.

    With ``pos_label=None`` Fairlearn's rule applies: labels must be a subset of {0, 1} or {-1, 1} (booleans
    count as 0/1) and the positive label is 1. Otherwise at most two distinct values are allowed and, when
    there are two, ``pos_label`` must be one of them.
    """
    if len(labels) > 2:
        raise MeasureInputError(f"non-binary {name}: {len(labels)} distinct labels {_fmt_labels(labels)}")
    if pos_label is None:
        if labels <= {0, 1} or labels <= {-1, 1}:
            return 1
        raise MeasureInputError(
            f"labels {_fmt_labels(labels)} are not 0/1 or -1/1; pass pos_label to say which is positive"
        )
    if len(labels) == 2 and pos_label not in labels:
        raise MeasureInputError(f"pos_label {pos_label!r} is not one of the labels {_fmt_labels(labels)}")
    return pos_label


def positive_mask(array: pa.Array | pa.ChunkedArray, pos_label: Any) -> np.ndarray:
    """Boolean numpy mask ``array == pos_label`` (labels must already be validated)."""
    array = _plain(array)
    if pa.types.is_boolean(array.type):
        values = numeric_numpy(array)
        return values if bool(pos_label) else ~values
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return np.asarray(numeric_numpy(array) == pos_label)
    # Compare through the (small) dictionary of distinct labels: no Arrow scalar, hence no pandas import.
    encoded = pc.dictionary_encode(array)
    labels = encoded.dictionary.to_pylist()
    if pos_label not in labels:
        return np.zeros(len(array), dtype=bool)
    indices, _ = numeric_values(encoded.indices)
    return np.asarray(indices == labels.index(pos_label))
