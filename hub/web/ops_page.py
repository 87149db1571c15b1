"""The /ops page: tiles, tables and the charts of hub/web/ops_charts.py, one self-contained HTML page.

Every number's cell carries its raw value (data-figure, data-value) beside the text a person
reads, so a test or a script reads the page as exactly as /ops.json.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hub.web.ops_charts import COLOURS, bar_chart, corridor_chart, partner_chart
from hub.web.ops_figures import OUTCOMES
from hub.web.ops_format import escape, format_age, format_count, format_days, format_percent, format_seconds
from schemas.deadletter import Outcome

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
        f' · {escape(figures.get("generated_at", ""))} · refreshes every {refresh_seconds} s</span></header>',
        _tiles(totals),
        _section("Partner feeds", partner_chart(figures["partners"]) + _partner_table(figures["partners"]), "partners"),
        _section("Corridors: days on the service clock (acceptance to available to the buyer), and on-time rate",
                 corridor_chart(figures["corridors"]) + _corridor_table(figures["corridors"]), "corridors"),
        _section("Service levels per corridor and leg (days)", _corridor_leg_table(figures.get("corridor_legs", [])),
                 "corridor-legs"),
        _section("Problems: over the leg's p90 for the corridor, or past the promise", _problem_table(figures.get("problems")),
                 "problems"),
        '<div class="grid">',
        _section("Dead letters by reason", bar_chart(
            [(reason, n) for reason, n in figures["dead_letters_by_reason"].items()], COLOURS["dead_lettered"])
            + _dead_letter_table(figures["partners"]), "deadletters"),
        _section("Shipments by status", bar_chart(list(figures["shipments"]["by_status"].items()), "#52606d")
                 + _shipment_table(figures["shipments"]), "shipments"),
        _section("Consumer lag by topic", bar_chart(list(figures["lag"]["by_topic"].items()), "#7b61a8")
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


def _cell(figure: str, value: Any, text: str, warn: bool = False) -> str:
    """A number's cell: its raw value machine-readable (data-value) beside the text a person reads."""
    raw = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
    klass = "num warn" if warn else "num"
    return f'<td class="{klass}" data-figure="{escape(figure)}" data-value="{escape(raw)}">{escape(text)}</td>'


def _section(title: str, content: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{content}</section>'


def _table(headers: list[str], rows: list[str], empty: str, text_columns: int = 1) -> str:
    """A table whose first `text_columns` columns are text and the rest numbers."""
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f'<th class="{"num" if i >= text_columns else "text"}">{escape(h)}</th>' for i, h in enumerate(headers))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _tiles(totals: dict[str, Any]) -> str:
    ratio = totals["dead_letter_ratio"]
    tiles = [
        ("messages", "Messages", format_count(totals["messages"]), "", False),
        ("dead_letters", "Dead letters", format_count(totals["dead_letters"]), f"{format_percent(ratio)} of messages" if ratio is not None else "",
         bool(totals["dead_letters"])),
        ("unknown_codes", "Unknown codes", format_count(totals["unknown_codes"]), "", bool(totals["unknown_codes"])),
        ("lag", "Consumer lag", format_count(totals["lag"]), "records behind", bool(totals["lag"])),
        ("shipments", "Shipments", format_count(totals["shipments"]), "", False),
        ("stale_shipments", "Stale", format_count(totals["stale_shipments"]), "no news, not final", bool(totals["stale_shipments"])),
        ("delivered", "Delivered", format_count(totals["delivered"]), "", False),
        ("on_time_rate", "On time", format_percent(totals["on_time_rate"]), "of delivered", False),
    ]
    cells = []
    for key, label, text, sub, alert in tiles:
        value = totals[key]
        raw = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
        cells.append(
            f'<div class="tile{" alert" if alert else ""}"><div class="label">{escape(label)}</div>'
            f'<div class="value" data-figure="totals.{key}" data-value="{escape(raw)}">{escape(text)}</div>'
            f'<div class="sub">{escape(sub) or "&nbsp;"}</div></div>'
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
            "<tr>" + f"<td>{escape(p['partner'])}</td>"
            + _cell(f"{key}.messages", p["messages"], format_count(p["messages"]))
            + "".join(_cell(f"{key}.{name}", o[name], format_count(o[name])) for name in OUTCOMES)
            + _cell(f"{key}.dead_letter_ratio", p["dead_letter_ratio"], format_percent(p["dead_letter_ratio"]),
                    bool(o[Outcome.DEAD_LETTERED.value]))
            + _cell(f"{key}.unknown_codes", p["unknown_codes"], format_count(p["unknown_codes"]), bool(p["unknown_codes"]))
            + _cell(f"{key}.events", p["events"], format_count(p["events"]))
            + _cell(f"{key}.duplicates", p["duplicates"], format_count(p["duplicates"]))
            + _cell(f"{key}.processing_p50", latency["p50"], format_seconds(latency["p50"]))
            + _cell(f"{key}.processing_p90", latency["p90"], format_seconds(latency["p90"]))
            + _cell(f"{key}.last_message_at", last, "–" if last is None else f"{format_age(now - last)} ago")
            + "</tr>"
        )
    headers = ["partner", "messages", "normalised", "ignored", "partial", "dead-lettered", "dead %", "unknown codes",
               "events", "duplicates", "p50 processing", "p90 processing", "last message"]
    note = ('<p class="note">Processing: broker receive time to normalised. Duplicates: events already on '
            "their timeline (polled histories repeat them).</p>")
    return _table(headers, rows, "No partner messages yet.") + (note if rows else "")


