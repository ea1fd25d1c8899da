"""``steward evaluate``: measurement evidence from the command line.

Serves ISO/IEC 42001 clause 9.1 and controls A.6.2.4, A.6.2.6 and A.7.4: people and CI pipelines produce
fairness, performance, drift and data-quality evidence records and get a pass/fail exit status against
declared acceptance criteria (``--thresholds``).

Exit status: 0 all checks passed (or none declared), 1 a threshold check failed, 2 bad input (one-line reason
on stderr), 3 an unexpected internal error (set ``STEWARD_DEBUG=1`` for the traceback).

Start-up cost matters here (the command runs in pipelines, often many times): this module imports only click
and the standard library; numpy, pyarrow and the engines are imported inside the commands that need them, and
Django is never imported.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .evidence import EvidenceResult

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
_PROGRESS_MIN_BYTES = 32 << 20  # below this a progress bar only adds noise

_json_option = click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False),
    help="Write the evidence record as JSON ('-' = stdout).",
)
_html_option = click.option(
    "--html", "html_out", type=click.Path(dir_okay=False), help="Write a self-contained offline HTML report."
)
_thresholds_option = click.option(
    "--thresholds",
    type=click.Path(dir_okay=False),
    help="YAML/JSON threshold file: checks with min/max bounds.",
)


@click.group(name="evaluate")
def evaluate() -> None:
    """Measure fairness, performance, drift or data quality and write an evidence record."""


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _split(values: str | None) -> list[str] | None:
    if values is None:
        return None
    out = [v.strip() for v in values.split(",") if v.strip()]
    return out or None


@contextlib.contextmanager
def _guard() -> Iterator[None]:
    """Turn engine errors into the exit-status contract."""
    from .errors import MeasureInputError

    try:
        yield
    except MeasureInputError as exc:
        _fail(str(exc).splitlines()[0] if str(exc) else "bad input")
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except Exception as exc:
        if os.environ.get("STEWARD_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        _fail(f"internal error: {type(exc).__name__}: {first}", EXIT_INTERNAL)


@contextlib.contextmanager
def _progress(source: str) -> Iterator[Callable[[int], None] | None]:
    try:
        size = Path(source).stat().st_size
    except OSError:
        size = 0
    if size < _PROGRESS_MIN_BYTES:
        yield None
        return
    with click.progressbar(length=size, label=f"reading {Path(source).name}", file=sys.stderr) as bar:
        yield bar.update


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "n/a" if value is None else ("yes" if value else "no")
    if isinstance(value, float):
        return "n/a" if value != value else f"{value:.4f}"
    return str(value)


def _summary(result: EvidenceResult, highlights: list[str]) -> str:
    d = result.to_dict()
    rows = d["dataset"]["rows"]
    lines = [f"{result.kind} evidence (profile {result.profile}) on {rows:,} rows"]
    if result.by_group is not None:
        lines[0] += f", {len(result.by_group)} groups"
    tables = [d.get("aggregates") or {}, d.get("overall") or {}]
    for key in highlights:
        for table in tables:
            if key in table and not isinstance(table[key], (dict, list)):
                lines.append(f"  {key:<40} {_fmt(table[key])}")
                break
    if result.columns is not None and result.kind == "drift":
        drifted = [c for c in result.columns if c.get("drift")]
        lines.append(
            f"  drifted columns: {len(drifted)} of {len(result.columns)} (share {_fmt(result.share_drifted)})"
        )
        if result.dataset_drift is not None:
            lines.append(f"  dataset drift: {_fmt(result.dataset_drift)}")
        for c in drifted[:10]:
            lines.append(
                f"    {c.get('column')}: {c.get('test')} score {_fmt(c.get('score'))}"
                f" (threshold {_fmt(c.get('threshold'))})"
            )
    if result.checks:
        failed = [c for c in result.checks if not c.passed]
        lines.append(f"checks: {len(result.checks) - len(failed)} passed, {len(failed)} failed")
        for check in failed:
            op = "<=" if check.bound == "max" else ">="
            where = f" [{check.column}]" if check.column else (f" {dict(check.group)}" if check.group else "")
            lines.append(
                f"  FAIL {check.metric}{where} = {_fmt(check.value)} (must be {op} {check.threshold:g})"
            )
    if d["warnings"]:
        lines.append(f"warnings: {len(d['warnings'])}")
        for w in d["warnings"][:5]:
            lines.append(f"  - {w}")
        if len(d["warnings"]) > 5:
            lines.append("  - ... (all in the JSON record)")
    return "\n".join(lines)


def _finish(
    result: EvidenceResult, json_out: str | None, html_out: str | None, highlights: list[str]
) -> None:
    """Write the record and report, print the summary, and exit with the contract's status."""
    if json_out == "-":
        click.echo(result.to_json())
    else:
        if json_out:
            result.write_json(json_out)
        click.echo(_summary(result, highlights))
    if html_out:
        from .report import render_html

        Path(html_out).write_text(render_html(result), encoding="utf-8")
    sys.exit(EXIT_OK if result.passed else EXIT_CHECK_FAILED)


