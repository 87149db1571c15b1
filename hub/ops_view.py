"""The operations figures: every worker's /metrics combined, and the /ops page drawn from them.

`aggregate` combines each metric the way it is meant: counters, per-partition gauges and
histogram buckets add up across workers (each counts what it processed or owns); a feed's
last-message time is the latest any worker saw, and lag per topic partition the largest any
worker reports (only the leader measures it, so figures never add). `render_page` draws the
figures as one self-contained HTML page with inline SVG charts: nothing loads from elsewhere.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from schemas.deadletter import Outcome
from schemas.enums import Leg, Status

Labels = tuple[tuple[str, str], ...]
Series = dict[str, dict[Labels, float]]

# Gauges that are instants or one leader's measurement: combined by max, never summed.
COMBINED_BY_MAX = {"hub_partner_last_message_timestamp_seconds", "hub_consumer_lag"}
OUTCOMES = [o.value for o in Outcome]
QUANTILES = (0.5, 0.9)


# -- parsing and combining ---------------------------------------------------------------

def parse_metrics(text: str) -> Series:
    """sample name → labels → value, for one worker's exposition (`_created` samples dropped)."""
    series: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_created") or math.isnan(sample.value):
                continue
            series.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return series


def combine(per_worker: Iterable[Series]) -> Series:
    combined: Series = {}
    for series in per_worker:
        for name, values in series.items():
            into = combined.setdefault(name, {})
            for labels, value in values.items():
                if labels not in into:
                    into[labels] = value
                elif _base_name(name) in COMBINED_BY_MAX:
                    into[labels] = max(into[labels], value)
                else:
                    into[labels] += value
    return combined


def _base_name(sample: str) -> str:
    for suffix in ("_total", "_bucket", "_count", "_sum"):
        if sample.endswith(suffix):
            return sample[: -len(suffix)]
    return sample


def _by(series: Series, name: str, *keys: str) -> dict[tuple[str, ...], float]:
    """Values of `name` summed over every label not in `keys`, keyed by the values of `keys`."""
    out: dict[tuple[str, ...], float] = {}
    for labels, value in series.get(name, {}).items():
        found = dict(labels)
        key = tuple(found.get(k, "") for k in keys)
        out[key] = out.get(key, 0.0) + value
    return out


# -- histograms --------------------------------------------------------------------------

def histograms(series: Series, name: str, label: str) -> dict[str, dict[str, Any]]:
    """label value → {"buckets": [(upper bound, cumulative count)], "count", "sum"}, buckets merged."""
    merged: dict[str, dict[float, float]] = {}
    for labels, value in series.get(f"{name}_bucket", {}).items():
        found = dict(labels)
        bucket = merged.setdefault(found.get(label, ""), {})
        bound = float(found["le"])
        bucket[bound] = bucket.get(bound, 0.0) + value
    counts = _by(series, f"{name}_count", label)
    sums = _by(series, f"{name}_sum", label)
    return {
        key: {"buckets": sorted(buckets.items()), "count": counts.get((key,), 0.0), "sum": sums.get((key,), 0.0)}
        for key, buckets in merged.items()
    }


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """Prometheus's `histogram_quantile` over cumulative (upper bound, count) buckets ending in +Inf."""
    if len(buckets) < 2 or not math.isinf(buckets[-1][0]):
        return None
    total = buckets[-1][1]
    if total == 0:
        return None
    rank = q * total
    b = next(i for i, (_, count) in enumerate(buckets) if count >= rank)
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, end, count = 0.0, buckets[b][0], buckets[b][1]
    if b > 0:
        start = buckets[b - 1][0]
        count -= buckets[b - 1][1]
        rank -= buckets[b - 1][1]
    return start + (end - start) * (rank / count)


def _quantiles(histogram: dict[str, Any] | None) -> dict[str, float | None]:
    buckets = histogram["buckets"] if histogram else []
    return {f"p{int(q * 100)}": quantile(q, buckets) for q in QUANTILES}


# -- the figures -------------------------------------------------------------------------

