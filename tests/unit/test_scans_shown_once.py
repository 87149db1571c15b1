"""One scan told by several partners is shown once with all its sources (issue 18, item 3);
observed times are shown as such; the events themselves stay in the timeline."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from itertools import permutations

import pytest

from hub.cli.timeline import render_timeline, shown_scans
from hub.stages.scans import scans
from hub.stages.timeline_build import build_timeline
from schemas import CanonicalEvent

pytestmark = pytest.mark.unit

T0 = datetime(2026, 5, 30, 3, 5, tzinfo=timezone.utc)


def event(eid: str, partner: str, kind: str, milestone: str, at: timedelta, raw: str, *, observed: bool = False,
          status: str = "in_transit") -> CanonicalEvent:
    return CanonicalEvent(
        event_id=eid, partner=partner, partner_kind=kind, adapter_version=1, subject=("cainiao:LP00427162016908",),
        status=status, milestone=milestone, occurred_at=T0 + at, received_at=T0 + at + timedelta(hours=1),
        raw_code=raw, time_source="observed" if observed else "partner",
    )


EVENTS = [
    event("evt_c1", "cainiao", "logistics_platform", "accepted", timedelta(0), "PU_PICKUP_SUCCESS"),
    event("evt_a1", "aliexpress", "marketplace", "accepted", timedelta(0), "PU_PICKUP_SUCCESS"),
    event("evt_c2", "cainiao", "logistics_platform", "arrived_at_facility", timedelta(hours=7), "SC_INBOUND_SUCCESS"),
    event("evt_a2", "aliexpress", "marketplace", "arrived_at_facility", timedelta(hours=7, minutes=2), "SC_INBOUND_SUCCESS"),
    # The same milestone hours later is another fact, and an untimed snapshot is only its own.
    event("evt_c3", "cainiao", "logistics_platform", "arrived_at_facility", timedelta(hours=30), "LH_HO_IN_SUCCESS"),
    event("evt_a3", "aliexpress", "marketplace", "handed_over", timedelta(hours=3), "WAIT_BUYER_ACCEPT_GOODS", observed=True),
]


def timeline_of(events):
    return build_timeline("shp_1", {e.event_id: e for e in events})


def test_a_relayed_scan_is_shown_once_with_both_sources_and_codes() -> None:
    shown = scans(timeline_of(EVENTS))
    assert [[e.event_id for e in s.sources] for s in shown] == [
        ["evt_c1", "evt_a1"], ["evt_a3"], ["evt_c2", "evt_a2"], ["evt_c3"]]
    # The carrier tells the time; the relay's two minutes later are within the tolerance.
    assert shown[2].occurred_at == T0 + timedelta(hours=7)
    assert shown[1].observed and not shown[0].observed


def test_nothing_is_dropped_from_the_timeline_and_any_order_shows_the_same() -> None:
    assert len(timeline_of(EVENTS).events) == len(EVENTS)
    expected = [s.as_json() for s in scans(timeline_of(EVENTS))]
    for order in list(permutations(EVENTS))[::97]:
        assert [s.as_json() for s in scans(timeline_of(list(order)))] == expected


def test_two_carriers_saying_the_same_are_not_merged() -> None:
    # Neither relays the other: a post and a courier both scanning is two facts.
    shown = scans(timeline_of([
        event("evt_p", "russian_post", "post", "arrived_at_facility", timedelta(0), "8.3"),
        event("evt_k", "cdek", "courier", "arrived_at_facility", timedelta(minutes=1), "ACCEPTED_IN_RECIPIENT_CITY"),
    ]))
    assert len(shown) == 2


def test_hub_timeline_prints_the_scan_once_and_marks_observed_times() -> None:
    timeline = json.loads(timeline_of(EVENTS).model_dump_json())
    text = render_timeline(timeline)
    assert text.count("PU_PICKUP_SUCCESS | PU_PICKUP_SUCCESS") == 1
    assert "cainiao+aliexpress" in text
    observed_line = next(line for line in text.splitlines() if "WAIT_BUYER_ACCEPT_GOODS" in line)
    assert "(observed)" in observed_line
    assert len(shown_scans(timeline)) == 4 and shown_scans(timeline)[1]["time_source"] == "observed"