def _load_mapping(path: str, what: str) -> dict[str, Any]:
    from .errors import MeasureInputError

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise MeasureInputError(f"cannot read {what} file {p}: {exc.strerror or exc}") from None
    if not text.strip():
        raise MeasureInputError(f"empty file: {p}")
    try:
        if p.suffix.lower() == ".json":
            obj = json.loads(text)
        else:
            import yaml

            obj = yaml.safe_load(text)
    except Exception as exc:
        raise MeasureInputError(f"cannot parse {what} file {p}: {str(exc).splitlines()[0]}") from None
    if not isinstance(obj, dict):
        raise MeasureInputError(f"{what} file {p} must contain a mapping")
    return obj


_FAIRNESS_HIGHLIGHTS = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "impact_ratio_min",
    "four_fifths_rule_passed",
    "mean_absolute_error_difference",
    "r2_difference",
]


@evaluate.command("fairness")
@click.argument("data")
@click.option("--target", required=True, help="Column with the true label (or value, for regression).")
@click.option("--prediction", required=True, help="Column with the predicted label (or value).")
@click.option("--sensitive", required=True, help="Sensitive feature column(s), comma separated.")
@click.option(
    "--score", default=None, help="Column with the probability of the positive label (ROC AUC, log loss)."
)
@click.option(
    "--pos-label", default=None, help="Value of the positive label (required unless labels are 0/1 or -1/1)."
)
@click.option("--weight", default=None, help="Column with sample weights.")
@click.option(
    "--task", type=click.Choice(["classification", "regression"]), default="classification", show_default=True
)
@click.option("--profile", type=click.Choice(["native", "fairlearn"]), default="native", show_default=True)
@click.option(
    "--method",
    type=click.Choice(["between_groups", "to_overall"]),
    default="between_groups",
    show_default=True,
)
@click.option(
    "--missing",
    type=click.Choice(["group", "drop", "error"]),
    default=None,
    help="Rows with a missing sensitive value: own group, dropped (counted), or refused. "
    "Default: group (native), error (fairlearn).",
)
@click.option("--min-group-size", type=click.IntRange(min=0), default=30, show_default=True)
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=0,
    help="Bootstrap replicates for confidence intervals.",
)
@click.option("--seed", type=int, default=None, help="Random seed for the bootstrap.")
@click.option("--ci-level", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True)
@_thresholds_option
@_json_option
@_html_option
def fairness_command(
    data: str,
    target: str,
    prediction: str,
    sensitive: str,
    score: str | None,
    pos_label: str | None,
    weight: str | None,
    task: str,
    profile: str,
    method: str,
    missing: str | None,
    min_group_size: int,
    bootstrap: int,
    seed: int | None,
    ci_level: float,
    thresholds: str | None,
    json_out: str | None,
    html_out: str | None,
) -> None:
    """Group fairness of predictions in DATA (CSV or Parquet)."""
    with _guard():
        from .evidence import load_thresholds

        specs = load_thresholds(thresholds) if thresholds else None
        features = _split(sensitive) or []
        with _progress(data) as on_progress:
            if task == "regression":
                from .fairness import evaluate_regression_fairness

                if score is not None or pos_label is not None:
                    raise _input_error("--score and --pos-label apply to classification only")
                result = evaluate_regression_fairness(
                    data,
                    y_true=target,
                    y_pred=prediction,
                    sensitive_features=features,
                    sample_weight=weight,
                    profile=profile,  # type: ignore[arg-type]
                    method=method,  # type: ignore[arg-type]
                    missing=missing,  # type: ignore[arg-type]
                    min_group_size=min_group_size,
                    bootstrap=bootstrap,
                    seed=seed,
                    ci_level=ci_level,
                    thresholds=specs,
                    on_progress=on_progress,
                )
            else:
                from .fairness import evaluate_fairness

                result = evaluate_fairness(
                    data,
                    y_true=target,
                    y_pred=prediction,
                    sensitive_features=features,
                    scores=score,
                    sample_weight=weight,
                    pos_label=pos_label,
                    profile=profile,  # type: ignore[arg-type]
                    method=method,  # type: ignore[arg-type]
                    missing=missing,  # type: ignore[arg-type]
                    min_group_size=min_group_size,
                    bootstrap=bootstrap,
                    seed=seed,
                    ci_level=ci_level,
                    thresholds=specs,
                    on_progress=on_progress,
                )
        _finish(result, json_out, html_out, _FAIRNESS_HIGHLIGHTS)


