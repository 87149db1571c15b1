"""Predicted delivery and the problem queue (issue 18, item 5): pure, from a timeline and the
live service levels of its corridor's legs (`/ops.json`'s `corridor_legs`).

A parcel still moving is estimated to reach the buyer when its current leg has lasted its
corridor's median for that leg and each later leg its median too; the estimate says how many
delivered parcels the current leg's figure rests on. It is a problem when it has dwelt in its
current leg longer than that leg's 90th percentile for its corridor, or when its estimate
passed the promise made to the buyer; problems are ordered by how late they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hub.stages.legs import RANK
from schemas import Leg, Status
from schemas.timeline import Timeline

FINAL = frozenset({Status.DELIVERED, Status.RETURNED, Status.CANCELLED, Status.RETURNING})
# Fewer delivered parcels than this behind a leg's figure, and the hub does not judge by it.
MIN_BASIS = 5


@dataclass(frozen=True)
class LegLevel:
    shipments: int
    p50_days: float
    p90_days: float


Levels = dict[tuple[str, str], LegLevel]  # (country pair, leg) → its service level


@dataclass(frozen=True)
class Outlook:
    shipment_id: str
    corridor: str
    leg: str
    holder: str  # the partner holding the parcel in its current leg
    dwell_days: float
    estimate: datetime | None
    rests_on: int  # delivered parcels behind the current leg's figure
    late_days: float  # how far past its p90 or its promise; 0 when neither
    why: str  # dwell | promise | ""


def levels_from_figures(rows: list[dict]) -> Levels:
    """`/ops.json`'s corridor_legs rows as service levels (rows without percentiles skipped)."""
    return {(r["corridor"], r["leg"]): LegLevel(r["shipments"], r["p50_days"], r["p90_days"]) for r in rows
            if r.get("p50_days") is not None and r.get("p90_days") is not None}


@dataclass(frozen=True)
class Moving:
    """What the outlook needs of a parcel still on its way to the buyer."""

    shipment_id: str
    corridor: str  # country pair
    leg: Leg
    holder: str
    entered_at: datetime
    promised: datetime | None

    def as_json(self) -> dict:
        return {"shipment_id": self.shipment_id, "corridor": self.corridor, "leg": self.leg.value, "holder": self.holder,
                "entered_at": self.entered_at.timestamp(), "promised": self.promised.timestamp() if self.promised else None}

    @classmethod
    def from_json(cls, data: dict) -> Moving:
        def moment(epoch: float | None) -> datetime | None:
            return datetime.fromtimestamp(epoch, tz=timezone.utc) if epoch is not None else None

        return cls(data["shipment_id"], data["corridor"], Leg(data["leg"]), data["holder"],
                   moment(data["entered_at"]) or datetime.min.replace(tzinfo=timezone.utc), moment(data["promised"]))


def moving(timeline: Timeline) -> Moving | None:
    """None for a parcel that is final, not yet on a leg, or already available to the buyer."""
    if timeline.status in FINAL or not timeline.legs or timeline.corridor is None:
        return None
    current = timeline.legs[-1]
    if current.leg in (Leg.PICKUP_POINT, Leg.RETURN):
        return None
    pair = f"{timeline.corridor.origin_country or '?'}-{timeline.corridor.destination_country or '?'}"
    return Moving(timeline.shipment_id, pair, current.leg, current.partner, current.entered_at, timeline.promised_delivery)


def outlook(timeline: Timeline, levels: Levels, now: datetime) -> Outlook | None:
    parcel = moving(timeline)
    return judge(parcel, levels, now) if parcel is not None else None


def judge(parcel: Moving, levels: Levels, now: datetime) -> Outlook:
    pair = parcel.corridor
    dwell = max(0.0, (now - parcel.entered_at).total_seconds() / 86400)
    level = levels.get((pair, parcel.leg.value))
    estimate = None
    if level is not None:
        later = [lv.p50_days for (p, leg), lv in levels.items()
                 if p == pair and leg in RANK_BY_NAME and RANK[parcel.leg] < RANK_BY_NAME[leg] < RANK[Leg.PICKUP_POINT]]
        # Never in the past: a parcel over its median is expected no sooner than now.
        estimate = max(parcel.entered_at + timedelta(days=level.p50_days), now) + timedelta(days=sum(later))
    late, why = 0.0, ""
    if level is not None and level.shipments >= MIN_BASIS and dwell > level.p90_days:
        late, why = dwell - level.p90_days, "dwell"
    if estimate is not None and parcel.promised is not None and estimate > parcel.promised:
        over = (estimate - parcel.promised).total_seconds() / 86400
        if over > late:
            late, why = over, "promise"
    return Outlook(parcel.shipment_id, pair, parcel.leg.value, parcel.holder, dwell, estimate,
                   level.shipments if level else 0, late, why)


RANK_BY_NAME = {leg.value: rank for leg, rank in RANK.items()}


def problems(timelines: list[Timeline], levels: Levels, now: datetime) -> list[Outlook]:
    """Parcels over their leg's p90 or past their promise, the latest first."""
    return problem_queue([m for m in (moving(t) for t in timelines) if m is not None], levels, now)


def problem_queue(parcels: list[Moving], levels: Levels, now: datetime) -> list[Outlook]:
    found = [o for o in (judge(p, levels, now) for p in parcels) if o.why]
    return sorted(found, key=lambda o: (-o.late_days, o.shipment_id))
