"""The /ops page's charts, drawn on the server as inline SVG: nothing loads from elsewhere."""

from __future__ import annotations

from typing import Any

from hub.web.ops_figures import OUTCOMES
from hub.web.ops_format import clip, escape, format_count, format_days, format_percent
from schemas.deadletter import Outcome

COLOURS = {
    Outcome.NORMALISED.value: "#2e7d5b",
    Outcome.IGNORED.value: "#9aa5b1",
    Outcome.PARTIAL.value: "#d99a2b",
    Outcome.DEAD_LETTERED.value: "#c8463d",
}
P50_COLOUR, P90_COLOUR = "#2f5d9e", "#a9c1e6"


def partner_chart(partners: list[dict[str, Any]]) -> str:
    if not partners:
        return ""
    legend = "".join(f'<span><i style="background:{COLOURS[o]}"></i>{escape(o.replace("_", " "))}</span>' for o in OUTCOMES)
    rows = [(p["partner"], [(p["outcomes"][o], COLOURS[o], o) for o in OUTCOMES]) for p in partners]
    return f'<div class="legend">{legend}</div>' + stacked_bars(rows, bar_w=640)


def corridor_chart(corridors: list[dict[str, Any]]) -> str:
    """Per corridor: a bar to the median delivery time, a lighter one on to the 90th percentile,
    the two figures, and the on-time rate as a gauge."""
    shown = [c for c in corridors if c["p90_days"] is not None]
    if not shown:
        return ""
    label_w, bar_w, figures_w, gauge_w, row_h = 170, 460, 130, 120, 24
    top = max(c["p90_days"] for c in shown) or 1.0
    gauge_x = label_w + bar_w + figures_w
    width = gauge_x + gauge_w + 60
    height = row_h * len(shown) + 30
    parts = [f'<svg role="img" aria-label="delivery days and on-time rate per corridor" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, c in enumerate(shown):
        y = i * row_h + 4
        p50 = (c["p50_days"] or 0.0) / top * bar_w
        p90 = c["p90_days"] / top * bar_w
        parts.append(f'<text x="{label_w - 10}" y="{y + 14}" text-anchor="end">{escape(clip(c["corridor"], 24))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(p90, 1.0):.1f}" height="14" rx="2" fill="{P90_COLOUR}">'
                     f'<title>p90 {format_days(c["p90_days"])} days</title></rect>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(p50, 1.0):.1f}" height="14" rx="2" fill="{P50_COLOUR}">'
                     f'<title>p50 {format_days(c["p50_days"])} days</title></rect>')
        parts.append(f'<text x="{label_w + bar_w + 12}" y="{y + 14}">{format_days(c["p50_days"])} / {format_days(c["p90_days"])} d</text>')
        rate = c["on_time_rate"]
        if rate is not None:
            colour = "#2e7d5b" if rate >= 0.9 else ("#d99a2b" if rate >= 0.75 else "#c8463d")
            parts.append(f'<rect x="{gauge_x}" y="{y + 3}" width="{gauge_w}" height="14" rx="2" fill="#e4e7eb"/>')
            parts.append(f'<rect x="{gauge_x}" y="{y + 3}" width="{max(gauge_w * rate, 1.0):.1f}" height="14" rx="2" '
                         f'fill="{colour}"><title>on time {format_percent(rate)}</title></rect>')
            parts.append(f'<text x="{gauge_x + gauge_w + 8}" y="{y + 14}">{format_percent(rate)}</text>')
    axis_y = row_h * len(shown) + 10
    muted = 'fill="#616e7c"'
    parts.append(f'<line class="axis" x1="{label_w}" y1="{axis_y}" x2="{label_w + bar_w}" y2="{axis_y}"/>')
    parts.append(f'<text x="{label_w}" y="{axis_y + 14}" {muted}>0</text>')
    parts.append(f'<text x="{label_w + bar_w}" y="{axis_y + 14}" text-anchor="end" {muted}>{format_days(top)} days</text>')
    parts.append(f'<text x="{label_w + bar_w + 12}" y="{axis_y + 14}" {muted}>p50 / p90</text>')
    parts.append(f'<text x="{gauge_x}" y="{axis_y + 14}" {muted}>on time</text>')
    parts.append("</svg>")
    legend = (f'<div class="legend"><span><i style="background:{P50_COLOUR}"></i>median (p50)</span>'
              f'<span><i style="background:{P90_COLOUR}"></i>90th percentile</span></div>')
    return legend + "".join(parts)


def bar_chart(items: list[tuple[str, float]], colour: str) -> str:
    return stacked_bars([(label, [(value, colour, label)]) for label, value in items])


def stacked_bars(rows: list[tuple[str, list[tuple[float, str, str]]]], bar_w: int = 300) -> str:
    """Horizontal bars, one row per label, each made of (value, colour, title) segments, the total at the end."""
    rows = [r for r in rows if sum(v for v, _, _ in r[1]) > 0]
    if not rows:
        return ""
    label_w, row_h = 170, 22
    top = max(sum(v for v, _, _ in segments) for _, segments in rows)
    width, height = label_w + bar_w + 70, row_h * len(rows) + 6
    parts = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, segments) in enumerate(rows):
        y = i * row_h + 3
        parts.append(f'<text x="{label_w - 10}" y="{y + 13}" text-anchor="end">{escape(clip(label, 24))}</text>')
        x = float(label_w)
        for value, colour, title in segments:
            if value <= 0:
                continue
            w = max(value / top * bar_w, 1.5)
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="14" fill="{colour}">'
                         f'<title>{escape(title)}: {format_count(value)}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{format_count(sum(v for v, _, _ in segments))}</text>')
    parts.append("</svg>")
    return "".join(parts)