def aggregate(texts: list[tuple[str, str]]) -> dict[str, Any]:
    """The installation's figures from `(worker URL, /metrics text)` of every worker that answered.

    Plain JSON (the /ops.json answer): counts are integers, days and seconds floats, and a
    quantile of an empty histogram is null.
    """
    workers: list[dict[str, Any]] = []
    parsed: list[Series] = []
    for url, text in texts:
        try:
            series = parse_metrics(text)
        except ValueError as err:
            workers.append({"url": url, "ok": False, "error": str(err)[:200]})
            continue
        parsed.append(series)
        workers.append({"url": url, "ok": True})
    series = combine(parsed)

    partners = _partners(series)
    dead_by_reason: dict[str, int] = {}
    for p in partners:
        for reason, n in p["dead_letters_by_reason"].items():
            dead_by_reason[reason] = dead_by_reason.get(reason, 0) + n
    corridors = _corridors(series)
    shipments = _shipments(series)
    messages = sum(p["messages"] for p in partners)
    dead = sum(p["outcomes"][Outcome.DEAD_LETTERED.value] for p in partners)
    on_time = sum(c["on_time"] for c in corridors)
    judged = sum(c["on_time"] + c["late"] for c in corridors)
    lag = _lag(series)
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "workers": workers,
        "totals": {
            "messages": messages,
            "outcomes": {o: sum(p["outcomes"][o] for p in partners) for o in OUTCOMES},
            "dead_letters": dead,
            "dead_letter_ratio": dead / messages if messages else None,
            "events": sum(p["events"] for p in partners),
            "duplicates": sum(p["duplicates"] for p in partners),
            "unknown_codes": sum(p["unknown_codes"] for p in partners),
            "shipments": shipments["total"],
            "stale_shipments": shipments["stale"],
            "delivered": sum(c["delivered"] for c in corridors),
            "on_time_rate": on_time / judged if judged else None,
            "lag": lag["total"],
        },
        "partners": partners,
        "dead_letters_by_reason": dict(sorted(dead_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        "unknown_codes": _unknown_codes(series),
        "lag": lag,
        "shipments": shipments,
        "corridors": corridors,
        "legs": _legs(series),
        "settlements": _settlements(series),
    }


def _partners(series: Series) -> list[dict[str, Any]]:
    messages = _by(series, "hub_partner_messages_total", "partner", "outcome", "reason")
    events = _by(series, "hub_canonical_events_total", "partner")
    duplicates = _by(series, "hub_duplicate_events_total", "partner")
    unknown = _by(series, "hub_unknown_codes_total", "partner")
    last = _by(series, "hub_partner_last_message_timestamp_seconds", "partner")
    latency = histograms(series, "hub_received_to_processed_seconds", "partner")
    event_latency = histograms(series, "hub_event_time_to_processed_seconds", "partner")
    names = sorted({k[0] for k in messages} | {k[0] for k in events} | {k[0] for k in last})
    rows = []
    for partner in names:
        outcomes = {o: 0 for o in OUTCOMES}
        reasons: dict[str, int] = {}
        for (p, outcome, reason), n in messages.items():
            if p != partner:
                continue
            outcomes[outcome] = outcomes.get(outcome, 0) + int(n)
            if outcome == Outcome.DEAD_LETTERED.value:
                reasons[reason or "?"] = reasons.get(reason or "?", 0) + int(n)
        total = sum(outcomes.values())
        rows.append({
            "partner": partner,
            "messages": total,
            "outcomes": outcomes,
            "dead_letters_by_reason": dict(sorted(reasons.items())),
            "dead_letter_ratio": outcomes[Outcome.DEAD_LETTERED.value] / total if total else None,
            "events": int(events.get((partner,), 0)),
            "duplicates": int(duplicates.get((partner,), 0)),
            "unknown_codes": int(unknown.get((partner,), 0)),
            "last_message_at": last.get((partner,)),
            "received_to_processed_seconds": _quantiles(latency.get(partner)),
            "event_time_to_processed_seconds": _quantiles(event_latency.get(partner)),
        })
    return rows


def _unknown_codes(series: Series) -> list[dict[str, Any]]:
    codes = _by(series, "hub_unknown_codes_total", "partner", "code")
    rows = [{"partner": p, "code": c, "count": int(n)} for (p, c), n in codes.items() if n]
    return sorted(rows, key=lambda r: (-r["count"], r["partner"], r["code"]))


def _lag(series: Series) -> dict[str, Any]:
    by_topic: dict[str, int] = {}
    for (topic,), n in _by(series, "hub_consumer_lag", "topic").items():
        by_topic[topic] = int(n)
    return {"total": sum(by_topic.values()), "by_topic": dict(sorted(by_topic.items()))}


def _shipments(series: Series) -> dict[str, Any]:
    order = {s.value: i for i, s in enumerate(Status)}
    by_status = {status: int(n) for (status,), n in _by(series, "hub_shipments", "status").items() if n}
    by_status = dict(sorted(by_status.items(), key=lambda kv: order.get(kv[0], len(order))))
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "stale": int(sum(series.get("hub_stale_shipments", {}).values())),
    }


