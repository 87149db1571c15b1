"""A bare number fitting several schemes resolves to what the hub has seen (issue 18, item 6)."""

from __future__ import annotations

import pytest

from hub.web.bare_numbers import bare_number_answer

pytestmark = pytest.mark.unit

CANDIDATES = ["aliexpress_order:1487220500", "cdek:1487220500", "wb_task:1487220500"]


def timeline(shipment_id: str) -> dict:
    return {"found": True, "timeline": {"shipment_id": shipment_id}}


def test_the_one_parcel_seen_is_the_answer() -> None:
    status, body = bare_number_answer("1487220500", CANDIDATES, {"cdek:1487220500": timeline("shp_a")})
    assert status == 200
    assert body["timeline"]["shipment_id"] == "shp_a" and body["resolved_as"] == ["cdek:1487220500"]


def test_several_parcels_seen_are_listed_and_nothing_else() -> None:
    status, body = bare_number_answer("1487220500", CANDIDATES, {
        "cdek:1487220500": timeline("shp_a"), "wb_task:1487220500": timeline("shp_b")})
    assert status == 300 and body["seen"] is True
    assert body["candidates"] == ["cdek:1487220500", "wb_task:1487220500"]
    assert body["shipments"] == {"cdek:1487220500": "shp_a", "wb_task:1487220500": "shp_b"}


def test_two_identifiers_of_one_parcel_are_one_answer() -> None:
    status, body = bare_number_answer("1487220500", CANDIDATES, {
        "cdek:1487220500": timeline("shp_a"), "wb_task:1487220500": timeline("shp_a")})
    assert status == 200 and body["resolved_as"] == ["cdek:1487220500", "wb_task:1487220500"]


def test_only_a_number_the_hub_never_saw_fits_several_schemes() -> None:
    status, body = bare_number_answer("1487220500", CANDIDATES, {})
    assert status == 300 and body["seen"] is False and body["candidates"] == CANDIDATES
