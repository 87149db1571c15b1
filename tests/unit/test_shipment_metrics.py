"""The stale-shipment and on-time figures operations alert on (`hub_stale_shipments`,
`hub_deliveries`), from timelines built of real CDEK adapter events, against a fixed clock.

Expected values are worked out by hand in the comments from the default settings: stale after
72 hours without news unless delivered, returned or cancelled; RU-RU parcels due 4 days after
their acceptance when no promised date is known (the service clock: acceptance to the moment
the buyer can have the parcel; these journeys go to the door, so to the delivery).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from hub.config import Settings
from hub.metrics import TimelineCollector
from hub.stages.timeline_build import build_timeline, summarise
from schemas import PartnerKind
from tests.support.cdek_sequence import JOURNEY, webhook

pytestmark = pytest.mark.unit

OPTIONS = AdapterOptions("cdek", PartnerKind.COURIER, country="RU")
# The scrape happens at this instant (HUB_CLOCK=wall reads the wall clock; here it is fixed).
NOW = datetime(2026, 3, 6, 0, 0, tzinfo=timezone.utc)


def summary(number: str, steps: list[tuple[str, str]]) -> dict:
    events = {}
    for code, when in steps:
        raw = webhook(code, when, cdek_number=number)
        for event in run_adapter("cdek", raw, received_at=NOW, options=OPTIONS).events:
            events[event.event_id] = event
    return summarise(build_timeline(f"shp_{number}", events))


def journey(delivered_at: str) -> list[tuple[str, str]]:
    """To the door: the journey without its pickup point, then delivered."""
    return [(code, when) for code, when, _, _ in JOURNEY[:4]] + [("DELIVERED", delivered_at)]


# Acceptance in every journey: 2026-03-01T15:00+03:00 = 12:00 UTC (the order's creation before it
# is not on the clock).
ON_TIME = summary("1000000001", journey("2026-03-04T11:30:00+0700"))  # 04:30 UTC on the 4th: 2 d 16.5 h, within 4 days
AT_THE_LIMIT = summary("1000000002", journey("2026-03-05T19:00:00+0700"))  # 12:00 UTC on the 5th: exactly 4 days, still on time
LATE = summary("1000000003", journey("2026-03-05T19:00:01+0700"))  # one second over 4 days: late
# Last news 2026-03-02T09:00+03:00 = 06:00 UTC on the 2nd: 3 d 18 h before NOW, over 72 h: stale.
SILENT = summary("1000000004", [(code, when) for code, when, _, _ in JOURNEY[:3]])
# Last news 2026-03-03T14:00+07:00 = 07:00 UTC on the 3rd: 2 d 17 h before NOW: not stale yet.
WAITING = summary("1000000005", [(code, when) for code, when, _, _ in JOURNEY[:5]])


def scrape(summaries: list[tuple[int, dict]]) -> dict[tuple[str, tuple], float]:
    registry = CollectorRegistry()
    registry.register(TimelineCollector(lambda: summaries, lambda: NOW, Settings().stale_after_hours, Settings().days_for_corridor))
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples
        if sample.name in ("hub_stale_shipments", "hub_deliveries")
    }


def test_the_journeys_are_what_the_comments_say():
    assert [s["status"] for s in (ON_TIME, AT_THE_LIMIT, LATE, SILENT, WAITING)] == [
        "delivered", "delivered", "delivered", "in_transit", "available_for_pickup"]
    assert {s["corridor"] for s in (ON_TIME, AT_THE_LIMIT, LATE)} == {"RU-RU-Новосибирск"}


def test_stale_and_on_time_figures():
    figures = scrape([(0, ON_TIME), (0, SILENT), (1, AT_THE_LIMIT), (1, LATE), (1, WAITING), (2, ON_TIME)])
    corridor = ("corridor", "RU-RU-Новосибирск")
    assert figures == {
        # Partition 0: the silent parcel is stale; a delivered one never is, however old its news.
        ("hub_stale_shipments", (("partition", "0"),)): 1.0,
        # Partition 1: the delivered ones and a parcel waiting 2 d 17 h: none stale.
        ("hub_stale_shipments", (("partition", "1"),)): 0.0,
        ("hub_stale_shipments", (("partition", "2"),)): 0.0,
        # Two on time in 2 d 21.5 h, one in exactly 4 days; one a second late.
        ("hub_deliveries", (corridor, ("on_time", "true"))): 3.0,
        ("hub_deliveries", (corridor, ("on_time", "false"))): 1.0,
    }


def test_a_promised_date_overrides_the_corridor_service_level():
    # Promised for 2026-03-03T00:00 UTC: the delivery on the 4th is late, though within 4 days.
    promised = {**ON_TIME, "promised_delivery": datetime(2026, 3, 3, tzinfo=timezone.utc).timestamp()}
    figures = scrape([(0, promised)])
    assert figures[("hub_deliveries", (("corridor", "RU-RU-Новосибирск"), ("on_time", "false")))] == 1.0
    assert ("hub_deliveries", (("corridor", "RU-RU-Новосибирск"), ("on_time", "true"))) not in figures


def test_histogram_buckets_count_each_sample_in_every_bucket_at_or_above_it():
    from hub.metrics import DELIVERY_BUCKETS_DAYS, _buckets

    days = [0.0, -1.0, 1.0, 1.0000001, 2.5, 8.0, 9.9, 60.0, 61.0, 1000.0]  # on a bound, just above one, beyond the last
    assert _buckets(days, DELIVERY_BUCKETS_DAYS) == [
        *((str(b), sum(1 for d in days if d <= b)) for b in DELIVERY_BUCKETS_DAYS), ("+Inf", len(days))]
    assert _buckets([], DELIVERY_BUCKETS_DAYS)[-1] == ("+Inf", 0)
