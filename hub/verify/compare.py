"""Field by field, the hub's timelines against a simulation's ground truth: pure, no Kafka.

A field agrees for a shipment when the hub says what the story says. Each disagreement is
kept as one line naming the shipment, the field, the hub's value and the truth's, so a
change to an adapter or to the fold shows exactly which journeys it moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.stages.service_clock import ServiceTimes, on_time, service_times
from schemas.timeline import Timeline

FIELDS = ("final status", "identifiers", "carriers", "legs", "delivery time", "on-time verdict")
# Times are compared to the second the partners write them; a minute absorbs nothing real
# (simulated steps are whole seconds) but keeps a rounding in some format from counting.
TIME_TOLERANCE_SECONDS = 60


@dataclass
class Agreement:
    """Per field: how many shipments were compared, and what disagreed."""

    compared: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    disagreements: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    # Shipments the hub honestly could not judge (untimed snapshots only), per field.
    unknown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def count(self, name: str, shipment: str, hub: Any, truth: Any, agrees: bool) -> None:
        self.compared[name] += 1
        if not agrees:
            self.disagreements[name].append(f"{shipment}: hub {_show(hub)}, truth {_show(truth)}")

    def share(self, name: str) -> float:
        compared = self.compared[name]
        return 1.0 if compared == 0 else (compared - len(self.disagreements[name])) / compared


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "/".join(_show(v) for v in value)
    return "-" if value is None else str(value)


def carriers(legs: list[dict[str, Any]]) -> list[str]:
    """The carriers in the order they held the parcel, each once."""
    seen: list[str] = []
    for leg in legs:
        if leg["partner"] not in seen:
            seen.append(leg["partner"])
    return seen


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def same_time(first: str | None, second: str | None) -> bool:
    a, b = _time(first), _time(second)
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) <= TIME_TOLERANCE_SECONDS


def _legs(legs: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(leg["leg"], leg["partner"], leg["entered_at"]) for leg in legs]


def legs_agree(hub: list[dict[str, Any]], truth: list[dict[str, Any]]) -> bool:
    """Same kinds and carriers in the same order, entered at the same times; a boundary the
    hub could only date by when it heard of it (`time_source = observed`) is not held to the
    second: it is shown as observed, and its kind and carrier must still agree."""
    if [(a, b) for a, b, _ in _legs(hub)] != [(a, b) for a, b, _ in _legs(truth)]:
        return False
    return all(h.get("time_source") == "observed" or same_time(h["entered_at"], t["entered_at"])
               for h, t in zip(hub, truth, strict=True))


def compare(truths: list[dict[str, Any]], timelines: dict[str, dict[str, Any]],
            corridor_days: Callable[[str], float]) -> Agreement:
    """`timelines`: shipment id → its latest `hub.timelines` record, redirects already followed."""
    agreement = Agreement()
    for truth in truths:
        name = f"{truth['shipment']} ({truth['scenario']})"
        timeline = timelines.get(truth["shipment_id"])
        if timeline is None or timeline.get("kind") != "timeline":
            for f in FIELDS:
                agreement.count(f, name, "no timeline", truth["shipment_id"], False)
            continue
        agreement.count("final status", name, timeline["status"], truth["final_status"],
                        timeline["status"] == truth["final_status"])
        agreement.count("identifiers", name, sorted(timeline["identifiers"]), truth["identifiers"],
                        sorted(timeline["identifiers"]) == sorted(truth["identifiers"]))
        hub_carriers, true_carriers = carriers(timeline["legs"]), carriers(truth["legs"])
        agreement.count("carriers", name, hub_carriers, true_carriers, hub_carriers == true_carriers)
        agreement.count("legs", name, _legs(timeline["legs"]), _legs(truth["legs"]),
                        legs_agree(timeline["legs"], truth["legs"]))
        _service(agreement, name, truth, Timeline.model_validate(timeline), corridor_days)
    return agreement


def _service(agreement: Agreement, name: str, truth: dict[str, Any], timeline: Timeline,
             corridor_days: Callable[[str], float]) -> None:
    """Delivery time and on-time verdict. Where the hub only has untimed snapshots it says
    "time unknown" rather than guess: counted apart, not as a disagreement."""
    times = service_times(timeline)
    if times.delivered_time_unknown and truth["delivered_at"] is not None:
        agreement.unknown["delivery time"] += 1
    else:
        hub_delivered = times.delivered_at.isoformat() if times.delivered_at else None
        agreement.count("delivery time", name, hub_delivered, truth["delivered_at"],
                        same_time(hub_delivered, truth["delivered_at"]))
    corridor = timeline.corridor
    key = f"{corridor.origin_country}-{corridor.destination_country}-{corridor.destination_city}" if corridor else ""
    verdict = on_time(times, timeline.promised_delivery, corridor_days(key))
    true_times = ServiceTimes(_time(truth.get("service_started_at")), _time(truth.get("available_at")), None)
    true_verdict = on_time(true_times, _time(truth.get("promised_delivery")), corridor_days(f"{truth['origin_country']}-RU"))
    if verdict is None and times.observed and true_verdict is not None:
        agreement.unknown["on-time verdict"] += 1
        return
    agreement.count("on-time verdict", name, verdict, true_verdict, verdict == true_verdict)
