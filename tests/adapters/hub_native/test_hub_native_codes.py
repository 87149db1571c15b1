"""Mapping coverage: every event docs/hub-native-format.md lists is in the table and implies a real status."""

from __future__ import annotations

import pytest

from adapters.hub_native.codes import EVENTS, RETURN_STATUS
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from the doc's "Events and the status each implies" table.
DOCUMENTED_EVENTS = """
order_placed accepted warehouse_inbound warehouse_stored warehouse_outbound certified export_customs_started
export_customs_cleared departed_origin arrived_destination_country import_customs_started import_customs_cleared
customs_held duty_paid arrived_at_facility departed_facility handed_over out_for_delivery arrived_at_pickup_point
storage_expiring delivery_attempt_failed delivered cod_collected return_started returned_to_sender cancelled lost damaged
""".split()


def test_every_documented_event_is_mapped() -> None:
    assert {m.value for m in EVENTS} == set(DOCUMENTED_EVENTS)
    for mapping in EVENTS.values():
        assert mapping.status is not Status.UNKNOWN
    assert Milestone.UNKNOWN not in EVENTS and Milestone.INFORMATIONAL not in EVENTS
    print(f"hub-native event table: {len(EVENTS)} rows")


def test_return_direction_never_moves_forward() -> None:
    forward = {Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP}
    for status in forward:
        assert RETURN_STATUS[status] is Status.RETURNING
    assert RETURN_STATUS[Status.DELIVERED] is Status.RETURNED
