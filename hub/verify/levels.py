"""Service levels per country pair, worked out exactly (no histogram buckets) from the ground
truth and from the hub's timelines, so `/ops`'s interpolated figures can be held against
both: delivered parcels on the clock, their p50 and p90 days, and the on-time rate."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hub.stages.service_clock import ServiceTimes, on_time, service_times
from schemas.timeline import Timeline


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def _row(days: list[float], verdicts: list[bool]) -> dict[str, Any]:
    return {"delivered": len(days), "p50_days": _percentile(sorted(days), 0.5), "p90_days": _percentile(sorted(days), 0.9),
            "on_time_rate": sum(verdicts) / len(verdicts) if verdicts else None}


def truth_levels(truths: list[dict[str, Any]], corridor_days: Callable[[str], float]) -> dict[str, dict[str, Any]]:
    samples: dict[str, tuple[list[float], list[bool]]] = {}
    for truth in truths:
        started, available = truth.get("service_started_at"), truth.get("available_at")
        if truth["final_status"] != "delivered" or not started or not available:
            continue
        times = ServiceTimes(datetime.fromisoformat(started), datetime.fromisoformat(available), None)
        pair = f"{truth['origin_country']}-RU"
        promised = datetime.fromisoformat(truth["promised_delivery"]) if truth.get("promised_delivery") else None
        days, verdicts = samples.setdefault(pair, ([], []))
        days.append((times.available_at - times.started_at).total_seconds() / 86400)  # type: ignore[operator]
        verdicts.append(bool(on_time(times, promised, corridor_days(pair))))
    return {pair: _row(*sample) for pair, sample in sorted(samples.items())}


def hub_levels(timelines: dict[str, dict[str, Any]], corridor_days: Callable[[str], float]) -> dict[str, dict[str, Any]]:
    samples: dict[str, tuple[list[float], list[bool]]] = {}
    for record in timelines.values():
        if record.get("kind") != "timeline" or record.get("status") != "delivered":
            continue
        timeline = Timeline.model_validate(record)
        times = service_times(timeline)
        if timeline.corridor is None or times.observed or times.started_at is None or times.available_at is None:
            continue
        corridor = timeline.corridor
        pair = f"{corridor.origin_country}-{corridor.destination_country}"
        key = f"{pair}-{corridor.destination_city}"
        days, verdicts = samples.setdefault(pair, ([], []))
        days.append((times.available_at - times.started_at).total_seconds() / 86400)
        verdicts.append(bool(on_time(times, timeline.promised_delivery, corridor_days(key))))
    return {pair: _row(*sample) for pair, sample in sorted(samples.items())}