def _input_error(message: str) -> Exception:
    from .errors import MeasureInputError

    return MeasureInputError(message)


@evaluate.command("performance")
@click.argument("data")
@click.option("--target", required=True, help="Column with the true label or value.")
@click.option("--prediction", default=None, help="Column with the predicted label or value.")
@click.option("--score", default=None, help="Column with the probability of the positive label.")
@click.option(
    "--task", type=click.Choice(["classification", "regression"]), default="classification", show_default=True
)
@click.option(
    "--pos-label", default=None, help="Value of the positive label (required unless labels are 0/1 or -1/1)."
)
@click.option("--weight", default=None, help="Column with sample weights.")
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="Score threshold when --prediction is absent.",
)
@click.option(
    "--zero-division",
    type=float,
    default=None,
    help="Value for 0/0 precision/recall/F1 (default: profile's).",
)
@click.option("--profile", type=click.Choice(["native", "sklearn"]), default="native", show_default=True)
@_thresholds_option
@_json_option
@_html_option
def performance_command(
    data: str,
    target: str,
    prediction: str | None,
    score: str | None,
    task: str,
    pos_label: str | None,
    weight: str | None,
    threshold: float,
    zero_division: float | None,
    profile: str,
    thresholds: str | None,
    json_out: str | None,
    html_out: str | None,
) -> None:
    """Classification or regression performance of predictions in DATA (CSV or Parquet)."""
    with _guard():
        from .evidence import load_thresholds
        from .performance import evaluate_performance

        specs = load_thresholds(thresholds) if thresholds else None
        with _progress(data) as on_progress:
            result = evaluate_performance(
                data,
                y_true=target,
                y_pred=prediction,
                scores=score,
                task=task,  # type: ignore[arg-type]
                pos_label=pos_label,
                threshold=threshold,
                zero_division=zero_division,
                sample_weight=weight,
                profile=profile,  # type: ignore[arg-type]
                thresholds=specs,
                on_progress=on_progress,
            )
        highlights = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"]
        highlights += ["mean_absolute_error", "root_mean_squared_error", "r2"]
        _finish(result, json_out, html_out, highlights)


@evaluate.command("drift")
@click.argument("current")
@click.option("--reference", required=True, help="Reference data (CSV or Parquet).")
@click.option("--columns", default=None, help="Columns to compare, comma separated (default: all shared).")
@click.option("--profile", type=click.Choice(["native", "evidently"]), default="native", show_default=True)
@_thresholds_option
@_json_option
@_html_option
def drift_command(
    current: str,
    reference: str,
    columns: str | None,
    profile: str,
    thresholds: str | None,
    json_out: str | None,
    html_out: str | None,
) -> None:
    """Data drift of CURRENT against --reference, column by column."""
    with _guard():
        from .evidence import load_thresholds

        specs = load_thresholds(thresholds) if thresholds else None  # parse before the long computation
        from .drift import evaluate_drift

        result = evaluate_drift(current, reference, columns=_split(columns), profile=profile)
        if specs:
            result.apply_checks(specs)
        _finish(result, json_out, html_out, ["share_drifted"])


@evaluate.command("quality")
@click.argument("data")
@click.option(
    "--schema", "schema_path", default=None, help="YAML/JSON schema: types, ranges, allowed values."
)
@click.option("--reference", default=None, help="Reference data to compare with (CSV or Parquet).")
@_thresholds_option
@_json_option
@_html_option
def quality_command(
    data: str,
    schema_path: str | None,
    reference: str | None,
    thresholds: str | None,
    json_out: str | None,
    html_out: str | None,
) -> None:
    """Data quality of DATA: missing values, duplicates, constant columns, schema violations."""
    with _guard():
        from .evidence import load_thresholds

        specs = load_thresholds(thresholds) if thresholds else None
        schema = _load_mapping(schema_path, "schema") if schema_path else None
        from .quality import evaluate_quality

        result = evaluate_quality(data, schema=schema, reference=reference)
        if specs:
            result.apply_checks(specs)
        _finish(result, json_out, html_out, ["rows", "columns", "missing_share", "duplicate_rows"])


if __name__ == "__main__":
    evaluate()
