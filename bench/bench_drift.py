"""Drift benchmark: Steward ``evaluate_drift`` against Evidently 0.7.23 ``DataDriftPreset`` on the same data.

One command (from the repository root)::

    .venv/bin/python bench/bench_drift.py                       # Steward 1M x 100; both at 300k x 30
    .venv/bin/python bench/bench_drift.py --evidently-full      # also Evidently at 1M x 100 (very slow)
    .venv/bin/python bench/bench_drift.py --quick               # 50k x 20, a smoke run

Every measurement runs in its own subprocess that builds the same seeded reference and current frames
(``n`` rows each, mixed column types), so timings and peak memory are not polluted by earlier runs. Peak
memory is the process's high-water mark (VmHWM, reset through /proc/self/clear_refs after the data are
built) minus the resident size before the data were built; ``data`` is the size of the two frames' column
buffers (pandas ``memory_usage(deep=False)``) and ``input RSS`` the resident growth caused by building them
(freed heap is returned to the OS with ``malloc_trim`` before both readings). Evidently and Steward's
``evidently`` profile are also compared column by column at every size where both ran (test choice, score,
dataset share). Results go to stdout as Markdown and to ``bench/results/drift-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# Column mix per 100 columns; scaled for other widths. Mirrors prediction-log features: mostly numbers.
MIX = [
    ("float_normal", 40),
    ("float_rounded", 15),
    ("int_wide", 15),
    ("int_levels", 10),
    ("string_cat", 12),
    ("bool", 5),
    ("float_missing_inf", 3),
]


def column_kinds(n_cols: int) -> list[str]:
    kinds: list[str] = []
    for kind, per_100 in MIX:
        kinds += [kind] * max(1, round(per_100 * n_cols / 100))
    while len(kinds) > n_cols:
        kinds.pop(0)  # trim float_normal first so every kind stays represented
    while len(kinds) < n_cols:
        kinds.insert(0, "float_normal")
    return kinds


def make_frames(n: int, n_cols: int, seed: int = 20240601) -> tuple[Any, Any]:
    import pandas as pd

    kinds = column_kinds(n_cols)
    frames = []
    for side in (0, 1):
        rng = np.random.default_rng(seed + side)
        cols: dict[str, Any] = {}
        for j, kind in enumerate(kinds):
            # A third of the columns drift in the current frame.
            s = 0.15 if (side == 1 and j % 3 == 0) else 0.0
            name = f"c{j:03d}_{kind}"
            if kind == "float_normal":
                cols[name] = rng.normal(s, 1.0, n)
            elif kind == "float_rounded":
                cols[name] = np.round(rng.normal(s, 1.0, n), 1)
            elif kind == "int_wide":
                cols[name] = rng.integers(0, 1000 + int(s * 1000), n)
            elif kind == "int_levels":
                cols[name] = rng.integers(0, 8, n)
            elif kind == "string_cat":
                k = 5 + 5 * (j % 10)
                levels = np.array([f"level_{i}" for i in range(k)], dtype=object)
                p = np.linspace(1.0, 1.0 + 4 * s, k)
                cols[name] = levels[rng.choice(k, n, p=p / p.sum())]
            elif kind == "bool":
                cols[name] = rng.random(n) < 0.4 + s
            else:
                x = rng.normal(s, 1.0, n)
                x[rng.random(n) < 0.02] = np.nan
                x[rng.random(n) < 0.001] = np.inf
                cols[name] = x
        frames.append(pd.DataFrame(cols))
    return frames[0], frames[1]


# --------------------------------------------------------------------------------------------- child side


def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def _release_free_heap() -> None:
    # glibc keeps freed heap pages resident; without trimming, temporaries of the data generation would be
    # counted as input and later reused by the computation, hiding its real peak.
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")


def child(engine: str, n: int, n_cols: int, repeats: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    import warnings

    warnings.simplefilter("ignore")
    if engine == "evidently":
        from evidently import Report
        from evidently.presets import DataDriftPreset
    else:
        from steward.measure.drift import evaluate_drift
    import pandas as pd  # noqa: F401  (imported before the baseline so it is not counted as input)
    import scipy.stats  # noqa: F401

    _release_free_heap()
    before = _status_kb("VmRSS")
    ref, cur = make_frames(n, n_cols)
    _release_free_heap()
    input_kb = _status_kb("VmRSS") - before
    pandas_bytes = int(ref.memory_usage(deep=False).sum() + cur.memory_usage(deep=False).sum())
    times = []
    peak_kb = 0
    columns: dict[str, Any] = {}
    share = None
    for i in range(repeats):
        _reset_peak()
        t0 = time.perf_counter()
        if engine == "evidently":
            snap = Report([DataDriftPreset()]).run(cur, ref).dict()
        else:
            result = evaluate_drift(cur, ref, profile=engine.split(":")[1], hash_data=False)
        times.append(time.perf_counter() - t0)
        peak_kb = max(peak_kb, _status_kb("VmHWM") - before)
        if i == 0:
            if engine == "evidently":
                for m in snap["metrics"]:
                    c = m["config"]
                    if c["type"].endswith("ValueDrift"):
                        columns[c["column"]] = {
                            "test": c["method"],
                            "score": m["value"],
                            "threshold": c["threshold"],
                        }
                    else:
                        share = m["value"]["share"]
            else:
                columns = {
                    e["column"]: {"test": e["test"], "score": e["score"], "drift": e["drift"]}
                    for e in result.columns
                }
                share = result.share_drifted
            if engine == "evidently":
                del snap
            else:
                del result
    return {
        "engine": engine,
        "rows": n,
        "cols": n_cols,
        "seconds": times,
        "best_seconds": min(times),
        "input_mib": input_kb / 1024,
        "pandas_buffer_mib": pandas_bytes / 2**20,
        "peak_mib": peak_kb / 1024,
        "peak_over_input": peak_kb / input_kb if input_kb else None,
        "peak_over_data": peak_kb * 1024 / pandas_bytes if pandas_bytes else None,
        "share_drifted": share,
        "columns": columns,
    }


# -------------------------------------------------------------------------------------------- parent side


def run_child(
    engine: str, n: int, n_cols: int, repeats: int, max_load: float, timeout: float
) -> dict[str, Any]:
    for _ in range(60):
        load = os.getloadavg()[0]
        if load <= max_load:
            break
        print(f"  load {load:.2f} > {max_load}: waiting 20 s before {engine} {n}x{n_cols}", file=sys.stderr)
        time.sleep(20)
    load_before = os.getloadavg()
    cmd = [sys.executable, __file__, "--child", engine, str(n), str(n_cols), str(repeats)]
    print(f"  running {engine} at {n:,} x {n_cols} ...", file=sys.stderr, flush=True)
    wall = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{engine} child failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["load_before"] = load_before
    res["load_after"] = os.getloadavg()
    res["process_wall_seconds"] = time.perf_counter() - wall
    return res


_EVIDENTLY_NAMES = {
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
}


def compare(steward: dict[str, Any], evidently: dict[str, Any]) -> dict[str, Any]:
    worst = 0.0
    mismatched = []
    for name, theirs in evidently["columns"].items():
        mine = steward["columns"].get(name)
        if mine is None or mine["test"] != _EVIDENTLY_NAMES.get(theirs["test"]):
            mismatched.append(name)
            continue
        worst = max(worst, abs(mine["score"] - theirs["score"]) / max(1.0, abs(theirs["score"])))
    return {
        "columns_compared": len(evidently["columns"]),
        "test_mismatches": mismatched,
        "max_relative_score_difference": worst,
        "share_equal": steward["share_drifted"] == evidently["share_drifted"],
    }


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    versions = {p: md.version(p) for p in ("numpy", "scipy", "pandas", "pyarrow", "evidently")}
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(mem) / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| engine | rows x cols (each side) | best s | runs s | data MiB | input RSS MiB | peak MiB "
        "| peak/data | peak/input RSS | load before |"
    ]
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in report["runs"]:
        lines.append(
            f"| {r['engine']} | {r['rows']:,} x {r['cols']} | {r['best_seconds']:.2f} | "
            f"{', '.join(f'{s:.2f}' for s in r['seconds'])} | {r['pandas_buffer_mib']:.0f} | "
            f"{r['input_mib']:.0f} | {r['peak_mib']:.0f} | {r['peak_over_data']:.2f} | "
            f"{r['peak_over_input']:.2f} | {r['load_before'][0]:.2f} |"
        )
    lines.append("")
    for c in report["comparisons"]:
        lines.append(
            f"- {c['rows']:,} x {c['cols']}: Steward `evidently` profile {c['speedup']:.1f}x faster than "
            "Evidently "
            f"({c['columns_compared']} columns compared, test mismatches {c['test_mismatches'] or 'none'}, "
            f"max relative score difference {c['max_relative_score_difference']:.1e}, "
            f"share equal: {c['share_equal']})"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        engine, n, n_cols, repeats = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(child(engine, n, n_cols, repeats)))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("--evidently-rows", type=int, default=300_000)
    ap.add_argument("--evidently-cols", type=int, default=30)
    ap.add_argument("--evidently-full", action="store_true", help="also run Evidently at --rows x --cols")
    ap.add_argument("--quick", action="store_true", help="50k x 20 only")
    ap.add_argument("--repeats", type=int, default=3, help="Steward runs per size (best is reported)")
    ap.add_argument("--max-load", type=float, default=0.8, help="wait while the 1-min load is above this")
    ap.add_argument("--timeout", type=float, default=4 * 3600)
    args = ap.parse_args()

    sizes = [(args.evidently_rows, args.evidently_cols, True), (args.rows, args.cols, args.evidently_full)]
    if args.quick:
        sizes = [(50_000, 20, True)]
    report: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "runs": [],
        "comparisons": [],
    }
    for n, n_cols, with_evidently in sizes:
        stew = run_child("steward:evidently", n, n_cols, args.repeats, args.max_load, args.timeout)
        report["runs"].append(stew)
        report["runs"].append(
            run_child("steward:native", n, n_cols, args.repeats, args.max_load, args.timeout)
        )
        if with_evidently:
            ev = run_child("evidently", n, n_cols, 1, args.max_load, args.timeout)
            report["runs"].append(ev)
            cmp = compare(stew, ev)
            cmp.update(rows=n, cols=n_cols, speedup=ev["best_seconds"] / stew["best_seconds"])
            report["comparisons"].append(cmp)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"drift-{stamp}.json"
    slim = {**report, "runs": [{k: v for k, v in r.items() if k != "columns"} for r in report["runs"]]}
    path.write_text(json.dumps(slim, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["machine"], indent=2))
    print(markdown(report))
    print(f"\nresults: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
