"""Predicted delivery and the problem queue from a corridor's live leg levels (issue 18, item 5)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.stages.predict import LegLevel, levels_from_figures, outlook, problems
from hub.stages.timeline_build import build_timeline
from schemas import CanonicalEvent, Location

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
LEVELS = {("RU-RU", "first_mile"): LegLevel(40, 0.5, 1.0), ("RU-RU", "line_haul"): LegLevel(40, 2.0, 3.0),
          ("RU-RU", "last_mile"): LegLevel(40, 1.0, 2.0), ("RU-RU", "pickup_point"): LegLevel(40, 2.0, 6.0),
          ("CN-RU", "line_haul"): LegLevel(3, 5.0, 6.0)}


def in_line_haul(number: int, promised: datetime | None = None):
    """A CDEK parcel that left Moscow at T0 + 6 h and is on its way."""
    steps = [("accepted", 0, "RECEIVED_AT_SHIPMENT_WAREHOUSE"), ("departed_facility", 6, "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY")]
    events = {f"e{number}{n}": CanonicalEvent(
        event_id=f"evt_{number}_{n}", partner="cdek", partner_kind="courier", adapter_version=1, subject=(f"cdek:{1000000000 + number}",),
        status="in_transit", milestone=milestone, occurred_at=T0 + timedelta(hours=hours), received_at=T0,
        raw_code=raw, location=Location(country="RU", city="Москва"), promised_delivery=promised if n == 0 else None)
        for n, (milestone, hours, raw) in enumerate(steps)}
    return build_timeline(f"shp_{number}", {e.event_id: e for e in events.values()})


def test_the_estimate_adds_the_medians_of_the_current_and_later_legs_before_the_pickup_point() -> None:
    now = T0 + timedelta(days=1)
    found = outlook(in_line_haul(1), LEVELS, now)
    assert found is not None and found.leg == "line_haul" and found.holder == "cdek"
    # Line haul entered at T0 + 6 h: its median 2 d, then the last mile's 1 d.
    assert found.estimate == T0 + timedelta(hours=6) + timedelta(days=3)
    assert found.rests_on == 40 and found.why == ""


def test_a_parcel_over_its_legs_p90_is_a_problem_and_the_latest_comes_first() -> None:
    now = T0 + timedelta(days=5)  # 4.75 days in line haul, p90 3 days
    slow, later = in_line_haul(1), in_line_haul(2)
    later = later.model_copy(update={"legs": tuple(s.model_copy(update={"entered_at": s.entered_at - timedelta(days=1)})
                                                    for s in later.legs)})
    found = problems([slow, later], LEVELS, now)
    assert [o.shipment_id for o in found] == ["shp_2", "shp_1"]
    assert found[1].why == "dwell" and found[1].late_days == pytest.approx(1.75)
    # Over its median, the estimate is no sooner than now.
    assert found[1].estimate == now + timedelta(days=1)


def test_an_estimate_past_the_promise_is_a_problem_before_any_dwell_is() -> None:
    parcel = in_line_haul(3, promised=T0 + timedelta(days=2))
    found = problems([parcel], LEVELS, T0 + timedelta(days=1))
    assert len(found) == 1 and found[0].why == "promise" and found[0].late_days == pytest.approx(1.25)


def test_no_judgement_on_a_leg_too_few_parcels_measured() -> None:
    assert levels_from_figures([{"corridor": "RU-RU", "leg": "line_haul", "shipments": 2, "p50_days": None, "p90_days": None}]) == {}
    assert problems([in_line_haul(4)], {("RU-RU", "line_haul"): LegLevel(3, 0.1, 0.2)}, T0 + timedelta(days=9)) == []