def _corridors(series: Series) -> list[dict[str, Any]]:
    days = histograms(series, "hub_corridor_delivery_days", "corridor")
    timeliness = _by(series, "hub_deliveries", "corridor", "on_time")
    names = sorted(set(days) | {c for c, _ in timeliness})
    rows = []
    for corridor in names:
        histogram = days.get(corridor)
        on_time = int(timeliness.get((corridor, "true"), 0))
        late = int(timeliness.get((corridor, "false"), 0))
        count = int(histogram["count"]) if histogram else 0
        rows.append({
            "corridor": corridor,
            "delivered": count,
            "mean_days": histogram["sum"] / count if histogram and count else None,
            **{f"{k}_days": v for k, v in _quantiles(histogram).items()},
            "on_time": on_time,
            "late": late,
            "on_time_rate": on_time / (on_time + late) if on_time + late else None,
        })
    return sorted(rows, key=lambda r: (-r["delivered"], r["corridor"]))


def _legs(series: Series) -> list[dict[str, Any]]:
    days = histograms(series, "hub_leg_days", "leg")
    order = {leg.value: i for i, leg in enumerate(Leg)}
    rows = []
    for leg in sorted(days, key=lambda name: (order.get(name, len(order)), name)):
        histogram = days[leg]
        count = int(histogram["count"])
        rows.append({
            "leg": leg, "shipments": count, "mean_days": histogram["sum"] / count if count else None,
            **{f"{k}_days": v for k, v in _quantiles(histogram).items()},
        })
    return rows


def _settlements(series: Series) -> list[dict[str, Any]]:
    entries = _by(series, "hub_settlement_entries_total", "contract", "kind")
    amounts = _by(series, "hub_settlement_amount_minor", "contract", "kind", "currency")
    rows = []
    for contract, kind in sorted(set(entries) | {(c, k) for c, k, _ in amounts}):
        rows.append({
            "contract": contract, "kind": kind, "entries": int(entries.get((contract, kind), 0)),
            "amount_minor": {cur: int(n) for (c, k, cur), n in sorted(amounts.items()) if (c, k) == (contract, kind)},
        })
    return rows


# -- the page ----------------------------------------------------------------------------

COLOURS = {
    Outcome.NORMALISED.value: "#2e7d5b",
    Outcome.IGNORED.value: "#9aa5b1",
    Outcome.PARTIAL.value: "#d99a2b",
    Outcome.DEAD_LETTERED.value: "#c8463d",
}
P50_COLOUR, P90_COLOUR = "#2f5d9e", "#a9c1e6"

STYLE = """
:root { color-scheme: light; --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f5f7fa; --card:#fff; }
* { box-sizing: border-box; }
body { margin:0; padding:24px 32px 40px; background:var(--bg); color:var(--ink);
       font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { display:flex; align-items:baseline; gap:16px; flex-wrap:wrap; margin-bottom:18px; }
h1 { font-size:22px; margin:0; }
header .meta { color:var(--muted); }
h2 { font-size:15px; margin:0 0 10px; }
.tiles { display:grid; grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); gap:12px; margin-bottom:18px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.tile .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.tile .value { font-size:24px; font-weight:600; font-variant-numeric:tabular-nums; }
.tile.alert .value { color:#c8463d; }
.grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(520px, 1fr)); gap:0 16px; align-items:start; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:5px 10px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
th { color:var(--muted); font-weight:600; font-size:12px; }
th.num, td.num { text-align:right; }
tr:last-child td { border-bottom:none; }
.tile .sub { color:var(--muted); font-size:13px; }
.note { color:var(--muted); font-size:12px; margin:6px 0 0; }
td.warn { color:#c8463d; font-weight:600; }
.empty { color:var(--muted); font-style:italic; }
.legend { display:flex; gap:14px; color:var(--muted); font-size:12px; margin:4px 0 8px; flex-wrap:wrap; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
svg text { font:12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill:#1f2933; }
svg .axis { stroke:#cbd2d9; }
"""


