"""Mapping coverage: every CDEK code docs/partners/cdek.md lists is in the tables and maps to a real value."""

from __future__ import annotations

import pytest

from adapters.cdek.codes import ALIASES, LEGACY_NUMERIC, REASON_CODES, STATUS_CODES
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/cdek.md#order-status-codes: the main table (both SDK spellings), the
# older naming, the warehouse, international/customs and postamat groups, plus the newer docs'
# warehouse entries (ENTERED_TO_TRANSIT_WAREHOUSE, ...), which the typings spell the older way.
DOCUMENTED_CODES = """
ACCEPTED CREATED REMOVED RECEIVED_AT_SHIPMENT_WAREHOUSE RECEIVED_AT_SENDER_WAREHOUSE
READY_FOR_SHIPMENT_IN_SENDER_CITY RETURNED_TO_SENDER_CITY_WAREHOUSE TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY
SENT_TO_TRANSIT_CITY ACCEPTED_IN_TRANSIT_CITY ACCEPTED_AT_TRANSIT_WAREHOUSE RETURNED_TO_TRANSIT_WAREHOUSE
READY_FOR_SHIPMENT_IN_TRANSIT_CITY TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY SENT_TO_SENDER_CITY
SENT_TO_RECIPIENT_CITY ACCEPTED_IN_SENDER_CITY ACCEPTED_IN_RECIPIENT_CITY ARRIVED_AT_RECIPIENT_CITY
ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE ACCEPTED_AT_PICK_UP_POINT TAKEN_BY_COURIER
RETURNED_TO_RECIPIENT_CITY_WAREHOUSE DELIVERED NOT_DELIVERED INVALID
RETURNED_TO_SENDER_WAREHOUSE PASSED_TO_CARRIER_AT_SENDING_OFFICE SEND_TO_TRANSIT_OFFICE MET_AT_TRANSIT_OFFICE
ACCEPTED_TO_OFFICE_TRANSIT_WAREHOUSE READY_TO_SHIP_IN_TRANSIT_OFFICE PASSED_TO_CARRIER_AT_TRANSIT_OFFICE
SEND_TO_SENDING_OFFICE SEND_TO_RECIPIENT_OFFICE MET_AT_SENDING_OFFICE MET_AT_RECIPIENT_OFFICE
ACCEPTED_AT_DELIVERY_WAREHOUSE ACCEPTED_AT_WAREHOUSE_ON_DEMAND ISSUED_FOR_DELIVERY RETURNED_TO_DELIVERY_WAREHOUSE
READY_TO_SHIP_AT_SENDING_OFFICE
ENTERED_TO_OFFICE_TRANSIT_WAREHOUSE ENTERED_TO_DELIVERY_WAREHOUSE ENTERED_TO_WAREHOUSE_ON_DEMAND
ENTERED_TO_TRANSIT_WAREHOUSE ENTERED_TO_RECIPIENT_CITY_WAREHOUSE ENTERED_TO_PICK_UP_POINT
IN_CUSTOMS_INTERNATIONAL SHIPPED_TO_DESTINATION PASSED_TO_TRANSIT_CARRIER IN_CUSTOMS_LOCAL CUSTOMS_COMPLETE
POSTOMAT_POSTED POSTOMAT_SEIZED POSTOMAT_RECEIVED
""".split()

# docs/partners/cdek.md#main-status-table, the legacy numbers, by hand.
DOCUMENTED_NUMERIC = {
    "1": "CREATED", "2": "REMOVED", "3": "RECEIVED_AT_SHIPMENT_WAREHOUSE", "4": "DELIVERED", "5": "NOT_DELIVERED",
    "6": "READY_FOR_SHIPMENT_IN_SENDER_CITY", "7": "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
    "8": "SENT_TO_RECIPIENT_CITY", "9": "ACCEPTED_IN_RECIPIENT_CITY", "10": "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
    "11": "TAKEN_BY_COURIER", "12": "ACCEPTED_AT_PICK_UP_POINT", "13": "ACCEPTED_AT_TRANSIT_WAREHOUSE",
    "16": "RETURNED_TO_SENDER_CITY_WAREHOUSE", "17": "RETURNED_TO_TRANSIT_WAREHOUSE",
    "18": "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE", "19": "READY_FOR_SHIPMENT_IN_TRANSIT_CITY",
    "20": "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY", "21": "SENT_TO_TRANSIT_CITY", "22": "ACCEPTED_IN_TRANSIT_CITY",
    "27": "SENT_TO_SENDER_CITY", "28": "ACCEPTED_IN_SENDER_CITY",
}

# docs/partners/cdek.md#additional-status-codes, by hand.
DOCUMENTED_REASONS = [str(n) for n in (*range(1, 28), 31, 32, 33)]


def test_every_documented_status_code_is_mapped() -> None:
    missing = [code for code in DOCUMENTED_CODES if code not in STATUS_CODES]
    assert missing == []
    for code in DOCUMENTED_CODES:
        mapping = STATUS_CODES[code]
        assert mapping.status is not Status.UNKNOWN, code
        assert mapping.milestone is not Milestone.UNKNOWN, code
    print(f"cdek status table: {len(STATUS_CODES)} rows ({len(STATUS_CODES) - len(ALIASES)} codes, {len(ALIASES)} other spellings)")


def test_table_holds_nothing_undocumented() -> None:
    assert set(STATUS_CODES) == set(DOCUMENTED_CODES)


def test_aliases_point_at_documented_codes() -> None:
    for alias, code in ALIASES.items():
        assert STATUS_CODES[alias] is STATUS_CODES[code]


def test_legacy_numeric_codes() -> None:
    assert LEGACY_NUMERIC == DOCUMENTED_NUMERIC
    print(f"cdek legacy numeric table: {len(LEGACY_NUMERIC)} rows")


def test_every_documented_reason_code_is_mapped() -> None:
    assert sorted(REASON_CODES, key=int) == DOCUMENTED_REASONS
    for code, mapping in REASON_CODES.items():
        # 20 (partial delivery) is documented as giving no reason; every other code gives one.
        assert (mapping.reason is None) == (code == "20"), code
        assert mapping.description
    print(f"cdek reason table: {len(REASON_CODES)} rows")
