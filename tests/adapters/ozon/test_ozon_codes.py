"""Every Ozon code docs/partners/ozon.md lists is in the tables and maps to a real status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.ozon.codes import (
    CUTOFF_DATE_CHANGED,
    NON_LOGISTICS_PUSH_TYPES,
    PING,
    PUSH_TYPES,
    STATE_CHANGED,
    STATUSES,
    SUBSTATUSES,
)
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/ozon.md#posting-status.
DOCUMENTED_STATUSES = {
    "awaiting_registration", "acceptance_in_progress", "awaiting_approve", "awaiting_packaging",
    "awaiting_deliver", "awaiting_verification", "arbitration", "client_arbitration", "delivering",
    "driver_pickup", "delivered", "cancelled", "cancelled_from_split_pending", "not_accepted", "sent_by_seller",
}
# Written by hand from docs/partners/ozon.md#posting-substatus.
DOCUMENTED_SUBSTATUSES = {
    "posting_acceptance_in_progress", "posting_in_arbitration", "posting_created", "posting_in_carriage",
    "posting_not_in_carriage", "posting_registered", "posting_transferring_to_delivery",
    "posting_awaiting_passport_data", "posting_awaiting_registration", "posting_registration_error",
    "posting_split_pending", "posting_canceled", "posting_in_client_arbitration", "posting_delivered",
    "posting_received", "posting_conditionally_delivered", "posting_in_courier_service", "posting_in_pickup_point",
    "posting_on_way_to_city", "posting_on_way_to_pickup_point", "posting_returned_to_warehouse",
    "posting_transferred_to_courier_service", "posting_driver_pick_up", "posting_not_in_sort_center", "ship_failed",
}
# docs/partners/ozon.md#push-notifications: logistics push types (events or deliberately ignored) and the
# non-logistics ones.
DOCUMENTED_PUSH_TYPES = {
    "TYPE_PING", "TYPE_NEW_POSTING", "TYPE_POSTING_CANCELLED", "TYPE_STATE_CHANGED",
    "TYPE_CUTOFF_DATE_CHANGED", "TYPE_DELIVERY_DATE_CHANGED",
}
DOCUMENTED_NON_LOGISTICS = {
    "TYPE_CREATE_OR_UPDATE_ITEM", "TYPE_PRICE_INDEX_CHANGED", "TYPE_STOCKS_CHANGED", "TYPE_NEW_MESSAGE",
    "TYPE_UPDATE_MESSAGE", "TYPE_MESSAGE_READ", "TYPE_CHAT_CLOSED",
    # Ozon's push docs copy (docs/partners/ozon.md#push-notifications, issue 17).
    "TYPE_CREATE_ITEM", "TYPE_UPDATE_ITEM", "TYPE_DESCRIPTION_CATEGORY_TREE_CHANGED", "TYPE_FBO_STOCKS_CHANGED",
}


def test_every_documented_code_is_mapped() -> None:
    assert DOCUMENTED_STATUSES <= STATUSES.keys()
    assert DOCUMENTED_SUBSTATUSES <= SUBSTATUSES.keys()
    handled = PUSH_TYPES.keys() | {STATE_CHANGED, PING, CUTOFF_DATE_CHANGED}
    assert DOCUMENTED_PUSH_TYPES == handled
    assert DOCUMENTED_NON_LOGISTICS == NON_LOGISTICS_PUSH_TYPES
    rows = {**STATUSES, **SUBSTATUSES, **PUSH_TYPES}
    for code, mapping in rows.items():
        assert mapping.status is not Status.UNKNOWN, code
        assert mapping.milestone is not Milestone.UNKNOWN, code
    print(f"ozon: {len(STATUSES)} statuses + {len(SUBSTATUSES)} substatuses + {len(PUSH_TYPES)} push types mapped")


def test_every_code_in_the_fixtures_is_mapped() -> None:
    cases = Path(__file__).parent / "cases"
    seen: set[str] = set()
    for path in cases.glob("ozon_*.json"):
        document = json.loads(path.read_bytes())
        if isinstance(document.get("new_state"), str):
            seen.add(document["new_state"])
        result = document.get("result")
        for posting in (result.get("postings", [result]) if isinstance(result, dict) else []):
            seen.update(posting[k] for k in ("status", "substatus") if posting.get(k))
    assert seen, "the fixtures name codes"
    assert seen <= STATUSES.keys() | SUBSTATUSES.keys()
