"""The operations figures: every worker's /metrics combined into one plain-JSON document (/ops.json).

What is combined how is hub/web/metrics_text.py; the page drawn from the figures is
hub/web/ops_page.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hub.web.metrics_text import Series, by_labels, combine, histograms, parse_metrics, quantiles
from schemas.deadletter import Outcome
from schemas.enums import Leg, Status

OUTCOMES = [o.value for o in Outcome]


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
        "corridor_legs": _corridor_legs(series, corridors),
        "settlements": _settlements(series),
    }


def _partners(series: Series) -> list[dict[str, Any]]:
    messages = by_labels(series, "hub_partner_messages_total", "partner", "outcome", "reason")
    events = by_labels(series, "hub_canonical_events_total", "partner")
    duplicates = by_labels(series, "hub_duplicate_events_total", "partner")
    unknown = by_labels(series, "hub_unknown_codes_total", "partner")
    last = by_labels(series, "hub_partner_last_message_timestamp_seconds", "partner")
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
            "received_to_processed_seconds": quantiles(latency.get(partner)),
            "event_time_to_processed_seconds": quantiles(event_latency.get(partner)),
        })
    return rows


def _unknown_codes(series: Series) -> list[dict[str, Any]]:
    codes = by_labels(series, "hub_unknown_codes_total", "partner", "code")
    rows = [{"partner": p, "code": c, "count": int(n)} for (p, c), n in codes.items() if n]
    return sorted(rows, key=lambda r: (-r["count"], r["partner"], r["code"]))


def _lag(series: Series) -> dict[str, Any]:
    by_topic: dict[str, int] = {}
    for (topic,), n in by_labels(series, "hub_consumer_lag", "topic").items():
        by_topic[topic] = int(n)
    return {"total": sum(by_topic.values()), "by_topic": dict(sorted(by_topic.items()))}


def _shipments(series: Series) -> dict[str, Any]:
    order = {s.value: i for i, s in enumerate(Status)}
    by_status = {status: int(n) for (status,), n in by_labels(series, "hub_shipments", "status").items() if n}
    by_status = dict(sorted(by_status.items(), key=lambda kv: order.get(kv[0], len(order))))
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "stale": int(sum(series.get("hub_stale_shipments", {}).values())),
    }


def _corridors(series: Series) -> list[dict[str, Any]]:
    days = histograms(series, "hub_corridor_delivery_days", "corridor")
    timeliness = by_labels(series, "hub_deliveries", "corridor", "on_time")
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
            **{f"{k}_days": v for k, v in quantiles(histogram).items()},
            "on_time": on_time,
            "late": late,
            "on_time_rate": on_time / (on_time + late) if on_time + late else None,
            # Delivered, but only untimed snapshots say when: outside the clock and the rate.
            "delivered_time_unknown": int(timeliness.get((corridor, "unknown"), 0)),
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
            **{f"{k}_days": v for k, v in quantiles(histogram).items()},
        })
    return rows


def _corridor_legs(series: Series, corridors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Service levels per country pair and leg: shipments, p50 and p90 days; beside them the
    pair's on-time rate (of its corridors' judged deliveries), since a promise is made for the
    whole journey, not for a leg."""
    days = histograms(series, "hub_corridor_leg_days", "corridor", "leg")
    judged: dict[str, list[int]] = {}
    for row in corridors:
        pair = "-".join(row["corridor"].split("-")[:2])
        counts = judged.setdefault(pair, [0, 0])
        counts[0] += row["on_time"]
        counts[1] += row["on_time"] + row["late"]
    order = {leg.value: i for i, leg in enumerate(Leg)}
    rows = []
    for pair, leg in sorted(days, key=lambda key: (key[0], order.get(key[1], len(order)), key[1])):
        histogram = days[(pair, leg)]
        on_time, total = judged.get(pair, [0, 0])
        rows.append({
            "corridor": pair, "leg": leg, "shipments": int(histogram["count"]),
            **{f"{k}_days": v for k, v in quantiles(histogram).items()},
            "corridor_on_time_rate": on_time / total if total else None,
        })
    return rows


def _settlements(series: Series) -> list[dict[str, Any]]:
    entries = by_labels(series, "hub_settlement_entries_total", "contract", "kind")
    amounts = by_labels(series, "hub_settlement_amount_minor", "contract", "kind", "currency")
    rows = []
    for contract, kind in sorted(set(entries) | {(c, k) for c, k, _ in amounts}):
        rows.append({
            "contract": contract, "kind": kind, "entries": int(entries.get((contract, kind), 0)),
            "amount_minor": {cur: int(n) for (c, k, cur), n in sorted(amounts.items()) if (c, k) == (contract, kind)},
        })
    return rows
