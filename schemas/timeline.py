"""What `hub.timelines` carries, keyed by shipment id: a timeline, or a redirect for a merged id.

A redirect is not a tombstone: a compacted topic would drop a tombstone, and a consumer
holding the old id must still find where the parcel went.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from schemas.enums import Leg, Milestone, Status
from schemas.event import CanonicalEvent, TimeSource, UtcDatetime

_frozen = ConfigDict(frozen=True, extra="forbid")


class LegSpan(BaseModel):
    model_config = _frozen

    leg: Leg
    partner: str
    entered_at: UtcDatetime
    exited_at: UtcDatetime | None = None
    # `observed` when the event that opened the leg had no time of its own (a snapshot dated
    # when first received): the boundary is when the hub learnt of it, not when it happened.
    time_source: TimeSource = TimeSource.PARTNER


class Corridor(BaseModel):
    model_config = _frozen

    origin_country: str | None = None
    destination_country: str | None = None
    destination_city: str = "*"


class Timeline(BaseModel):
    model_config = _frozen

    kind: Literal["timeline"] = "timeline"
    shipment_id: str
    identifiers: tuple[str, ...]
    orders: tuple[str, ...] = ()
    status: Status
    milestone: Milestone
    # Events sorted by (occurred_at, event_id), one per event_id.
    events: tuple[CanonicalEvent, ...]
    legs: tuple[LegSpan, ...] = ()
    # First time each milestone was reached.
    milestones: dict[Milestone, UtcDatetime] = Field(default_factory=dict)
    corridor: Corridor | None = None
    promised_delivery: UtcDatetime | None = None
    last_event_at: UtcDatetime | None = None


class TimelineRedirect(BaseModel):
    model_config = _frozen

    kind: Literal["redirect"] = "redirect"
    shipment_id: str
    to: str


TimelineRecord = Annotated[Timeline | TimelineRedirect, Field(discriminator="kind")]
TIMELINE_RECORD = TypeAdapter(TimelineRecord)
