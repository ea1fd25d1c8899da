"""Self-contained HTML report of an evidence record (``steward evaluate ... --html``).

Serves ISO/IEC 42001 clause 9.1 (results must be analysed and evaluated, and communicated, 7.4) and the
controls whose evidence it shows (A.6.2.4, A.6.2.6, A.7.4): a reviewer without Python can read the record.

One HTML file with inline CSS and inline SVG drawn here: no scripts, no external fonts, styles or images,
so it opens offline and can be archived with the evidence. Only aggregates are drawn (per-group values,
per-column scores, binned distributions), so the file stays small whatever the number of rows.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .evidence import EvidenceResult

_MAX_BARS = 60  # beyond this a chart stops being readable; the full list is in the table
_MAX_TABLE_ROWS = 500
_MAX_HISTOGRAMS = 40

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:0;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
h3{font-size:14px;margin:18px 0 6px}
.meta{color:#4a5263;font-size:13px}.meta code{font-size:12px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;font-size:13px;color:#fff}
.pass{background:#1f7a3d}.fail{background:#b42318}
table{border-collapse:collapse;background:#fff;font-size:12.5px;margin:6px 0;max-width:100%}
th,td{border:1px solid #e1e4ea;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#eef0f4;text-align:left}td.l{text-align:left}
.scroll{overflow-x:auto}
.warn{background:#fff8e6;border-left:4px solid #e0a100;padding:6px 10px;margin:4px 0;font-size:13px}
svg{background:#fff;border:1px solid #e1e4ea;margin:6px 0}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
.grid{display:flex;flex-wrap:wrap;gap:10px}
footer{color:#6b7385;font-size:12px;margin-top:30px}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.4e}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value[:12]) + (", ..." if len(value) > 12 else "") + "]"
    return str(value)


def _group_label(group: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={'(missing)' if v is None else v}" for k, v in group.items())


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return "<p class='meta'>(none)</p>"
    if columns is None:
        seen: dict[str, None] = {}
        for r in rows[:_MAX_TABLE_ROWS]:
            for k in r:
                seen.setdefault(k, None)
        columns = list(seen)
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = []
    for r in rows[:_MAX_TABLE_ROWS]:
        cells = []
        for c in columns:
            v = r.get(c)
            text = _group_label(v) if c == "group" and isinstance(v, Mapping) else _fmt(v)
            cls = " class='l'" if isinstance(v, (str, Mapping)) or c in ("group", "column") else ""
            cells.append(f"<td{cls}>{_esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(rows) > _MAX_TABLE_ROWS:
        more = f"<p class='meta'>{len(rows) - _MAX_TABLE_ROWS} more rows are in the JSON record.</p>"
    return f"<div class='scroll'><table><tr>{head}</tr>{''.join(body)}</table></div>{more}"


def _kv_table(mapping: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{_esc(k)}</th><td class='l'>{_esc(_fmt(v))}</td></tr>" for k, v in mapping.items()
    )
    return f"<div class='scroll'><table>{rows}</table></div>"


def hbar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Any],
    *,
    intervals: Sequence[Sequence[Any] | None] | None = None,
    reference: float | None = None,
    reference_label: str = "overall",
    markers: Sequence[Any] | None = None,
    flags: Sequence[bool] | None = None,
) -> str:
    """Horizontal bars as inline SVG: one per label, optional CI whiskers, reference line and markers."""
    n = min(len(labels), _MAX_BARS)
    label_w, plot_w, row_h, top = 190, 270, 18, 30
    height = top + n * row_h + 28
    nums = [_num(v) for v in values[:n]]
    extent = [x for x in nums if x is not None]
    for iv in (intervals or [])[:n]:
        if iv:
            extent.extend(x for x in (_num(iv[0]), _num(iv[1])) if x is not None)
    extent.extend(x for x in (_num(m) for m in (markers or [])[:n]) if x is not None)
    if reference is not None and _num(reference) is not None:
        extent.append(float(reference))
    lo = min([0.0, *extent])
    hi = max([0.0, *extent]) or 1.0
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return label_w + (v - lo) / span * plot_w

    parts = [
        f"<svg width='{label_w + plot_w + 75}' height='{height}' role='img' aria-label='{_esc(title)}'>",
        f"<text x='8' y='18' style='font-weight:600;font-size:12px'>{_esc(title)}</text>",
        f"<line x1='{x(0):.1f}' y1='{top - 4}' x2='{x(0):.1f}' y2='{top + n * row_h}' stroke='#9aa1ad'/>",
    ]
    for i in range(n):
        y = top + i * row_h
        label = labels[i] if len(labels[i]) <= 30 else labels[i][:29] + "…"
        parts.append(f"<text x='{label_w - 6}' y='{y + 12}' text-anchor='end'>{_esc(label)}</text>")
        v = nums[i]
        if v is None:
            parts.append(f"<text x='{x(0) + 4:.1f}' y='{y + 12}' fill='#6b7385'>n/a</text>")
            continue
        x0, x1 = sorted((x(0), x(v)))
        colour = "#b42318" if flags and flags[i] else "#3b6fb6"
        parts.append(
            f"<rect x='{x0:.1f}' y='{y + 3}' width='{max(x1 - x0, 0.8):.1f}' height='{row_h - 6}'"
            f" fill='{colour}'>"
            f"<title>{_esc(labels[i])}: {_esc(_fmt(v))}</title></rect>"
        )
        iv = intervals[i] if intervals and i < len(intervals) else None
        text_x = max(x1, x(0))
        if iv and _num(iv[0]) is not None and _num(iv[1]) is not None:
            a, b = x(float(iv[0])), x(float(iv[1]))
            text_x = max(text_x, a, b)
            ym = y + row_h / 2
            parts.append(
                f"<path d='M{a:.1f} {ym - 4}v8M{a:.1f} {ym}H{b:.1f}M{b:.1f} {ym - 4}v8'"
                " stroke='#1d2330' fill='none'/>"
            )
        m = _num(markers[i]) if markers and i < len(markers) else None
        if m is not None:
            parts.append(f"<path d='M{x(m):.1f} {y + 1}v{row_h - 2}' stroke='#e0a100' stroke-width='3'/>")
        parts.append(f"<text x='{text_x + 4:.1f}' y='{y + 12}'>{_esc(_fmt(v))}</text>")
    if reference is not None and _num(reference) is not None:
        xr = x(float(reference))
        parts.append(
            f"<path d='M{xr:.1f} {top - 4}V{top + n * row_h}' stroke='#b42318' stroke-dasharray='4 3'/>"
            f"<text x='{xr:.1f}' y='{top + n * row_h + 14}' text-anchor='middle' fill='#b42318'>"
            f"{_esc(reference_label)} {_esc(_fmt(reference))}</text>"
        )
    parts.append("</svg>")
    note = ""
    if len(labels) > n:
        note = f"<p class='meta'>Chart shows the first {n} of {len(labels)}; all are in the table.</p>"
    return "".join(parts) + note


def histogram_chart(hist: Mapping[str, Any]) -> str:
    """Reference vs current distribution of one column, as paired bars per bin or category."""
    ref = [(_num(v) or 0.0) for v in hist.get("reference", [])]
    cur = [(_num(v) or 0.0) for v in hist.get("current", [])]
    k = min(len(ref), len(cur), 60)
    if k == 0:
        return ""
    if "categories" in hist:
        names = [str(c) for c in hist["categories"]][:k]
    else:
        edges = hist.get("edges", [])
        names = [f"{_fmt(_num(edges[i]))}" for i in range(min(k, len(edges)))]
    w, h, pad = 320, 150, 24
    bw = (w - 2 * pad) / k
    top = max(ref[:k] + cur[:k]) or 1.0
    parts = [
        f"<svg width='{w}' height='{h + 22}' role='img' aria-label='{_esc(hist.get('column', ''))}'>",
        f"<text x='6' y='14' style='font-weight:600'>{_esc(hist.get('column', ''))}</text>",
    ]
    for i in range(k):
        for j, (series, colour) in enumerate(((ref, "#9aa1ad"), (cur, "#3b6fb6"))):
            bh = series[i] / top * (h - 30)
            xx = pad + i * bw + j * bw / 2
            parts.append(
                f"<rect x='{xx:.1f}' y='{h - bh:.1f}' width='{max(bw / 2 - 0.5, 0.5):.1f}' height='{bh:.1f}'"
                f" fill='{colour}'><title>{_esc(names[i] if i < len(names) else i)}: "
                f"{'reference' if j == 0 else 'current'} {_esc(_fmt(series[i]))}</title></rect>"
            )
    parts.append(f"<text x='{pad}' y='{h + 16}' fill='#6b7385'>grey = reference, blue = current</text></svg>")
    return "".join(parts)


def _fairness_section(result: EvidenceResult) -> str:
    rows = result.by_group or []
    if not rows:
        return ""
    ci = result.extra.get("confidence_intervals") or {}
    ci_rows = ci.get("by_group") or [{} for _ in rows]
    overall = result.overall or {}
    order = sorted(range(len(rows)), key=lambda i: -(_num(rows[i].get("count")) or -1))
    labels = [_group_label(rows[i].get("group", {})) for i in order]
    metrics = [
        m
        for m in (
            "selection_rate",
            "true_positive_rate",
            "false_positive_rate",
            "accuracy",
            "precision",
            "f1",
            "roc_auc",
            "mean_absolute_error",
            "root_mean_squared_error",
            "r2",
        )
        if any(m in r for r in rows)
    ]
    out = ["<h2>Per-group results</h2>"]
    if ci:
        out.append(
            f"<p class='meta'>Whiskers: {_esc(ci.get('level'))} percentile bootstrap intervals "
            f"({_esc(ci.get('replicates'))} replicates, seed {_esc(ci.get('seed'))}).</p>"
        )
    out.append("<div class='grid'>")
    for m in metrics:
        intervals = [ci_rows[i].get(m) if i < len(ci_rows) else None for i in order]
        flags = [bool(rows[i].get("four_fifths_flag")) for i in order] if m == "selection_rate" else None
        out.append(
            hbar_chart(
                m,
                labels,
                [rows[i].get(m) for i in order],
                intervals=intervals,
                reference=_num(overall.get(m)),
                flags=flags,
            )
        )
    out.append("</div>")
    if any("impact_ratio" in r for r in rows):
        out.append("<p class='meta'>Red selection-rate bars: impact ratio below 0.8 (four-fifths rule).</p>")
    columns = ["group", "count", *[k for k in rows[0] if k not in ("group", "count")]]
    flat = [{k: v for k, v in r.items() if not isinstance(v, (dict, list)) or k == "group"} for r in rows]
    out.append(
        "<h3>Table</h3>"
        + _table(flat, [c for c in columns if not isinstance(rows[0].get(c), dict) or c == "group"])
    )
    return "".join(out)


def _drift_section(result: EvidenceResult) -> str:
    cols = result.columns or []
    if not cols:
        return ""
    out = ["<h2>Columns</h2>"]
    if result.share_drifted is not None:
        out.append(
            f"<p>Drifted columns: {sum(1 for c in cols if c.get('drift'))} of {len(cols)} "
            f"(share {_esc(_fmt(result.share_drifted))}); "
            f"dataset drift: {_esc(_fmt(result.dataset_drift))}.</p>"
        )
    if any("score" in c for c in cols):
        out.append(
            hbar_chart(
                "score per column (yellow = threshold, red = drift)",
                [f"{c.get('column')} ({c.get('test', '')})" for c in cols],
                [c.get("score") for c in cols],
                markers=[c.get("threshold") for c in cols],
                flags=[bool(c.get("drift")) for c in cols],
            )
        )
    out.append(_table([{k: v for k, v in c.items() if not isinstance(v, (dict, list))} for c in cols]))
    return "".join(out)


def _histograms_section(result: EvidenceResult) -> str:
    hists = result.histograms or []
    if not hists:
        return ""
    charts = "".join(histogram_chart(h) for h in hists[:_MAX_HISTOGRAMS])
    more = (
        f"<p class='meta'>{len(hists) - _MAX_HISTOGRAMS} more distributions in the JSON record.</p>"
        if len(hists) > _MAX_HISTOGRAMS
        else ""
    )
    return f"<h2>Distributions</h2><div class='grid'>{charts}</div>{more}"


_AGG_SUFFIXES = ("group_min", "group_max", "difference", "ratio", "difference_to_overall", "ratio_to_overall")


def _aggregates_section(aggregates: Mapping[str, Any]) -> str:
    """Headline criteria first, then per-metric aggregates pivoted into one row per metric."""
    per_metric: dict[str, dict[str, Any]] = {}
    headline: dict[str, Any] = {}
    for key, value in aggregates.items():
        # Longest suffix first so "_difference_to_overall" is not taken for "_difference".
        suffix = next(
            (sx for sx in sorted(_AGG_SUFFIXES, key=len, reverse=True) if key.endswith("_" + sx)), None
        )
        metric = key[: -len(suffix) - 1] if suffix else None
        if (
            suffix
            and metric
            and not metric.startswith(("demographic_parity", "equalized_odds", "equal_opportunity"))
        ):
            per_metric.setdefault(metric, {"metric": metric})[suffix] = value
        else:
            headline[key] = value
    out = ["<h2>Aggregates</h2>"]
    if headline:
        out.append(_kv_table(headline))
    if per_metric:
        out.append("<h3>Per metric</h3>" + _table(list(per_metric.values()), ["metric", *_AGG_SUFFIXES]))
    return "".join(out)


def render_html(result: EvidenceResult) -> str:
    """The whole report as one HTML document (no external resources)."""
    d = result.to_dict()
    badge = (
        "<span class='badge pass'>PASSED</span>" if d["passed"] else "<span class='badge fail'>FAILED</span>"
    )
    ds = d["dataset"]
    title = f"Steward {result.kind.replace('_', ' ')} evidence"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_esc(title)} {badge}</h1>",
        f"<p class='meta'>schema {_esc(d['schema'])} · profile <b>{_esc(d['profile'])}</b> · engine "
        f"{_esc(d['engine']['name'])} {_esc(d['engine']['version'])} · {ds.get('rows', 0):,} rows"
        + (f" · source {_esc(ds['source'])}" if ds.get("source") else "")
        + (
            f"<br>sha256 ({_esc(ds.get('sha256_of'))}) <code>{_esc(ds['sha256'])}</code>"
            if ds.get("sha256")
            else ""
        )
        + "</p>",
    ]
    if d["checks"]:
        parts.append("<h2>Checks</h2>" + _table(d["checks"]))
    if d["warnings"]:
        parts.append(
            "<h2>Warnings</h2>" + "".join(f"<div class='warn'>{_esc(w)}</div>" for w in d["warnings"])
        )
    parts.append(_fairness_section(result))
    parts.append(_drift_section(result))
    parts.append(_histograms_section(result))
    if d.get("aggregates"):
        parts.append(_aggregates_section(d["aggregates"]))
    if d.get("overall"):
        flat = {k: v for k, v in d["overall"].items() if not isinstance(v, dict)}
        nested = {k: v for k, v in d["overall"].items() if isinstance(v, dict)}
        parts.append("<h2>Overall</h2>" + _kv_table(flat))
        for k, v in nested.items():
            parts.append(f"<h3>{_esc(k)}</h3>" + _kv_table(v))
    parts.append("<h2>Parameters</h2>" + _kv_table(dict(d["parameters"].items())))
    parts.append(
        "<footer>Generated by Steward's measurement engine. Undefined values are shown as n/a;"
        " the reasons are in the warnings. The JSON evidence record is the authoritative copy.</footer>"
        "</main></body></html>"
    )
    return "".join(parts)
