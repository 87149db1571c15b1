"""Service levels per corridor and leg (issue 18, item 4): from timeline summaries through
the metrics every worker serves to the /ops figures, the page and `hub ops`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from hub.cli.ops import render_frame
from hub.config import Settings
from hub.metrics import TimelineCollector
from hub.stages.timeline_build import build_timeline, summarise
from hub.web.ops_figures import aggregate
from hub.web.ops_page import render_page
from schemas import CanonicalEvent, Location

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)


def journey(number: int, line_haul_hours: int) -> dict:
    """A CDEK parcel: accepted, 6 h of first mile, `line_haul_hours` of line haul, then delivered."""
    steps = [("accepted", "in_transit", 0, "Москва", "RECEIVED_AT_SHIPMENT_WAREHOUSE"),
             ("departed_facility", "in_transit", 6, "Москва", "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY"),
             ("arrived_at_facility", "in_transit", 6 + line_haul_hours, "Казань", "ACCEPTED_IN_RECIPIENT_CITY"),
             ("delivered", "delivered", 10 + line_haul_hours, "Казань", "DELIVERED")]
    events = [CanonicalEvent(
        event_id=f"evt_{number}_{n}", partner="cdek", partner_kind="courier", adapter_version=1, subject=(f"cdek:{number}",),
        status=status, milestone=milestone, occurred_at=T0 + timedelta(hours=hours), received_at=T0 + timedelta(hours=hours),
        raw_code=raw, location=Location(country="RU", city=city)) for n, (milestone, status, hours, city, raw) in enumerate(steps)]
    return summarise(build_timeline(f"shp_{number}", {e.event_id: e for e in events}))


@pytest.fixture(scope="module")
def figures() -> dict:
    # Line haul of 1, 2 and 5 days; the 5-day one is late on RU-RU's 4 days.
    summaries = [(0, journey(1000000001, 24)), (0, journey(1000000002, 48)), (1, journey(1000000003, 120))]
    registry = CollectorRegistry()
    registry.register(TimelineCollector(lambda: summaries, lambda: T0, 72.0, Settings().days_for_corridor))
    return aggregate([("http://a", generate_latest(registry).decode())])


def test_each_leg_of_each_corridor_has_its_count_and_percentiles(figures) -> None:
    rows = {(r["corridor"], r["leg"]): r for r in figures["corridor_legs"]}
    assert set(rows) == {("RU-RU", "first_mile"), ("RU-RU", "line_haul"), ("RU-RU", "last_mile")}
    haul = rows[("RU-RU", "line_haul")]
    assert haul["shipments"] == 3
    # Buckets at 1, 1.5, 2, 3, 4, 5 days: the median's rank 1.5 falls between 1.5 and 2 days
    # (Prometheus interpolates within the bucket; the true median is 2).
    assert 1.5 < haul["p50_days"] <= 2.0
    assert 4.0 < haul["p90_days"] <= 5.0
    assert rows[("RU-RU", "first_mile")]["p90_days"] <= 0.25
    assert haul["corridor_on_time_rate"] == pytest.approx(2 / 3)


def test_the_ops_page_and_hub_ops_show_them(figures) -> None:
    page = render_page(figures)
    assert "Service levels per corridor and leg" in page and "corridor_leg.RU-RU.line_haul.p90_days" in page
    text = render_frame(figures)
    line = next(line for line in text.splitlines() if "line_haul" in line)
    assert line.split()[:3] == ["RU-RU", "line_haul", "3"] and "66.7%" in line
