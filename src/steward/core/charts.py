"""Small server-rendered SVG charts: no JavaScript library, nothing fetched, accessible titles."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def bar_chart(
    labels: Sequence[str], values: Sequence[float], *, title: str, width: int = 640, height: int = 180
) -> SafeString:
    n = max(1, len(values))
    top = max([*values, 1])
    pad_bottom, pad_top = 28, 14
    plot_h = height - pad_bottom - pad_top
    slot = width / n
    bar_w = max(2.0, slot * 0.7)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = i * slot + (slot - bar_w) / 2
        y = pad_top + plot_h - h
        # format_html escapes its arguments (turning numbers into text), so numbers are formatted first.
        geometry = [f"{v:.1f}" for v in (x, y, bar_w, h, x + bar_w / 2, y - 3)]
        bars.append((label, value, *geometry, height - 10))
    body = format_html_join(
        "",
        "<g><title>{}: {}</title>"
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" class="stw-bar"></rect>'
        '<text x="{}" y="{}" text-anchor="middle" class="stw-axis">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="stw-val">{}</text></g>',
        ((lab, val, x, y, w, h, cx, ly, lab, cx, vy, val or "") for lab, val, x, y, w, h, cx, vy, ly in bars),
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}" class="stw-chart w-100">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        title,
        title,
        body,
    )