def render_page(figures: dict[str, Any], refresh_seconds: int = 5) -> str:
    """The /ops page: tiles, tables and inline SVG charts; refreshes itself every few seconds."""
    totals = figures["totals"]
    workers = figures["workers"]
    answered = sum(1 for w in workers if w.get("ok"))
    body = [
        "<header><h1>Hub operations</h1>",
        f'<span class="meta">{answered} worker{"s" if answered != 1 else ""} answered'
        f' · {_e(figures.get("generated_at", ""))} · refreshes every {refresh_seconds} s</span></header>',
        _tiles(totals),
        _section("Partner feeds", _partner_chart(figures["partners"]) + _partner_table(figures["partners"]), "partners"),
        _section("Corridors: days from first event to delivery, and on-time rate", _corridor_chart(figures["corridors"])
                 + _corridor_table(figures["corridors"]), "corridors"),
        '<div class="grid">',
        _section("Dead letters by reason", _bar_chart(
            [(reason, n) for reason, n in figures["dead_letters_by_reason"].items()], COLOURS["dead_lettered"])
            + _dead_letter_table(figures["partners"]), "deadletters"),
        _section("Shipments by status", _bar_chart(list(figures["shipments"]["by_status"].items()), "#52606d")
                 + _shipment_table(figures["shipments"]), "shipments"),
        _section("Consumer lag by topic", _bar_chart(list(figures["lag"]["by_topic"].items()), "#7b61a8")
                 + _lag_table(figures["lag"]), "lag"),
        _section("Unknown partner codes", _unknown_table(figures["unknown_codes"]), "unknown"),
        _section("Legs of delivered shipments (days)", _leg_table(figures["legs"]), "legs"),
        _section("Settlement entries", _settlement_table(figures["settlements"]), "settlements"),
        "</div>",
        _section("Workers", _worker_table(workers), "workers"),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Hub operations</title><style>{STYLE}</style></head><body>"
        + "".join(body) + "</body></html>\n"
    )


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _int(n: float | int | None) -> str:
    return "–" if n is None else f"{int(n):,}".replace(",", "\u202f")


def format_percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio * 100:.1f}%"


def format_days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def _age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def _cell(figure: str, value: Any, text: str, warn: bool = False) -> str:
    """A number's cell: its raw value machine-readable (data-value) beside the text a person reads."""
    raw = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
    klass = "num warn" if warn else "num"
    return f'<td class="{klass}" data-figure="{_e(figure)}" data-value="{_e(raw)}">{_e(text)}</td>'


