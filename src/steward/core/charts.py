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
        bars.append((x, y, bar_w, h, label, value, x + bar_w / 2, height - 10, y - 3))
    body = format_html_join(
        "",
        '<g><title>{}: {}</title><rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" rx="2" '
        'class="stw-bar"></rect><text x="{:.1f}" y="{}" text-anchor="middle" class="stw-axis">{}</text>'
        '<text x="{:.1f}" y="{:.1f}" text-anchor="middle" class="stw-val">{}</text></g>',
        (
            (lab, val, x, y, w, h, cx, ly, lab, cx, vy, val if val else "")
            for x, y, w, h, lab, val, cx, ly, vy in bars
        ),
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}" class="stw-chart w-100"><title>{}</title>{}</svg>',
        width,
        height,
        title,
        title,
        body,
    )
