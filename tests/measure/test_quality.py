"""Data-quality evidence: counts against pandas, Evidently's constant definitions, schema rules as checks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.measure.errors import MeasureInputError
from steward.measure.quality import evaluate_quality, load_schema


def _frame(seed: int = 0, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 100, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    score = rng.random(n)
    score[:3] = [np.inf, -np.inf, np.nan]
    return pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(np.array(["F", "M", None], dtype=object), n, p=[0.48, 0.48, 0.04]),
            "score": score,
            "const": np.full(n, 3),
            "almost": np.where(np.arange(n) < 10, 1, 0),  # 97.5 % zeros
            "flag": rng.random(n) < 0.5,
            "joined": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        }
    )


def _checks(result, **match):
    return [c for c in result.checks if all(getattr(c, k) == v for k, v in match.items())]


def test_counts_match_pandas_without_a_schema() -> None:
    df = _frame()
    df = pd.concat([df, df.iloc[:7]], ignore_index=True)  # 7 duplicate rows
    result = evaluate_quality(df, hash_data=False)
    overall = result.overall
    assert overall["rows"] == len(df) and overall["columns"] == df.shape[1]
    assert overall["duplicate_rows"] == int(df.duplicated().sum()) == 7
    assert overall["missing_cells"] == int(df.isna().sum().sum())
    cols = {c["column"]: c for c in result.columns}
    for name in df.columns:
        assert cols[name]["missing"] == int(df[name].isna().sum()), name
        assert cols[name]["n_unique"] == int(df[name].nunique()), name
    assert cols["score"]["nonfinite"] == int(np.isinf(df["score"]).sum()) == 4 and cols["score"]["max"] < 1.0
    # Evidently's definitions: constant = nunique <= 1; almost constant = top count / rows >= 0.95
    for name in df.columns:
        assert cols[name]["constant"] == (df[name].nunique() <= 1), name
        assert cols[name]["almost_constant"] == (df[name].value_counts().max() / len(df) >= 0.95), name
    assert cols["joined"]["min"].startswith("2024-01-0")
    assert result.passed and [c.metric for c in result.checks] == ["rows"]


SCHEMA = {
    "rows": {"min": 10},
    "duplicates": {"max_share": 0.0},
    "columns": {
        "age": {"type": "integer", "min": 0, "max": 90, "nullable": False},
        "sex": {"type": "string", "allowed": ["F", "M"]},
        "score": {"type": "number", "min": 0, "max": 1, "max_missing_share": 0.01},
        "flag": {"type": "boolean"},
        "joined": {"type": "datetime", "min": "2024-01-01"},
        "id": {"type": "string", "unique": True},
        "optional": {"type": "number", "required": False},
    },
}


def test_each_schema_rule_becomes_a_check() -> None:
    df = _frame()
    result = evaluate_quality(df, schema=SCHEMA, hash_data=False)
    assert not result.passed
    failed = {(c.metric, c.column) for c in result.checks if not c.passed}
    assert failed == {
        ("missing_count", "age"),  # nullable: false, 5 % NaN
        ("max", "age"),  # ages up to 99 > 90
        ("min", "score"),  # -inf
        ("max", "score"),  # +inf
        ("column_present", "id"),
    }
    passed = {(c.metric, c.column) for c in result.checks if c.passed}
    assert {("type_violations", "age"), ("disallowed_values", "sex"), ("missing_share", "score")} <= passed
    assert ("rows", None) in passed and ("duplicate_row_share", None) in passed
    cols = {c["column"]: c for c in result.columns}
    assert cols["age"]["above_max"] == int((df["age"] > 90).sum())
    assert cols["score"]["below_min"] == 1 and cols["score"]["above_max"] == 1
    assert any("optional column 'optional'" in w for w in result.warnings)


def test_type_violations_are_counted_per_value() -> None:
    data = {
        "int_as_float": np.array([1.0, 2.0, 2.5, np.nan, np.inf]),
        "mixed": np.array(["a", 1, 2.5, None, True], dtype=object),
        "strings_for_number": np.array(["1", "2", "x", None, None], dtype=object),
        "bools": np.array([True, False, True, True, False]),
    }
    schema = {
        "columns": {
            "int_as_float": {"type": "integer"},
            "mixed": {"type": "string"},
            "strings_for_number": {"type": "number"},
            "bools": {"type": "integer"},
        }
    }
    cols = {c["column"]: c for c in evaluate_quality(data, schema=schema, hash_data=False).columns}
    assert cols["int_as_float"]["type_violations"] == 2  # 2.5 and inf
    assert cols["mixed"]["type_violations"] == 3  # 1, 2.5, True
    assert cols["strings_for_number"]["type_violations"] == 3
    assert cols["bools"]["type_violations"] == 5  # booleans are not integers


def test_allowed_values_and_unique_ids() -> None:
    data = {
        "sex": np.array(["F", "M", "X", None, "F"], object),
        "id": np.array(["a", "b", "b", "c", "d"], object),
    }
    schema = {"columns": {"sex": {"allowed": ["F", "M"]}, "id": {"unique": True}}}
    result = evaluate_quality(data, schema=schema, hash_data=False)
    assert _checks(result, metric="disallowed_values")[0].value == 1.0
    assert _checks(result, metric="duplicate_values")[0].value == 1.0
    assert not result.passed


def test_reference_comparison_reports_shares_and_fails_on_lost_columns() -> None:
    ref = _frame(1, 400)
    cur = _frame(2, 200).drop(columns=["flag"])
    cur.loc[:99, "age"] = np.nan
    schema = {"reference": {"max_row_count_change": 0.3, "max_missing_share_increase": 0.1}}
    result = evaluate_quality(cur, schema=schema, reference=ref, hash_data=False)
    block = result.extra["reference"]
    assert block["rows"] == 400 and block["row_count_change"] == -0.5
    assert block["columns_missing"] == ["flag"]
    failed = {(c.metric, c.column) for c in result.checks if not c.passed}
    assert failed == {
        ("columns_missing_vs_reference", None),
        ("row_count_change", None),
        ("missing_share_increase", "age"),
    }
    age = next(c for c in result.columns if c["column"] == "age")
    assert age["missing_share_change"] == pytest.approx(cur["age"].isna().mean() - ref["age"].isna().mean())


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([0.0, 1.0, np.nan, -0.0]),
            st.sampled_from(["a", "b", None]),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_duplicate_rows_and_missing_agree_with_pandas(rows) -> None:
    df = pd.DataFrame(rows, columns=["x", "s", "k"])
    overall = evaluate_quality(df, hash_data=False).overall
    assert overall["duplicate_rows"] == int(df.duplicated().sum())
    assert overall["missing_cells"] == int(df.isna().sum().sum())


def test_arrow_and_pandas_inputs_agree() -> None:
    df = _frame(5).drop(columns=["joined"])
    a = evaluate_quality(df, schema={"columns": {"age": {"min": 0}}}, hash_data=False).to_dict()
    b = evaluate_quality(
        pa.Table.from_pandas(df, preserve_index=False),
        schema={"columns": {"age": {"min": 0}}},
        hash_data=False,
    ).to_dict()
    strip = ("type",)  # dtype classes differ by container only for object vs Arrow string columns
    for x, y in zip(a["columns"], b["columns"], strict=True):
        assert {k: v for k, v in x.items() if k not in strip} == {
            k: v for k, v in y.items() if k not in strip
        }
    assert a["overall"] == b["overall"]


def test_schema_file_and_validation(tmp_path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text("columns:\n  age: {type: integer, min: 0, max: 120, nullable: false}\n", encoding="utf-8")
    assert load_schema(path)["columns"]["age"]["max"] == 120
    (tmp_path / "s.json").write_text(json.dumps({"columns": {"a": {"type": "number"}}}), encoding="utf-8")
    assert load_schema(tmp_path / "s.json")["columns"]["a"]["type"] == "number"
    with pytest.raises(MeasureInputError, match="unknown key"):
        load_schema({"columns": {"age": {"kind": "integer"}}})
    with pytest.raises(MeasureInputError, match="type must be one of"):
        load_schema({"columns": {"age": {"type": "int"}}})
    with pytest.raises(MeasureInputError, match="unknown key"):
        load_schema({"colums": {}})
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(MeasureInputError, match="empty file"):
        load_schema(tmp_path / "empty.yaml")


def test_the_record_follows_the_evidence_contract() -> None:
    doc = json.loads(evaluate_quality(_frame(), schema=SCHEMA).to_json())
    assert doc["kind"] == "data_quality" and doc["dataset"]["sha256"]
    assert doc["passed"] is False and all({"metric", "threshold", "passed"} <= set(c) for c in doc["checks"])
    assert "dataset_drift" not in doc and "by_group" not in doc
