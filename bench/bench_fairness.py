"""Benchmark: Steward's fairness engine against Fairlearn's MetricFrame, in the same run on the same data.

Run from the repository root::

    .venv/bin/python bench/bench_fairness.py                 # full run (about 6-7 minutes on 2 cores)
    .venv/bin/python bench/bench_fairness.py --quick         # 200k rows, smoke test (about 1 minute)
    .venv/bin/python bench/bench_fairness.py --max-load 1.3  # wait for a quiet machine before each section

Case (issue 4): 1,000,000 rows, 3 sensitive features (8 x 5 x 5 = 200 intersections), 10 metrics (selection
rate, TPR, TNR, FPR, FNR, accuracy, balanced accuracy, precision, recall, F1), with and without a
1,000-replicate percentile bootstrap. Fairlearn's bootstrap re-runs the whole MetricFrame per replicate, so
it is timed with ``--fairlearn-boot`` replicates (default 2) and extrapolated linearly to 1,000:
``T(0) + 1000 * (T(k) - T(0)) / k``. Peak memory is measured in fresh subprocesses (Linux ``VmHWM`` after
resetting it through ``/proc/self/clear_refs``) for several input sizes.

The script prints a Markdown report; ``--markdown FILE`` also writes it to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

LEVELS = {"region": 8, "age_band": 5, "sex": 5}  # 8 x 5 x 5 = 200 intersections


def make_data(rows: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Prediction log with group-dependent base and selection rates; sensitive values are strings."""
    rng = np.random.default_rng(seed)
    codes = {name: rng.integers(0, k, rows) for name, k in LEVELS.items()}
    data: dict[str, np.ndarray] = {}
    for name, c in codes.items():
        labels = np.array([f"{name}_{i}" for i in range(LEVELS[name])], dtype=object)
        data[name] = labels[c]  # object array of shared str objects, like a pandas column
    base = 0.3 + 0.04 * codes["region"] / 7 + 0.05 * codes["age_band"] / 4
    y = (rng.random(rows) < base).astype(np.int64)
    hit = rng.random(rows) < np.where(y == 1, 0.75 - 0.02 * codes["sex"], 0.2 + 0.01 * codes["sex"])
    data["y"] = y
    data["yhat"] = hit.astype(np.int64)
    return data


def machine() -> dict[str, str]:
    import fairlearn
    import pandas
    import pyarrow
    import sklearn

    import steward

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pyarrow": pyarrow.__version__,
        "pandas": pandas.__version__,
        "scikit-learn": sklearn.__version__,
        "fairlearn": fairlearn.__version__,
        "steward": steward.__version__,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fairlearn_metrics() -> dict:
    import sklearn.metrics as skm
    from fairlearn import metrics as flm

    return {
        "selection_rate": flm.selection_rate,
        "true_positive_rate": flm.true_positive_rate,
        "true_negative_rate": flm.true_negative_rate,
        "false_positive_rate": flm.false_positive_rate,
        "false_negative_rate": flm.false_negative_rate,
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "precision": skm.precision_score,
        "recall": skm.recall_score,
        "f1": skm.f1_score,
    }


def run_fairlearn(data: dict[str, np.ndarray], n_boot: int | None = None):
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    sens = pd.DataFrame({k: data[k] for k in LEVELS})
    start = time.perf_counter()
    kwargs = {"n_boot": n_boot, "ci_quantiles": [0.025, 0.975], "random_state": 0} if n_boot else {}
    mf = MetricFrame(
        metrics=fairlearn_metrics(), y_true=data["y"], y_pred=data["yhat"], sensitive_features=sens, **kwargs
    )
    # The aggregates Steward reports as well.
    mf.group_min(), mf.group_max(), mf.difference(), mf.ratio()
    mf.difference(method="to_overall"), mf.ratio(method="to_overall")
    return time.perf_counter() - start, mf


def run_steward(
    data: dict[str, np.ndarray], *, bootstrap: int = 0, profile: str = "native", hash_data: bool = True
):
    from steward.measure.fairness import evaluate_fairness

    start = time.perf_counter()
    result = evaluate_fairness(
        y_true=data["y"],
        y_pred=data["yhat"],
        sensitive_features={k: data[k] for k in LEVELS},
        bootstrap=bootstrap,
        seed=1,
        profile=profile,  # type: ignore[arg-type]
        hash_data=hash_data,
    )
    return time.perf_counter() - start, result


