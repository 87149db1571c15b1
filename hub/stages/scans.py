"""One physical scan told by several partners, shown once with all its sources.

AliExpress relays Cainiao's scans and a marketplace repeats what its carrier said, so a
timeline holds the same fact twice, once per source. What is shown groups them: the same
milestone of the same parcel, within a few minutes, one partner relaying the other (a
marketplace repeating a carrier or platform). The timeline's events are untouched: this is a
view, computed when read, a function of the event set alone (any arrival order, one result).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.stages.timeline_build import AUTHORITY
from schemas import CanonicalEvent, Milestone, PartnerKind, TimeSource
from schemas.timeline import Timeline

# A relayed copy carries the carrier's own time; a few minutes absorb a relay that rounds it.
TOLERANCE = timedelta(minutes=5)
# Facts with no physical scan behind them are never merged: two "informational" codes are two facts.
_NEVER_MERGED = frozenset({Milestone.INFORMATIONAL, Milestone.UNKNOWN})


@dataclass(frozen=True)
class Scan:
    """What the reader sees once: the fact, dated by its best source, and every source."""

    occurred_at: datetime
    observed: bool  # dated only by when the hub first read it: no partner gave a time
    status: str
    milestone: str
    sources: tuple[CanonicalEvent, ...]  # the most authoritative (the teller of the time) first

    def as_json(self) -> dict:
        return {
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "time_source": "observed" if self.observed else "partner",
            "status": self.status, "milestone": self.milestone,
            "sources": [{"partner": e.partner, "raw_code": e.raw_code, "event_id": e.event_id,
                         "time_source": e.time_source.value} for e in self.sources],
        }


def _relays(first: CanonicalEvent, second: CanonicalEvent) -> bool:
    marketplaces = [e.partner_kind is PartnerKind.MARKETPLACE for e in (first, second)]
    return marketplaces[0] != marketplaces[1]


def _teller(event: CanonicalEvent) -> tuple:
    # Who dates the scan: a partner-given time, then the holder of the parcel, then the id.
    return (event.time_source is not TimeSource.PARTNER, -AUTHORITY[event.partner_kind], event.event_id)


def scans(timeline: Timeline) -> list[Scan]:
    groups: list[list[CanonicalEvent]] = []
    for event in timeline.events:  # sorted by (occurred_at, event_id)
        home = None
        if event.milestone not in _NEVER_MERGED:
            home = next((g for g in groups if g[0].milestone is event.milestone
                         and abs(g[0].occurred_at - event.occurred_at) <= TOLERANCE
                         and all(e.partner != event.partner for e in g)
                         and any(_relays(e, event) for e in g)), None)
        if home is None:
            groups.append([event])
        else:
            home.append(event)
    shown = []
    for group in groups:
        ordered = tuple(sorted(group, key=_teller))
        teller = ordered[0]
        shown.append(Scan(teller.occurred_at, teller.time_source is TimeSource.OBSERVED, teller.status.value,
                          teller.milestone.value, ordered))
    return sorted(shown, key=lambda s: (s.occurred_at, s.sources[0].event_id))