def _corridor_table(corridors: list[dict[str, Any]]) -> str:
    rows = []
    for c in corridors:
        key = f"corridor.{c['corridor']}"
        slow = c["on_time_rate"] is not None and c["on_time_rate"] < 0.9
        rows.append(
            f"<tr><td>{escape(c['corridor'])}</td>"
            + _cell(f"{key}.delivered", c["delivered"], format_count(c["delivered"]))
            + _cell(f"{key}.p50_days", c["p50_days"], format_days(c["p50_days"]))
            + _cell(f"{key}.p90_days", c["p90_days"], format_days(c["p90_days"]))
            + _cell(f"{key}.mean_days", c["mean_days"], format_days(c["mean_days"]))
            + _cell(f"{key}.on_time", c["on_time"], format_count(c["on_time"]))
            + _cell(f"{key}.late", c["late"], format_count(c["late"]), bool(c["late"]))
            + _cell(f"{key}.on_time_rate", c["on_time_rate"], format_percent(c["on_time_rate"]), slow)
            + "</tr>"
        )
    note = ('<p class="note">Corridor: origin country, destination country, destination city (* when unknown). '
            "On time: delivered by the promised date, else within the corridor's service level. Percentiles are "
            "interpolated within histogram buckets, as Prometheus's histogram_quantile does.</p>")
    return _table(["corridor", "delivered", "p50 days", "p90 days", "mean days", "on time", "late", "on-time rate"],
                  rows, "No delivered shipments yet.") + (note if rows else "")


def _dead_letter_table(partners: list[dict[str, Any]]) -> str:
    rows = []
    for p in partners:
        for reason, n in p["dead_letters_by_reason"].items():
            rows.append(f"<tr><td>{escape(p['partner'])}</td><td>{escape(reason)}</td>"
                        + _cell(f"deadletters.{p['partner']}.{reason}", n, format_count(n)) + "</tr>")
    note = '<p class="note">List and replay them with <code>hub deadletters</code>.</p>'
    return _table(["partner", "reason", "letters"], rows, "No dead letters.", text_columns=2) + (note if rows else "")


def _shipment_table(shipments: dict[str, Any]) -> str:
    rows = [f"<tr><td>{escape(status)}</td>" + _cell(f"shipments.{status}", n, format_count(n)) + "</tr>"
            for status, n in shipments["by_status"].items()]
    rows.append("<tr><td>stale (no news, not final)</td>"
                + _cell("shipments.stale", shipments["stale"], format_count(shipments["stale"]), bool(shipments["stale"]))
                + "</tr>")
    return _table(["status", "shipments"], rows, "")


def _lag_table(lag: dict[str, Any]) -> str:
    behind = {topic: n for topic, n in lag["by_topic"].items() if n}
    rows = [f"<tr><td>{escape(topic)}</td>" + _cell(f"lag.{topic}", n, format_count(n), True) + "</tr>" for topic, n in behind.items()]
    if not lag["by_topic"]:
        return '<p class="empty">Not measured yet (the group leader measures it every 10 s).</p>'
    caught_up = len(lag["by_topic"]) - len(behind)
    note = f'<p class="note">{caught_up} of {len(lag["by_topic"])} topics caught up.</p>'
    return (_table(["topic", "records behind"], rows, "") if rows else "") + note


