"""The leg model as the hub reads it from canonical events, and honest delivery times
(docs/architecture.md#legs-and-service-levels; issue 18)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.stages.service_clock import on_time, service_times
from hub.stages.timeline_build import build_timeline
from schemas import CanonicalEvent, Location

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)


def event(n: int, partner: str, kind: str, milestone: str, status: str = "in_transit", *, postcode: str | None = None,
          observed: bool = False, raw: str | None = None) -> CanonicalEvent:
    return CanonicalEvent(
        event_id=f"evt_{n:03d}", partner=partner, partner_kind=kind, adapter_version=1, subject=("hub:P1",),
        status=status, milestone=milestone, occurred_at=T0 + timedelta(hours=n), received_at=T0 + timedelta(hours=n),
        raw_code=raw or milestone, time_source="observed" if observed else "partner",
        location=Location(country="RU", postcode=postcode) if postcode else None,
    )


def legs(events: list[CanonicalEvent]) -> list[tuple[str, str]]:
    timeline = build_timeline("shp_1", {e.event_id: e for e in events})
    return [(span.leg.value, span.partner) for span in timeline.legs]


def test_a_bonded_warehouse_clears_goods_inside_it_then_the_post_carries_the_last_mile() -> None:
    found = legs([
        event(1, "wh_moscow", "warehouse", "warehouse_inbound"),
        event(2, "wh_moscow", "warehouse", "import_customs_started"),
        event(3, "wh_moscow", "warehouse", "import_customs_cleared"),
        event(4, "wh_moscow", "warehouse", "warehouse_stored"),
        event(5, "wh_moscow", "warehouse", "warehouse_outbound"),
        # The post's own first mile after the outbound is still the buyer's last mile.
        event(6, "russian_post", "post", "accepted", postcode="101000"),
        event(7, "russian_post", "post", "arrived_at_pickup_point", "available_for_pickup", postcode="420111"),
        event(8, "russian_post", "post", "delivered", "delivered", postcode="420111"),
    ])
    assert found == [("destination_warehouse", "wh_moscow"), ("import_customs", "wh_moscow"),
                     ("destination_warehouse", "wh_moscow"), ("last_mile", "wh_moscow"),
                     ("last_mile", "russian_post"), ("pickup_point", "russian_post")]


def test_a_domestic_parcel_leaves_its_origin_place_then_arrives_at_the_destination() -> None:
    found = legs([
        event(1, "russian_post", "post", "accepted", postcode="117485"),
        event(2, "russian_post", "post", "departed_facility", postcode="117485"),  # same office: first mile
        event(3, "russian_post", "post", "arrived_at_facility", postcode="140980"),
        event(4, "russian_post", "post", "departed_facility", postcode="140980"),  # leaves the origin place
        event(5, "russian_post", "post", "arrived_at_facility", postcode="420300"),
        event(6, "russian_post", "post", "return_started", "returning", postcode="420300"),
        event(7, "russian_post", "post", "arrived_at_pickup_point", "returning", postcode="117485"),  # stays return
    ])
    assert found == [("first_mile", "russian_post"), ("line_haul", "russian_post"), ("last_mile", "russian_post"),
                     ("return", "russian_post")]


def test_clearances_open_the_next_leg_and_legs_never_go_back() -> None:
    found = legs([
        event(1, "cainiao", "logistics_platform", "accepted"),
        event(2, "cainiao", "logistics_platform", "export_customs_started"),
        event(3, "cainiao", "logistics_platform", "export_customs_cleared"),
        event(4, "cainiao", "logistics_platform", "handed_over"),
        event(5, "cainiao", "logistics_platform", "accepted"),  # a late generic scan: still line haul
        event(6, "cainiao", "logistics_platform", "import_customs_started"),
        event(7, "cainiao", "logistics_platform", "import_customs_cleared"),
    ])
    assert found == [("first_mile", "cainiao"), ("export_customs", "cainiao"), ("line_haul", "cainiao"),
                     ("import_customs", "cainiao"), ("last_mile", "cainiao")]


def test_a_delivery_known_only_from_untimed_snapshots_has_no_time() -> None:
    timeline = build_timeline("shp_1", {e.event_id: e for e in [
        event(1, "wildberries", "marketplace", "handed_over", observed=True),
        event(30, "wildberries", "marketplace", "delivered", "delivered", observed=True),
    ]})
    times = service_times(timeline)
    assert times.delivered_at is None and times.delivered_time_unknown
    assert on_time(times, None, 4.0) is None
    assert timeline.legs[0].time_source.value == "observed"


def test_a_timed_delivery_wins_over_an_earlier_observed_one_for_the_same_fact() -> None:
    timeline = build_timeline("shp_1", {e.event_id: e for e in [
        event(1, "cdek", "courier", "accepted"),
        event(20, "ozon", "marketplace", "delivered", "delivered", observed=True),
        event(22, "cdek", "courier", "delivered", "delivered"),
    ]})
    times = service_times(timeline)
    assert times.delivered_at == T0 + timedelta(hours=22) and not times.delivered_time_unknown
    assert times.started_at == T0 + timedelta(hours=1)
    assert on_time(times, None, 1.0) is True
    assert on_time(times, T0 + timedelta(hours=21), 30.0) is False  # a promise beats the corridor's level


def test_snapshots_read_within_a_millisecond_in_any_order_give_the_journeys_legs() -> None:
    # A replay reads a Wildberries task's states at once: their observed times say nothing.
    states = [("handed_over", "in_transit", "complete/waiting"), ("arrived_at_facility", "in_transit", "complete/sorted"),
              ("arrived_at_pickup_point", "available_for_pickup", "complete/ready_for_pickup"),
              ("delivered", "delivered", "complete/sold")]
    for shift in range(4):
        rotated = states[shift:] + states[:shift]
        events = [event(n, "wildberries", "marketplace", m, s, observed=True, raw=raw).model_copy(
            update={"occurred_at": T0 + timedelta(milliseconds=n)}) for n, (m, s, raw) in enumerate(rotated)]
        timeline = build_timeline("shp_1", {e.event_id: e for e in events})
        assert [span.leg.value for span in timeline.legs] == ["first_mile", "line_haul", "pickup_point"], shift
        assert all(span.exited_at is None or span.exited_at >= span.entered_at for span in timeline.legs)
        assert timeline.status.value == "delivered"


def test_an_untimed_delivery_is_counted_apart_and_reaches_no_percentile() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from hub.config import Settings
    from hub.metrics import TimelineCollector
    from hub.stages.timeline_build import summarise

    timeline = build_timeline("shp_1", {e.event_id: e for e in [
        event(1, "wildberries", "marketplace", "handed_over", observed=True, raw="complete/waiting"),
        event(2, "wildberries", "marketplace", "arrived_at_facility", observed=True, raw="complete/sorted"),
        event(30, "wildberries", "marketplace", "delivered", "delivered", observed=True, raw="complete/sold"),
    ]})
    summary = summarise(timeline)
    assert summary["delivered_time_unknown"] and summary["available_at"] is None and summary["delivered_at"] is None
    assert summary["legs"] == {}
    registry = CollectorRegistry()
    registry.register(TimelineCollector(lambda: [(0, summary)], lambda: T0, 72.0, Settings().days_for_corridor))
    text = generate_latest(registry).decode()
    assert 'hub_deliveries{corridor="RU-RU-*",on_time="unknown"} 1.0' in text
    assert "hub_corridor_delivery_days_count" not in text


def test_an_untimed_snapshot_of_a_fact_a_timed_event_tells_sets_no_boundary() -> None:
    # SPSR's "processing" snapshot read before the timed acceptance it duplicates.
    timeline = build_timeline("shp_1", {e.event_id: e for e in [
        event(1, "spsr", "courier", "accepted", observed=True, raw="Обработка"),
        event(5, "spsr", "courier", "accepted", raw="Принято"),
        event(9, "spsr", "courier", "delivered", "delivered", raw="Доставлено"),
    ]})
    assert [(s.leg.value, s.entered_at, s.time_source.value) for s in timeline.legs] == [
        ("first_mile", T0 + timedelta(hours=5), "partner"), ("last_mile", T0 + timedelta(hours=9), "partner")]
    assert len(timeline.events) == 3  # kept, only not used to date the leg
