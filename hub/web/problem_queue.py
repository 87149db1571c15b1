"""The problem queue on /ops: every worker's parcels still moving (from the summaries of the
timeline partitions it owns), judged against the installation's leg levels
(hub/stages/predict.py), the latest first."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hub.config import Settings
from hub.kafka.table_summaries import owned_summaries
from hub.stages.predict import Moving, levels_from_figures, problem_queue

# The page lists this many; the count is of all.
SHOWN = 50


def owned_moving(app: Any, settings: Settings, timelines: Any) -> dict[str, Any]:
    """This worker's parcels still moving, and the latest event time it holds (the stream clock)."""
    parcels, latest = [], None
    for _partition, summary in owned_summaries(app, settings, timelines):
        if summary.get("last_event_at") is not None:
            latest = max(latest or 0.0, summary["last_event_at"])
        if summary.get("moving"):
            parcels.append(summary["moving"])
    return {"parcels": parcels, "latest_event_at": latest}


def queue(figures: dict[str, Any], answers: list[dict[str, Any]], clock: str) -> dict[str, Any]:
    """The problems of the installation, from every worker's `owned_moving` answer."""
    parcels = [Moving.from_json(p) for answer in answers for p in answer.get("parcels", [])]
    latest = [a["latest_event_at"] for a in answers if a.get("latest_event_at") is not None]
    now = datetime.fromtimestamp(max(latest), tz=timezone.utc) if clock == "stream" and latest else datetime.now(timezone.utc)
    found = problem_queue(parcels, levels_from_figures(figures.get("corridor_legs", [])), now)
    return {
        "judged_at": now.isoformat(timespec="seconds"), "moving": len(parcels), "count": len(found),
        "shown": [{"shipment_id": o.shipment_id, "corridor": o.corridor, "leg": o.leg, "holder": o.holder,
                   "dwell_days": o.dwell_days, "late_days": o.late_days, "why": o.why, "rests_on": o.rests_on,
                   "estimate": o.estimate.isoformat(timespec="minutes") if o.estimate else None} for o in found[:SHOWN]],
    }
