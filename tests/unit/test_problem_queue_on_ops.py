"""The problem queue as /ops and `hub ops` show it (issue 18, item 5), from every worker's
parcels still moving and the installation's leg levels."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.cli.ops import render_frame
from hub.stages.predict import Moving
from hub.web.ops_page import render_page
from hub.web.problem_queue import queue
from schemas import Leg
from tests.unit.test_corridor_leg_levels import figures  # noqa: F401 - the fixture: three RU-RU deliveries

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)


def parcel(n: int, hours_in_leg: float) -> dict:
    return Moving(f"shp_{n}", "RU-RU", Leg.LINE_HAUL, "cdek", T0 - timedelta(hours=hours_in_leg), None).as_json()


def test_two_workers_parcels_are_judged_against_the_levels_on_the_streams_clock(figures) -> None:  # noqa: F811
    levels = [{**row, "shipments": 10} for row in figures["corridor_legs"]]  # enough parcels to judge by
    answers = [{"parcels": [parcel(1, 24 * 8)], "latest_event_at": (T0 - timedelta(days=1)).timestamp()},
               {"parcels": [parcel(2, 2), parcel(3, 24 * 6)], "latest_event_at": T0.timestamp()}]
    found = queue({"corridor_legs": levels}, answers, "stream")
    assert found["judged_at"] == T0.isoformat()
    assert found["moving"] == 3 and found["count"] == 2
    assert [p["shipment_id"] for p in found["shown"]] == ["shp_1", "shp_3"]  # the latest first
    assert all(p["why"] == "dwell" and p["holder"] == "cdek" for p in found["shown"])


def test_the_page_and_hub_ops_list_them(figures) -> None:  # noqa: F811
    levels = [{**row, "shipments": 10} for row in figures["corridor_legs"]]
    shown = {**figures, "problems": queue({"corridor_legs": levels}, [{"parcels": [parcel(1, 24 * 8)], "latest_event_at": T0.timestamp()}],
                                          "stream")}
    page = render_page(shown)
    assert "problem.shp_1.late_days" in page and "1 of 1 parcels still moving" in page
    assert "problems: 1 of 1 parcels still moving" in render_frame(shown)