def wait_for_quiet(max_load: float | None, timeout: float = 900.0) -> str:
    """Wait until the 1-minute load average is below ``max_load`` (other jobs skew wall-clock timings)."""
    start = time.monotonic()
    while max_load is not None and os.getloadavg()[0] > max_load and time.monotonic() - start < timeout:
        time.sleep(10)
    return f"{os.getloadavg()[0]:.2f}"


def best_of(fn, repeat: int):
    times, last = [], None
    for _ in range(repeat):
        t, last = fn()
        times.append(t)
    return min(times), last


def max_difference(result, mf) -> float:
    """Largest |Steward − Fairlearn| over all by_group values (fairlearn profile)."""
    worst = 0.0
    rows = result.to_dict()["by_group"]
    for row, (_, ref) in zip(rows, mf.by_group.iterrows(), strict=True):
        for m in fairlearn_metrics():
            a, b = row[m], float(ref[m])
            if a is None or np.isnan(b):
                if not (a is None and np.isnan(b)):
                    return float("inf")
                continue
            worst = max(worst, abs(a - b))
    return worst


# ------------------------------------------------------------------------------------------------ memory

_CHILD = r"""
import json, os, sys, time
import pyarrow.parquet as pq
from steward.measure.fairness import evaluate_fairness

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    return 0

mode, path, replicates = sys.argv[1], sys.argv[2], int(sys.argv[3])
cols = dict(y_true="y", y_pred="yhat", sensitive_features=["region", "age_band", "sex"])
warm = pq.ParquetFile(path).iter_batches(batch_size=1000)
evaluate_fairness(next(warm), **cols, bootstrap=10)  # warm-up: imports and first-call allocations
table = pq.read_table(path) if mode == "table" else None  # streaming never holds the whole input
base = rss("VmRSS:")
try:
    open("/proc/self/clear_refs", "w").write("5")  # reset VmHWM to the current RSS
    reset = True
except OSError:
    reset = False
t = time.perf_counter()
evaluate_fairness(table if mode == "table" else path, **cols, bootstrap=replicates, seed=1)
elapsed = time.perf_counter() - t
print(json.dumps({"base": base, "peak": rss("VmHWM:"), "reset": reset, "seconds": elapsed}))
"""


