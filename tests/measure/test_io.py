"""Input adapters: containers, files, hashing, labels and one-line input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from steward.measure.errors import MeasureInputError
from steward.measure.io import (
    dataset_sha256,
    iter_batches,
    load_columns,
    positive_mask,
    resolve_pos_label,
)


@pytest.fixture
def frame():
    n = 150_000
    return pd.DataFrame(
        {"a": np.arange(n), "s": np.where(np.arange(n) % 3 == 0, None, "x"), "f": np.linspace(0, 1, n)}
    )


def test_in_memory_hash_ignores_container_and_chunking(frame):
    table = pa.Table.from_pandas(frame, preserve_index=False)
    digests = {
        dataset_sha256(frame),
        dataset_sha256(pl.from_pandas(frame)),
        dataset_sha256({c: frame[c].to_numpy() for c in frame}),
        dataset_sha256(table),
        dataset_sha256(pa.Table.from_batches(table.to_batches(max_chunksize=7777))),
    }
    assert len(digests) == 1
    digest, covers = digests.pop()
    assert covers == "arrow-ipc" and len(digest) == 64
    changed = frame.copy()
    changed.loc[5, "f"] = 2.0
    assert dataset_sha256(changed)[0] != digest


def test_file_hash_is_of_the_bytes(tmp_path, frame):
    import hashlib

    path = tmp_path / "d.parquet"
    frame.to_parquet(path)
    assert dataset_sha256(path) == (hashlib.sha256(path.read_bytes()).hexdigest(), "file-bytes")


def test_batches_cover_every_row_once_and_report_progress(tmp_path, frame):
    csv, parquet = tmp_path / "d.csv", tmp_path / "d.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet)
    for source in (frame, parquet, csv, pl.from_pandas(frame)):
        seen = []
        batches = list(iter_batches(source, ["a", "s"], 40_000, on_progress=seen.append))
        assert sum(b.num_rows for b in batches) == len(frame)
        assert batches[0].schema.names == ["a", "s"]
        assert len(seen) == len(batches) and sum(seen) > 0


def test_csv_empty_cells_are_missing(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("g,y\nA,1\n,0\nNA,1\n")
    assert list(load_columns(path, ["g"])["g"]) == ["A", None, None]


@pytest.mark.parametrize(
    ("content", "columns", "message"),
    [("", ["a"], "empty file"), ("a,b\n", ["a"], "empty file"), ("a,b\n1,2\n", ["c"], "unknown column 'c'")],
)
def test_input_errors_are_one_line(tmp_path, content, columns, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(MeasureInputError, match=message) as info:
        load_columns(path, columns)
    assert "\n" not in str(info.value)


def test_unsupported_or_missing_files(tmp_path):
    with pytest.raises(MeasureInputError, match="file not found"):
        load_columns(tmp_path / "nope.csv", ["a"])
    (tmp_path / "x.xlsx").write_text("x")
    with pytest.raises(MeasureInputError, match="unsupported file type"):
        load_columns(tmp_path / "x.xlsx", ["a"])


@pytest.mark.parametrize(
    ("labels", "pos_label", "expected"),
    [({0, 1}, None, 1), ({-1, 1}, None, 1), ({False, True}, None, 1), ({1}, None, 1), ({"n", "y"}, "y", "y")],
)
def test_positive_label_rules(labels, pos_label, expected):
    assert resolve_pos_label(labels, pos_label) == expected


@pytest.mark.parametrize(
    ("labels", "pos_label", "message"),
    [({0, 1, 2}, None, "non-binary"), ({"n", "y"}, None, "pass pos_label"), ({"n", "y"}, "z", "not one of")],
)
def test_bad_labels(labels, pos_label, message):
    with pytest.raises(MeasureInputError, match=message):
        resolve_pos_label(labels, pos_label)


def test_positive_mask_for_each_label_type():
    assert positive_mask(pa.array([True, False]), 1).tolist() == [True, False]
    assert positive_mask(pa.array([-1, 1, 1]), 1).tolist() == [False, True, True]
    assert positive_mask(pa.array(["n", "y"]), "y").tolist() == [False, True]
    assert positive_mask(pa.array(["n", "y"]).dictionary_encode(), "n").tolist() == [True, False]