def _section(title: str, content: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{content}</section>'


def _table(headers: list[str], rows: list[str], empty: str, text_columns: int = 1) -> str:
    """A table whose first `text_columns` columns are text and the rest numbers."""
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'
    head = "".join(f'<th class="{"num" if i >= text_columns else "text"}">{_e(h)}</th>' for i, h in enumerate(headers))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _tiles(totals: dict[str, Any]) -> str:
    ratio = totals["dead_letter_ratio"]
    tiles = [
        ("messages", "Messages", _int(totals["messages"]), "", False),
        ("dead_letters", "Dead letters", _int(totals["dead_letters"]), f"{format_percent(ratio)} of messages" if ratio is not None else "",
         bool(totals["dead_letters"])),
        ("unknown_codes", "Unknown codes", _int(totals["unknown_codes"]), "", bool(totals["unknown_codes"])),
        ("lag", "Consumer lag", _int(totals["lag"]), "records behind", bool(totals["lag"])),
        ("shipments", "Shipments", _int(totals["shipments"]), "", False),
        ("stale_shipments", "Stale", _int(totals["stale_shipments"]), "no news, not final", bool(totals["stale_shipments"])),
        ("delivered", "Delivered", _int(totals["delivered"]), "", False),
        ("on_time_rate", "On time", format_percent(totals["on_time_rate"]), "of delivered", False),
    ]
    cells = []
    for key, label, text, sub, alert in tiles:
        value = totals[key]
        raw = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
        cells.append(
            f'<div class="tile{" alert" if alert else ""}"><div class="label">{_e(label)}</div>'
            f'<div class="value" data-figure="totals.{key}" data-value="{_e(raw)}">{_e(text)}</div>'
            f'<div class="sub">{_e(sub) or "&nbsp;"}</div></div>'
        )
    return f'<div class="tiles">{"".join(cells)}</div>'


def _partner_table(partners: list[dict[str, Any]]) -> str:
    now = datetime.now(timezone.utc).timestamp()
    rows = []
    for p in partners:
        key = f"partner.{p['partner']}"
        o = p["outcomes"]
        last = p["last_message_at"]
        latency = p["received_to_processed_seconds"]
        rows.append(
            "<tr>" + f"<td>{_e(p['partner'])}</td>"
            + _cell(f"{key}.messages", p["messages"], _int(p["messages"]))
            + "".join(_cell(f"{key}.{name}", o[name], _int(o[name])) for name in OUTCOMES)
            + _cell(f"{key}.dead_letter_ratio", p["dead_letter_ratio"], format_percent(p["dead_letter_ratio"]),
                    bool(o[Outcome.DEAD_LETTERED.value]))
            + _cell(f"{key}.unknown_codes", p["unknown_codes"], _int(p["unknown_codes"]), bool(p["unknown_codes"]))
            + _cell(f"{key}.events", p["events"], _int(p["events"]))
            + _cell(f"{key}.duplicates", p["duplicates"], _int(p["duplicates"]))
            + _cell(f"{key}.processing_p50", latency["p50"], _seconds(latency["p50"]))
            + _cell(f"{key}.processing_p90", latency["p90"], _seconds(latency["p90"]))
            + _cell(f"{key}.last_message_at", last, "–" if last is None else f"{_age(now - last)} ago")
            + "</tr>"
        )
    headers = ["partner", "messages", "normalised", "ignored", "partial", "dead-lettered", "dead %", "unknown codes",
               "events", "duplicates", "p50 processing", "p90 processing", "last message"]
    note = ('<p class="note">Processing: broker receive time to normalised. Duplicates: events already on '
            "their timeline (polled histories repeat them).</p>")
    return _table(headers, rows, "No partner messages yet.") + (note if rows else "")


def _partner_chart(partners: list[dict[str, Any]]) -> str:
    if not partners:
        return ""
    legend = "".join(f'<span><i style="background:{COLOURS[o]}"></i>{_e(o.replace("_", " "))}</span>' for o in OUTCOMES)
    rows = [(p["partner"], [(p["outcomes"][o], COLOURS[o], o) for o in OUTCOMES]) for p in partners]
    return f'<div class="legend">{legend}</div>' + _stacked_bars(rows, bar_w=640)


def _corridor_table(corridors: list[dict[str, Any]]) -> str:
    rows = []
    for c in corridors:
        key = f"corridor.{c['corridor']}"
        slow = c["on_time_rate"] is not None and c["on_time_rate"] < 0.9
        rows.append(
            f"<tr><td>{_e(c['corridor'])}</td>"
            + _cell(f"{key}.delivered", c["delivered"], _int(c["delivered"]))
            + _cell(f"{key}.p50_days", c["p50_days"], format_days(c["p50_days"]))
            + _cell(f"{key}.p90_days", c["p90_days"], format_days(c["p90_days"]))
            + _cell(f"{key}.mean_days", c["mean_days"], format_days(c["mean_days"]))
            + _cell(f"{key}.on_time", c["on_time"], _int(c["on_time"]))
            + _cell(f"{key}.late", c["late"], _int(c["late"]), bool(c["late"]))
            + _cell(f"{key}.on_time_rate", c["on_time_rate"], format_percent(c["on_time_rate"]), slow)
            + "</tr>"
        )
    note = ('<p class="note">Corridor: origin country, destination country, destination city (* when unknown). '
            "On time: delivered by the promised date, else within the corridor's service level. Percentiles are "
            "interpolated within histogram buckets, as Prometheus's histogram_quantile does.</p>")
    return _table(["corridor", "delivered", "p50 days", "p90 days", "mean days", "on time", "late", "on-time rate"],
                  rows, "No delivered shipments yet.") + (note if rows else "")


def _corridor_chart(corridors: list[dict[str, Any]]) -> str:
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
        parts.append(f'<text x="{label_w - 10}" y="{y + 14}" text-anchor="end">{_e(_clip(c["corridor"], 24))}</text>')
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


def _dead_letter_table(partners: list[dict[str, Any]]) -> str:
    rows = []
    for p in partners:
        for reason, n in p["dead_letters_by_reason"].items():
            rows.append(f"<tr><td>{_e(p['partner'])}</td><td>{_e(reason)}</td>"
                        + _cell(f"deadletters.{p['partner']}.{reason}", n, _int(n)) + "</tr>")
    note = '<p class="note">List and replay them with <code>hub deadletters</code>.</p>'
    return _table(["partner", "reason", "letters"], rows, "No dead letters.", text_columns=2) + (note if rows else "")


def _shipment_table(shipments: dict[str, Any]) -> str:
    rows = [f"<tr><td>{_e(status)}</td>" + _cell(f"shipments.{status}", n, _int(n)) + "</tr>"
            for status, n in shipments["by_status"].items()]
    rows.append("<tr><td>stale (no news, not final)</td>"
                + _cell("shipments.stale", shipments["stale"], _int(shipments["stale"]), bool(shipments["stale"]))
                + "</tr>")
    return _table(["status", "shipments"], rows, "")


def _lag_table(lag: dict[str, Any]) -> str:
    behind = {topic: n for topic, n in lag["by_topic"].items() if n}
    rows = [f"<tr><td>{_e(topic)}</td>" + _cell(f"lag.{topic}", n, _int(n), True) + "</tr>" for topic, n in behind.items()]
    if not lag["by_topic"]:
        return '<p class="empty">Not measured yet (the group leader measures it every 10 s).</p>'
    caught_up = len(lag["by_topic"]) - len(behind)
    note = f'<p class="note">{caught_up} of {len(lag["by_topic"])} topics caught up.</p>'
    return (_table(["topic", "records behind"], rows, "") if rows else "") + note


def _unknown_table(codes: list[dict[str, Any]]) -> str:
    rows = [f"<tr><td>{_e(c['partner'])}</td><td>{_e(c['code'])}</td>"
            + _cell(f"unknown.{c['partner']}.{c['code']}", c["count"], _int(c["count"])) + "</tr>" for c in codes]
    return _table(["partner", "code", "seen"], rows, "Every code was mapped.", text_columns=2)


def _leg_table(legs: list[dict[str, Any]]) -> str:
    rows = [
        f"<tr><td>{_e(leg['leg'])}</td>" + _cell(f"leg.{leg['leg']}.shipments", leg["shipments"], _int(leg["shipments"]))
        + _cell(f"leg.{leg['leg']}.p50_days", leg["p50_days"], format_days(leg["p50_days"]))
        + _cell(f"leg.{leg['leg']}.p90_days", leg["p90_days"], format_days(leg["p90_days"])) + "</tr>"
        for leg in legs
    ]
    return _table(["leg", "shipments", "p50 days", "p90 days"], rows, "No delivered shipments yet.")


def _settlement_table(settlements: list[dict[str, Any]]) -> str:
    rows = []
    for s in settlements:
        amounts = ", ".join(f"{_int(v)} {cur}" for cur, v in s["amount_minor"].items()) or "–"
        rows.append(f"<tr><td>{_e(s['contract'])}</td><td>{_e(s['kind'])}</td>"
                    + _cell(f"settlement.{s['contract']}.{s['kind']}", s["entries"], _int(s["entries"]))
                    + f'<td class="num">{_e(amounts)}</td></tr>')
    return _table(["contract", "kind", "entries", "amount (minor units)"], rows, "No settlement entries.", text_columns=2)


def _worker_table(workers: list[dict[str, Any]]) -> str:
    rows = [f"<tr><td>{_e(w['url'])}</td><td>{'answered' if w.get('ok') else _e('unreadable: ' + w.get('error', ''))}</td></tr>"
            for w in workers]
    return _table(["worker", "metrics"], rows, "No worker answered.", text_columns=2)


def _bar_chart(items: list[tuple[str, float]], colour: str) -> str:
    return _stacked_bars([(label, [(value, colour, label)]) for label, value in items])


def _stacked_bars(rows: list[tuple[str, list[tuple[float, str, str]]]], bar_w: int = 300) -> str:
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
        parts.append(f'<text x="{label_w - 10}" y="{y + 13}" text-anchor="end">{_e(_clip(label, 24))}</text>')
        x = float(label_w)
        for value, colour, title in segments:
            if value <= 0:
                continue
            w = max(value / top * bar_w, 1.5)
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="14" fill="{colour}">'
                         f'<title>{_e(title)}: {_int(value)}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{_int(sum(v for v, _, _ in segments))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
