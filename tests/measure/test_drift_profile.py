"""Reference profiles and current-window counts: exactness, JSON round trip, chunk merging, invariances."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.measure.drift import (
    CurrentCounts,
    ReferenceProfile,
    build_reference_profile,
    evaluate_drift,
    score_against_profile,
)

from .test_drift_evidently_parity import edge_case_frames


def _scores(result) -> dict[str, tuple[str, float, bool]]:
    return {e["column"]: (e["test"], e["score"], e["drift"]) for e in result.columns}


def _roundtrip(profile: ReferenceProfile) -> ReferenceProfile:
    return ReferenceProfile.from_dict(json.loads(profile.to_json()))


@pytest.mark.parametrize("drift_profile", ["evidently", "native"])
@pytest.mark.parametrize(("n_ref", "n_cur"), [(999, 1200), (1001, 800), (3000, 20_000)])
def test_a_full_profile_scores_exactly_like_the_raw_reference(
    drift_profile: str, n_ref: int, n_cur: int
) -> None:
    ref, cur = edge_case_frames(n_ref, n_cur, seed=n_ref)
    direct = evaluate_drift(cur, ref, profile=drift_profile, hash_data=False)
    profile = _roundtrip(build_reference_profile(ref, max_exact_values=None, hash_data=False))
    scored = score_against_profile(cur, profile, profile=drift_profile, hash_data=False)
    assert _scores(scored) == _scores(direct)
    assert scored.share_drifted == direct.share_drifted
    assert all(e["exact"] for e in scored.columns)


def test_a_sketched_profile_is_exact_where_claimed_and_flags_the_rest() -> None:
    ref, cur = edge_case_frames(5000, 4000, seed=21)
    direct = {e["column"]: e for e in evaluate_drift(cur, ref, profile="evidently", hash_data=False).columns}
    profile = _roundtrip(build_reference_profile(ref, max_exact_values=1000, hash_data=False))
    sketched = profile.columns["float_normal"]
    assert not sketched.exact and len(sketched.counts.values) <= 1000
    scored = score_against_profile(cur, profile, profile="evidently", hash_data=False)
    for entry in scored.columns:
        theirs = direct[entry["column"]]
        assert entry["test"] == theirs["test"]
        if entry["exact"]:
            assert entry["score"] == pytest.approx(theirs["score"], rel=1e-12, abs=1e-15)
        else:
            # Wasserstein from a 1,000-point sketch: close, not exact.
            assert entry["test"] == "wasserstein"
            assert entry["score"] == pytest.approx(theirs["score"], abs=0.01)
    assert any("approximated" in w for w in scored.warnings)
    # Native PSI uses bins fixed at profile time, so it stays exact even from a sketched profile.
    native_direct = _scores(evaluate_drift(cur, ref, profile="native", hash_data=False))
    native_scored = _scores(score_against_profile(cur, profile, profile="native", hash_data=False))
    assert native_scored == native_direct


def test_profile_json_is_plain_and_stable() -> None:
    ref, _ = edge_case_frames(500, 10, seed=2)
    profile = build_reference_profile(ref, hash_data=True)
    doc = json.loads(profile.to_json())
    assert doc["schema"] == "steward.reference_profile/v1"
    assert doc["dataset"]["sha256"] and doc["rows"] == 500
    assert _roundtrip(_roundtrip(profile)).to_dict() == profile.to_dict()
    col = {c["column"]: c for c in doc["columns"]}
    assert col["str_cat"]["values"] == ["a", "b", "c", "d"]
    assert col["float_inf_nan"]["posinf"] > 0 and col["float_inf_nan"]["missing"] > 0


def test_profile_file_round_trip(tmp_path) -> None:
    ref, cur = edge_case_frames(400, 300, seed=8)
    path = tmp_path / "ref.json"
    build_reference_profile(ref, hash_data=False).write_json(path)
    loaded = ReferenceProfile.read_json(path)
    assert _scores(score_against_profile(cur, loaded, hash_data=False)) == _scores(
        evaluate_drift(cur, ref, hash_data=False)
    )


@pytest.mark.parametrize("drift_profile", ["evidently", "native"])
def test_chunked_current_counts_merge_to_the_whole_window(drift_profile: str) -> None:
    ref, cur = edge_case_frames(1500, 5000, seed=5)
    profile = build_reference_profile(ref, max_exact_values=None, hash_data=False)
    whole = score_against_profile(cur, profile, profile=drift_profile, hash_data=False)
    bounds = [0, 7, 1000, 1001, 3333, 5000]
    chunks = [cur.iloc[a:b] for a, b in itertools.pairwise(bounds)]
    merged = score_against_profile(CurrentCounts.from_batches(chunks), profile, profile=drift_profile)
    assert _scores(merged) == _scores(whole)
    assert merged.dataset.rows == len(cur)


def test_arrow_batches_count_like_pandas() -> None:
    ref, cur = edge_case_frames(800, 2000, seed=6)
    cur = cur.drop(columns=["pd_category"])  # Arrow dictionaries are categories too; compared separately
    table = pa.Table.from_pandas(cur, preserve_index=False)
    profile = build_reference_profile(
        ref.drop(columns=["pd_category"]), max_exact_values=None, hash_data=False
    )
    from_arrow = CurrentCounts.from_batches(table.to_batches(max_chunksize=333))
    assert _scores(score_against_profile(from_arrow, profile, profile="evidently")) == _scores(
        score_against_profile(cur, profile, profile="evidently", hash_data=False)
    )


_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.0, 1.0, 1.5, -2.0]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ref=st.lists(_values, min_size=5, max_size=60),
    cur=st.lists(_values, min_size=5, max_size=60),
    cut=st.integers(min_value=0, max_value=60),
    labels=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=5, max_size=60),
)
def test_merge_of_partial_counts_equals_whole_counts(ref, cur, cut, labels) -> None:
    n = min(len(cur), len(labels))
    current = {"x": np.asarray(cur[:n], dtype=np.float64), "s": np.asarray(labels[:n], dtype=object)}
    reference = {
        "x": np.asarray(ref, dtype=np.float64),
        "s": np.resize(np.asarray(labels, dtype=object), len(ref)),
    }
    cut = min(cut, n)
    parts = [{k: v[:cut] for k, v in current.items()}, {k: v[cut:] for k, v in current.items()}]
    whole = CurrentCounts.from_data(current)
    merged = CurrentCounts.from_batches(parts)
    for name in ("x", "s"):
        a, b = whole.columns[name].counts, merged.columns[name].counts
        assert a.values.tolist() == b.values.tolist()
        assert a.counts.tolist() == b.counts.tolist()
        assert (a.n, a.n_null, a.n_posinf, a.n_neginf) == (b.n, b.n_null, b.n_posinf, b.n_neginf)
    profile = build_reference_profile(reference, max_exact_values=None, hash_data=False)
    for drift_profile in ("native", "evidently"):
        r1 = score_against_profile(whole, profile, profile=drift_profile)
        r2 = score_against_profile(merged, profile, profile=drift_profile)
        assert json.dumps(r1.to_dict()["columns"]) == json.dumps(r2.to_dict()["columns"])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_ref=st.integers(30, 1500), n_cur=st.integers(30, 1500))
def test_scores_do_not_depend_on_row_order(seed: int, n_ref: int, n_cur: int) -> None:
    rng = np.random.default_rng(seed)
    ref = {"x": rng.normal(0, 1, n_ref).round(2), "k": rng.integers(0, 4, n_ref)}
    cur = {"x": rng.normal(0.2, 1, n_cur).round(2), "k": rng.integers(0, 5, n_cur)}
    perm = rng.permutation(n_cur)
    shuffled = {k: v[perm] for k, v in cur.items()}
    for drift_profile in ("native", "evidently"):
        a = _scores(evaluate_drift(cur, ref, profile=drift_profile, hash_data=False))
        b = _scores(evaluate_drift(shuffled, ref, profile=drift_profile, hash_data=False))
        for name in a:
            assert a[name][0] == b[name][0] and a[name][2] == b[name][2]
            assert a[name][1] == pytest.approx(b[name][1], rel=1e-12, abs=1e-15)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 3000))
def test_identical_windows_show_no_drift(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    data = {
        "x": rng.normal(0, 1, n),
        "k": rng.integers(0, 3, n),
        "s": rng.choice(np.array(["p", "q"], object), n),
    }
    for drift_profile in ("native", "evidently"):
        result = evaluate_drift(data, data, profile=drift_profile, hash_data=False)
        assert result.dataset_drift is False
        for entry in result.columns:
            assert entry["drift"] is False
            if entry["score_kind"] != "p_value":
                assert entry["score"] == pytest.approx(0.0, abs=1e-12)


def test_inputs_from_pandas_polars_arrow_and_files_agree(tmp_path) -> None:
    pl = pytest.importorskip("polars")
    ref, cur = edge_case_frames(1200, 900, seed=12)
    keep = ["float_normal", "float_rounded", "int_wide", "int_u5", "str_cat", "bool", "float_inf_nan"]
    ref, cur = ref[keep], cur[keep]
    expected = _scores(evaluate_drift(cur, ref, profile="evidently", hash_data=False))
    as_arrow = _scores(
        evaluate_drift(
            pa.Table.from_pandas(cur, preserve_index=False),
            pa.Table.from_pandas(ref, preserve_index=False),
            profile="evidently",
            hash_data=False,
        )
    )
    as_polars = _scores(
        evaluate_drift(pl.from_pandas(cur), pl.from_pandas(ref), profile="evidently", hash_data=False)
    )
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(cur, preserve_index=False), tmp_path / "cur.parquet")
    pq.write_table(pa.Table.from_pandas(ref, preserve_index=False), tmp_path / "ref.parquet")
    from_files = evaluate_drift(tmp_path / "cur.parquet", tmp_path / "ref.parquet", profile="evidently")
    assert as_arrow == expected
    # polars writes NaN as NaN (not null) and ±inf as is, so cleaning gives the same values
    assert as_polars == expected
    assert _scores(from_files) == expected
    assert from_files.dataset.sha256_of == "file-bytes"
    assert from_files.extra["reference_dataset"]["sha256"]


def test_profile_refuses_unknown_columns_and_types() -> None:
    from steward.measure.errors import MeasureInputError

    data = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(MeasureInputError, match="unknown column"):
        build_reference_profile(data, columns=["b"], hash_data=False)
    with pytest.raises(MeasureInputError, match="must be one of"):
        build_reference_profile(data, column_types={"a": "ordinal"}, hash_data=False)
    with pytest.raises(MeasureInputError, match="schema"):
        ReferenceProfile.from_dict({"schema": "other"})
