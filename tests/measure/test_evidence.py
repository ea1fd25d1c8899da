"""The evidence record contract (steward.evidence/v1) and threshold checks."""

from __future__ import annotations

import json
import math

import pytest

from steward import __version__
from steward.measure.errors import MeasureInputError
from steward.measure.evidence import (
    SCHEMA,
    DatasetInfo,
    EvidenceResult,
    ThresholdSpec,
    load_thresholds,
    parse_thresholds,
)


def _fairness() -> EvidenceResult:
    return EvidenceResult(
        kind="fairness",
        profile="native",
        dataset=DatasetInfo(rows=10, sha256="ab" * 32, sha256_of="arrow-ipc"),
        parameters={"pos_label": 1},
        overall={"accuracy": 0.9, "precision": math.nan},
        by_group=[
            {"group": {"sex": "F"}, "count": 5, "accuracy": 0.8},
            {"group": {"sex": "M"}, "count": 5, "accuracy": 1.0},
        ],
        aggregates={"demographic_parity_difference": 0.2, "accuracy_ratio": 0.8},
        warnings=["precision undefined (no predicted positives)"],
    )


def test_record_has_contract_keys_and_omits_the_rest():
    d = _fairness().to_dict()
    assert d["schema"] == SCHEMA == "steward.evidence/v1"
    assert d["engine"] == {"name": "steward", "version": __version__}
    assert d["dataset"]["rows"] == 10 and len(d["dataset"]["sha256"]) == 64
    for key in (
        "kind",
        "profile",
        "parameters",
        "overall",
        "by_group",
        "aggregates",
        "checks",
        "passed",
        "warnings",
    ):
        assert key in d
    for key in ("columns", "dataset_drift", "share_drifted"):
        assert key not in d


def test_nan_is_written_as_null_and_named_in_warnings():
    text = _fairness().to_json()
    d = json.loads(text)  # strict JSON: Python's parser would accept NaN, so also check the text
    assert "NaN" not in text and "Infinity" not in text
    assert d["overall"]["precision"] is None
    assert any("overall.precision" in w for w in d["warnings"])


def test_checks_pass_fail_and_undefined():
    r = _fairness().apply_checks(
        parse_thresholds(
            {
                "checks": [
                    {"metric": "demographic_parity_difference", "max": 0.25},
                    {"metric": "accuracy", "min": 0.95},
                    {"metric": "precision", "min": 0.5},
                    {"metric": "accuracy", "group": {"sex": "M"}, "min": 0.99},
                ]
            }
        )
    )
    d = r.to_dict()
    assert [c["passed"] for c in d["checks"]] == [True, False, False, True]
    assert d["checks"][0] == {
        "metric": "demographic_parity_difference",
        "threshold": 0.25,
        "bound": "max",
        "value": 0.2,
        "passed": True,
    }
    assert d["passed"] is False
    assert any("undefined" in w for w in d["warnings"])


def test_a_check_on_an_unknown_metric_is_an_input_error():
    with pytest.raises(MeasureInputError, match="no_such_metric"):
        _fairness().apply_checks([ThresholdSpec(metric="no_such_metric", max=1)])


def test_no_checks_means_passed():
    assert _fairness().to_dict()["passed"] is True


def test_threshold_files_yaml_and_json(tmp_path):
    y = tmp_path / "t.yaml"
    y.write_text("checks:\n  - metric: accuracy\n    min: 0.8\n  - {metric: share_drifted, max: 0.3}\n")
    j = tmp_path / "t.json"
    j.write_text(json.dumps([{"metric": "accuracy", "min": 0.8, "max": 1}]))
    assert load_thresholds(y) == [ThresholdSpec("accuracy", min=0.8), ThresholdSpec("share_drifted", max=0.3)]
    assert load_thresholds(j) == [ThresholdSpec("accuracy", min=0.8, max=1.0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("checks: 3", "must be a list"),
        ("- {max: 1}", "'metric'"),
        ("- {metric: a}", "needs 'min' or 'max'"),
        ("- {metric: a, max: x}", "numbers"),
        ("- {metric: a, max: 1, typo: 2}", "unknown key"),
        ("checks: [", "cannot parse"),
    ],
)
def test_bad_threshold_files_give_one_line_reasons(tmp_path, text, message):
    f = tmp_path / "t.yaml"
    f.write_text(text)
    with pytest.raises(MeasureInputError, match=message) as info:
        load_thresholds(f)
    assert "\n" not in str(info.value)


def test_round_trip_through_json():
    r = _fairness()
    r.extra["confidence_intervals"] = {"level": 0.95}
    again = EvidenceResult.from_dict(json.loads(r.to_json()))
    assert again.to_dict() == r.to_dict()


def test_drift_shaped_record():
    r = EvidenceResult(
        kind="drift",
        profile="evidently",
        dataset=DatasetInfo(rows=3),
        columns=[
            {
                "column": "age",
                "type": "numerical",
                "test": "ks",
                "score": 0.01,
                "threshold": 0.05,
                "drift": True,
            }
        ],
        dataset_drift=False,
        share_drifted=0.25,
    )
    r.apply_checks([ThresholdSpec("share_drifted", max=0.2), ThresholdSpec("score", column="age", min=0.05)])
    d = r.to_dict()
    assert d["dataset_drift"] is False and d["share_drifted"] == 0.25
    assert "by_group" not in d and "overall" not in d
    assert [c["passed"] for c in d["checks"]] == [False, False]


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError):
        EvidenceResult(kind="vibes", profile="native", dataset=DatasetInfo(rows=0))
