"""Every Wildberries status docs/partners/wildberries.md#status-model lists (text and schema enums)
maps to a real status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.wildberries.codes import SUPPLIER_STATUSES, WB_STATUSES
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/wildberries.md#status-model: the description tables plus the schema enums.
DOCUMENTED_SUPPLIER = {"new", "confirm", "complete", "cancel", "cancel_carrier"}
DOCUMENTED_WB = {
    "waiting", "sorted", "sold", "canceled", "canceled_by_client", "declined_by_client", "defect",
    "ready_for_pickup", "accepted_by_carrier", "sent_to_carrier", "canceled_by_carrier", "postponed_delivery",
}


def test_every_documented_code_is_mapped() -> None:
    assert DOCUMENTED_SUPPLIER <= SUPPLIER_STATUSES.keys()
    assert DOCUMENTED_WB <= WB_STATUSES.keys()
    for code, mapping in {**SUPPLIER_STATUSES, **WB_STATUSES}.items():
        assert mapping.status is not Status.UNKNOWN, code
        assert mapping.milestone is not Milestone.UNKNOWN, code
    print(f"wildberries: {len(SUPPLIER_STATUSES)} supplierStatus + {len(WB_STATUSES)} wbStatus mapped")


def test_every_code_in_the_fixtures_is_mapped() -> None:
    document = json.loads((Path(__file__).parent / "cases" / "wb_v3_orders_status_response.json").read_bytes())
    for item in document["orders"]:
        assert item["supplierStatus"] in SUPPLIER_STATUSES
        assert item["wbStatus"] in WB_STATUSES
