"""Golden tests for the hub-native adapter, expected values written by hand from docs/hub-native-format.md."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import (
    Amount,
    AmountKind,
    DeadLetterReason,
    Location,
    Milestone,
    Outcome,
    PartnerKind,
    Party,
    Reason,
    Status,
)

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
WAREHOUSE = AdapterOptions(partner="wh_mow", partner_kind=PartnerKind.WAREHOUSE, country="RU")
PICKUP = AdapterOptions(partner="pvz_ekb", partner_kind=PartnerKind.PICKUP_POINT, country="RU")


def run(name: str, options: AdapterOptions = WAREHOUSE) -> AdapterResult:
    return run_adapter("hub_native", (CASES / name).read_bytes(), received_at=RECEIVED, options=options)


def one(name: str, options: AdapterOptions = WAREHOUSE):  # noqa: ANN201 - a CanonicalEvent
    result = run(name, options)
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    (event,) = result.events
    return event


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_doc_example_duty_paid() -> None:
    event = one("doc_example_duty_paid.json")
    assert event.subject == ("s10:RR123456785CN",)
    assert event.references == ("ozon_order:12345678-0001",)
    assert (event.status, event.milestone) == (Status.IN_TRANSIT, Milestone.DUTY_PAID)
    assert event.occurred_at == utc(2024, 3, 4, 12, 20)
    assert (event.local_offset_minutes, event.offset_assumed) == (180, False)
    assert event.amounts == (Amount(kind=AmountKind.DUTY, minor=124000, currency="RUB"),)
    assert event.location == Location(country="RU", city="Москва", facility="MOW-2")
    assert event.raw_code == "duty_paid"
    assert (event.partner, event.partner_kind) == ("wh_mow", PartnerKind.WAREHOUSE)


def test_doc_example_handover_links_both_numbers() -> None:
    event = one("doc_example_handover.json", AdapterOptions("wh_szx", PartnerKind.WAREHOUSE, country="CN"))
    assert event.subject == ("hub:WH-SZX-000123", "rp:14102192069353")
    assert (event.status, event.milestone) == (Status.IN_TRANSIT, Milestone.HANDED_OVER)
    assert event.occurred_at == utc(2024, 3, 2, 1, 0)
    assert event.location == Location(country="CN", city="Shenzhen", facility="SZX-1")


def test_warehouse_day() -> None:
    inbound = one("example_warehouse_inbound.json")
    assert (inbound.status, inbound.milestone, inbound.occurred_at) == (
        Status.IN_TRANSIT, Milestone.WAREHOUSE_INBOUND, utc(2024, 3, 1, 5, 15))
    # The location country defaults to the operator's (options.country).
    assert inbound.location == Location(country="RU", facility="MOW-2")
    stored = one("example_warehouse_stored.json")
    assert (stored.milestone, stored.occurred_at) == (Milestone.WAREHOUSE_STORED, utc(2024, 3, 1, 6, 0))
    assert stored.location == Location(country="RU")
    certified = one("example_warehouse_certified.json")
    assert (certified.milestone, certified.occurred_at) == (Milestone.CERTIFIED, utc(2024, 3, 5, 8, 0))
    outbound = one("example_warehouse_outbound.json")
    assert (outbound.milestone, outbound.occurred_at) == (Milestone.WAREHOUSE_OUTBOUND, utc(2024, 3, 6, 7, 30))
    assert outbound.local_offset_minutes == 0
    assert outbound.amounts == (
        Amount(kind=AmountKind.ORDER_VALUE, minor=1599000, currency="RUB"),
        Amount(kind=AmountKind.DECLARED, minor=23050, currency="USD"),
    )
    assert outbound.references == ("shop:wh_mow/A-77",)
    returned = one("example_warehouse_return_received.json")
    assert (returned.status, returned.milestone) == (Status.RETURNED, Milestone.RETURNED_TO_SENDER)
    assert (returned.reason, returned.reason_party) == (Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE)


def test_pickup_point_day() -> None:
    arrived = one("example_pickup_arrived.json", PICKUP)
    assert (arrived.status, arrived.milestone) == (Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT)
    assert arrived.occurred_at == utc(2024, 3, 10, 7, 0)
    assert arrived.location == Location(country="RU", city="Екатеринбург", postcode="620014", facility="PVZ-EKB-17")
    expiring = one("example_pickup_storage_expiring.json", PICKUP)
    assert (expiring.status, expiring.milestone) == (Status.AVAILABLE_FOR_PICKUP, Milestone.STORAGE_EXPIRING)
    picked = one("example_pickup_picked_up_cod.json", PICKUP)
    assert (picked.status, picked.milestone, picked.occurred_at) == (
        Status.DELIVERED, Milestone.DELIVERED, utc(2024, 3, 16, 13, 30))
    assert picked.amounts == (Amount(kind=AmountKind.COD, minor=259990, currency="RUB"),)
    sent_back = one("example_pickup_sent_back.json", PICKUP)
    assert (sent_back.status, sent_back.milestone) == (Status.RETURNING, Milestone.RETURN_STARTED)
    assert (sent_back.reason, sent_back.reason_party) == (Reason.STORAGE_EXPIRED, Party.CONSIGNEE)
    assert sent_back.subject == ("hub:PVZ-EKB-17/000451",)


def test_return_direction() -> None:
    facility = one("example_return_leg_facility.json", PICKUP)
    assert (facility.status, facility.milestone) == (Status.RETURNING, Milestone.ARRIVED_AT_FACILITY)
    back = one("example_return_leg_delivered.json", PICKUP)
    assert (back.status, back.milestone) == (Status.RETURNED, Milestone.RETURNED_TO_SENDER)
    assert back.raw_code == "delivered"


def test_customs_hold_with_named_party() -> None:
    event = one("example_customs_held_with_party.json")
    assert (event.status, event.milestone) == (Status.EXCEPTION, Milestone.CUSTOMS_HELD)
    assert (event.reason, event.reason_party) == (Reason.DOCUMENTS_MISSING, Party.MARKETPLACE)
    assert event.subject == ("cainiao:LP00123456789012",)


def test_bad_check_digit_is_flagged_not_dropped() -> None:
    # docs/partners/README.md#soft-check-digits: RA644000001RU has a wrong check digit.
    event = one("example_bad_check_digit.json")
    assert event.flags == ("bad_check_digit:s10:RA644000001RU",)


def test_zero_decimal_currency() -> None:
    assert one("example_duty_jpy.json").amounts == (Amount(kind=AmountKind.DUTY, minor=1500, currency="JPY"),)


# Hand-written from the doc's table: event → status; milestone is the event itself.
EVENT_STATUS: dict[str, Status] = {
    "order_placed": Status.INFO_RECEIVED,
    "accepted": Status.IN_TRANSIT,
    "warehouse_inbound": Status.IN_TRANSIT,
    "warehouse_stored": Status.IN_TRANSIT,
    "warehouse_outbound": Status.IN_TRANSIT,
    "certified": Status.IN_TRANSIT,
    "export_customs_started": Status.IN_TRANSIT,
    "export_customs_cleared": Status.IN_TRANSIT,
    "departed_origin": Status.IN_TRANSIT,
    "arrived_destination_country": Status.IN_TRANSIT,
    "import_customs_started": Status.IN_TRANSIT,
    "import_customs_cleared": Status.IN_TRANSIT,
    "customs_held": Status.EXCEPTION,
    "duty_paid": Status.IN_TRANSIT,
    "arrived_at_facility": Status.IN_TRANSIT,
    "departed_facility": Status.IN_TRANSIT,
    "handed_over": Status.IN_TRANSIT,
    "out_for_delivery": Status.OUT_FOR_DELIVERY,
    "arrived_at_pickup_point": Status.AVAILABLE_FOR_PICKUP,
    "storage_expiring": Status.AVAILABLE_FOR_PICKUP,
    "delivery_attempt_failed": Status.ATTEMPT_FAILED,
    "delivered": Status.DELIVERED,
    "cod_collected": Status.DELIVERED,
    "return_started": Status.RETURNING,
    "returned_to_sender": Status.RETURNED,
    "cancelled": Status.CANCELLED,
    "lost": Status.EXCEPTION,
    "damaged": Status.EXCEPTION,
}
IMPLIED_REASON = {"customs_held": Reason.CUSTOMS_HOLD, "lost": Reason.LOST, "damaged": Reason.DAMAGED}


@pytest.mark.parametrize("name", sorted(EVENT_STATUS))
def test_every_event_name(name: str) -> None:
    event = one(f"synthetic_event_{name}.json")
    assert (event.status, event.milestone) == (EVENT_STATUS[name], Milestone(name))
    assert event.reason is IMPLIED_REASON.get(name)
    assert event.occurred_at.tzinfo is not None and event.received_at == RECEIVED
    expected_subject = ("hub:SYN-0001", "cdek:1106153417") if name == "handed_over" else ("hub:SYN-0001",)
    assert event.subject == expected_subject


def test_event_ids_are_stable_and_distinct() -> None:
    ids = {one(f"synthetic_event_{name}.json").event_id for name in EVENT_STATUS}
    assert len(ids) == len(EVENT_STATUS)
    assert one("doc_example_duty_paid.json").event_id == one("doc_example_duty_paid.json").event_id
    other_partner = AdapterOptions(partner="wh_spb", partner_kind=PartnerKind.WAREHOUSE)
    assert one("doc_example_duty_paid.json").event_id != one("doc_example_duty_paid.json", other_partner).event_id


def test_amount_as_json_number_is_read_through_its_text() -> None:
    # The schema asks for a string; 10.5 as a number is tolerated, never a binary float.
    event = one("nonconforming_amount_number.json")
    assert event.amounts == (Amount(kind=AmountKind.DUTY, minor=1050, currency="CNY"),)


def test_future_event_name_is_kept_as_unknown() -> None:
    result = run("nonconforming_future_event.json")
    (event,) = result.events
    assert (event.status, event.milestone, event.raw_code) == (Status.UNKNOWN, Milestone.UNKNOWN, "drone_dispatched")
    assert result.unknown_codes == ("drone_dispatched",)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("invalid_handover_without_target.json", DeadLetterReason.SCHEMA_MISMATCH),
        ("invalid_handover_target_on_other_event.json", DeadLetterReason.BAD_VALUE),
        ("invalid_format_version.json", DeadLetterReason.UNKNOWN_FORMAT),
        ("invalid_time_without_offset.json", DeadLetterReason.BAD_VALUE),
        ("rejected_amount_decimals.json", DeadLetterReason.BAD_VALUE),
        ("invalid_parcel_is_an_order.json", DeadLetterReason.BAD_VALUE),
        ("invalid_missing_parcel.json", DeadLetterReason.SCHEMA_MISMATCH),
    ],
)
def test_invalid_messages_are_dead_lettered(name: str, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run(name)
    assert caught.value.reason is reason