def _unknown_table(codes: list[dict[str, Any]]) -> str:
    rows = [f"<tr><td>{escape(c['partner'])}</td><td>{escape(c['code'])}</td>"
            + _cell(f"unknown.{c['partner']}.{c['code']}", c["count"], format_count(c["count"])) + "</tr>" for c in codes]
    return _table(["partner", "code", "seen"], rows, "Every code was mapped.", text_columns=2)


def _leg_table(legs: list[dict[str, Any]]) -> str:
    rows = [
        f"<tr><td>{escape(leg['leg'])}</td>" + _cell(f"leg.{leg['leg']}.shipments", leg["shipments"], format_count(leg["shipments"]))
        + _cell(f"leg.{leg['leg']}.p50_days", leg["p50_days"], format_days(leg["p50_days"]))
        + _cell(f"leg.{leg['leg']}.p90_days", leg["p90_days"], format_days(leg["p90_days"])) + "</tr>"
        for leg in legs
    ]
    return _table(["leg", "shipments", "p50 days", "p90 days"], rows, "No delivered shipments yet.")


def _corridor_leg_table(rows: list[dict[str, Any]]) -> str:
    cells = [
        f"<tr><td>{escape(r['corridor'])}</td><td>{escape(r['leg'])}</td>"
        + _cell(f"corridor_leg.{r['corridor']}.{r['leg']}.shipments", r["shipments"], format_count(r["shipments"]))
        + _cell(f"corridor_leg.{r['corridor']}.{r['leg']}.p50_days", r["p50_days"], format_days(r["p50_days"]))
        + _cell(f"corridor_leg.{r['corridor']}.{r['leg']}.p90_days", r["p90_days"], format_days(r["p90_days"]))
        + _cell(f"corridor_leg.{r['corridor']}.{r['leg']}.on_time", r["corridor_on_time_rate"],
                format_percent(r["corridor_on_time_rate"]))
        + "</tr>"
        for r in rows
    ]
    note = ('<p class="note">Per origin and destination country. Legs whose start or end only an untimed snapshot '
            'dates are left out; on time is the corridor\'s, judged on the whole journey.</p>')
    return _table(["corridor", "leg", "shipments", "p50 days", "p90 days", "corridor on time"], cells,
                  "No delivered shipments yet.", text_columns=2) + (note if rows else "")


def _problem_table(problems: dict[str, Any] | None) -> str:
    if not problems:
        return '<p class="empty">No problem queue.</p>'
    rows = [
        f"<tr><td>{escape(p['shipment_id'])}</td><td>{escape(p['corridor'])}</td><td>{escape(p['leg'])}</td>"
        f"<td>{escape(p['holder'])}</td><td>{escape(p['why'])}</td>"
        + _cell(f"problem.{p['shipment_id']}.dwell_days", p["dwell_days"], format_days(p["dwell_days"]))
        + _cell(f"problem.{p['shipment_id']}.late_days", p["late_days"], format_days(p["late_days"]), True)
        + f'<td class="num">{escape(p["estimate"] or "–")} ({p["rests_on"]})</td></tr>'
        for p in problems["shown"]
    ]
    note = (f'<p class="note">{problems["count"]} of {problems["moving"]} parcels still moving, judged at '
            f'{escape(problems["judged_at"])}; the estimate rests on the count in brackets.</p>')
    return _table(["shipment", "corridor", "leg", "held by", "why", "days in leg", "late by (days)", "estimate"], rows,
                  "No parcel is late in its leg or past its promise.", text_columns=5) + note


def _settlement_table(settlements: list[dict[str, Any]]) -> str:
    rows = []
    for s in settlements:
        amounts = ", ".join(f"{format_count(v)} {cur}" for cur, v in s["amount_minor"].items()) or "–"
        rows.append(f"<tr><td>{escape(s['contract'])}</td><td>{escape(s['kind'])}</td>"
                    + _cell(f"settlement.{s['contract']}.{s['kind']}", s["entries"], format_count(s["entries"]))
                    + f'<td class="num">{escape(amounts)}</td></tr>')
    return _table(["contract", "kind", "entries", "amount (minor units)"], rows, "No settlement entries.", text_columns=2)


def _worker_table(workers: list[dict[str, Any]]) -> str:
    rows = [f"<tr><td>{escape(w['url'])}</td><td>{'answered' if w.get('ok') else escape('unreadable: ' + w.get('error', ''))}</td></tr>"
            for w in workers]
    return _table(["worker", "metrics"], rows, "No worker answered.", text_columns=2)