def measure_memory(rows: int, tmp: Path, replicates: int) -> list[dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = make_data(rows, seed=2)
    table = pa.table({k: pa.array(v) for k, v in data.items()})
    input_bytes = table.nbytes
    path = tmp / f"log_{rows}.parquet"
    pq.write_table(table, path)
    del data, table
    out = []
    for mode, boot in (("table", 0), ("table", replicates), ("stream", replicates)):
        # The system allocator hands freed blocks back to the OS, so the peak reflects this evaluation rather
        # than memory an arena pool kept from earlier work.
        env = dict(os.environ, ARROW_DEFAULT_MEMORY_POOL="system")
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, mode, str(path), str(boot)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        res = json.loads(done.stdout.strip().splitlines()[-1])
        res.update(mode=mode, bootstrap=boot, input_bytes=input_bytes, file_bytes=path.stat().st_size)
        out.append(res)
    return out


# ------------------------------------------------------------------------------------------------ report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--replicates", type=int, default=1000, help="Steward bootstrap replicates")
    parser.add_argument(
        "--fairlearn-boot", type=int, default=2, help="Fairlearn replicates timed, then extrapolated"
    )
    parser.add_argument("--repeat", type=int, default=3, help="Steward timings: best of N")
    parser.add_argument("--memory-sizes", default="250000,1000000,4000000")
    parser.add_argument("--skip-fairlearn", action="store_true")
    parser.add_argument(
        "--max-load",
        type=float,
        default=None,
        help="Before each timed section wait until load average < this",
    )
    parser.add_argument(
        "--quick", action="store_true", help="200k rows, 1 Fairlearn replicate, small memory sizes"
    )
    parser.add_argument("--markdown", type=Path, help="Also write the report to this file")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.fairlearn_boot, args.memory_sizes = 200_000, 1, "100000,400000"
    warnings.filterwarnings("ignore")

    lines: list[str] = []

    def emit(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    info = machine()
    emit("### Fairness benchmark: Steward vs Fairlearn MetricFrame (same run)")
    emit()
    emit("Command: `.venv/bin/python bench/bench_fairness.py" + (" --quick" if args.quick else "") + "`")
    emit()
    emit("| machine | |")
    emit("|---|---|")
    for k, v in info.items():
        emit(f"| {k} | {v} |")
    emit()
    data = make_data(args.rows)
    groups = int(np.prod(list(LEVELS.values())))
    emit(
        f"Data: {args.rows:,} rows, 3 sensitive features ({' x '.join(map(str, LEVELS.values()))} = {groups} "
        "intersections, string values in object arrays), binary y and y_hat; 10 metrics."
    )
    emit()

    run_steward({k: v[:1000] for k, v in data.items()})  # warm-up: imports, first-call allocations
    loads = {"steward": wait_for_quiet(args.max_load)}
    t_native, _ = best_of(lambda: run_steward(data), args.repeat)
    t_nohash, _ = best_of(lambda: run_steward(data, hash_data=False), args.repeat)
    t_fl_profile, fl_profile_result = best_of(lambda: run_steward(data, profile="fairlearn"), args.repeat)
    t_boot, _ = best_of(lambda: run_steward(data, bootstrap=args.replicates), args.repeat)
    t_boot_nohash, _ = best_of(
        lambda: run_steward(data, bootstrap=args.replicates, hash_data=False), args.repeat
    )

    emit("| run | seconds | vs Fairlearn |")
    emit("|---|---:|---:|")
    if not args.skip_fairlearn:
        loads["fairlearn"] = wait_for_quiet(args.max_load)
        t_fl, mf = run_fairlearn(data)
        diff = max_difference(fl_profile_result, mf)
        t_fl_k, _ = run_fairlearn(data, n_boot=args.fairlearn_boot)
        per_rep = max(t_fl_k - t_fl, 0.0) / args.fairlearn_boot
        t_fl_boot = t_fl + args.replicates * per_rep
        emit(f"| Fairlearn MetricFrame, no bootstrap | {t_fl:.1f} | 1x |")
        emit(
            f"| Fairlearn, {args.replicates} bootstrap replicates (extrapolated from {args.fairlearn_boot}: "
            f"{t_fl_k:.1f} s measured, {per_rep:.1f} s per replicate) | {t_fl_boot:,.0f} | 1x |"
        )
    else:
        t_fl = t_fl_boot = float("nan")
        diff = float("nan")
    emit(
        f"| Steward native profile (default, with dataset SHA-256) | {t_native:.3f} | "
        f"{t_fl / t_native:,.0f}x faster |"
    )
    emit(f"| Steward native profile, hash_data=False | {t_nohash:.3f} | {t_fl / t_nohash:,.0f}x faster |")
    emit(f"| Steward fairlearn profile | {t_fl_profile:.3f} | {t_fl / t_fl_profile:,.0f}x faster |")
    emit(
        f"| Steward, {args.replicates} bootstrap replicates (with SHA-256) | {t_boot:.3f} | "
        f"{t_fl_boot / t_boot:,.0f}x faster |"
    )
    emit(
        f"| Steward, {args.replicates} bootstrap replicates, hash_data=False | {t_boot_nohash:.3f} | "
        f"{t_fl_boot / t_boot_nohash:,.0f}x faster |"
    )
    emit()
    emit(f"Largest |Steward fairlearn profile − Fairlearn| over all per-group values: {diff:.3g}")
    emit()
    emit(
        "1-minute load average when each timed section started: "
        + ", ".join(f"{k} {v}" for k, v in loads.items())
    )
    emit()

    sizes = [int(s) for s in args.memory_sizes.split(",") if s]
    if sizes:
        emit(
            "Peak memory of `evaluate_fairness` (fresh process per line, Linux VmHWM reset before the call):"
        )
        emit()
        emit(
            "| rows | input (Arrow, MB) | Parquet file (MB) | input held as | bootstrap "
            "| process RSS before (MB) "
            "| process peak (MB) | extra peak (MB) | extra / input | seconds |"
        )
        emit("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
        with tempfile.TemporaryDirectory() as tmp:
            for rows in sizes:
                wait_for_quiet(args.max_load)
                for r in measure_memory(rows, Path(tmp), args.replicates):
                    extra = max(r["peak"] - r["base"], 0)
                    held = "Arrow table in memory" if r["mode"] == "table" else "streamed from Parquet"
                    note = "" if r["reset"] else " (no reset: lifetime peak)"
                    emit(
                        f"| {rows:,} | {r['input_bytes'] / 1e6:.1f} | {r['file_bytes'] / 1e6:.1f} "
                        f"| {held}{note} | {r['bootstrap']} | {r['base'] / 1e6:.0f} | {r['peak'] / 1e6:.0f} "
                        f"| {extra / 1e6:.1f} | "
                        f"{extra / r['input_bytes']:.2f} | {r['seconds']:.2f} |"
                    )
        emit()
        emit(
            "'extra peak' = peak minus the resident memory just before the call "
            "(imports done; in-memory input "
            "already loaded). For in-memory input, total / input = 1 + extra / input."
        )
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
