"""The CDEK ORDER_STATUS adapter against the SDK's real webhooks and a hand-written journey
(docs/partners/cdek.md#webhooks, docs/partners/cdek.md#main-status-table). Expected values are
written by hand from the status table."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.cdek.codes import LEGACY_NUMERIC, STATUS_CODES
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind
from tests.conftest import PARTNER_FIXTURES
from tests.support.cdek_sequence import CDEK_NUMBER, JOURNEY, ORDER_UUID, webhook

pytestmark = pytest.mark.unit

OPTIONS = AdapterOptions("cdek", PartnerKind.COURIER, country="RU")
RECEIVED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def parse(raw: bytes):
    return run_adapter("cdek", raw, received_at=RECEIVED, options=OPTIONS)


def test_sdk_delivered_webhook():
    result = parse(PARTNER_FIXTURES["cdek_webhook_0.json"].read_bytes())
    assert result.outcome is Outcome.NORMALISED
    (event,) = result.events
    assert event.status == "delivered" and event.milestone == "delivered"
    # status_date_time 2019-07-11T12:41:43+0700, not the webhook's date_time (13:07:34).
    assert event.occurred_at == datetime(2019, 7, 11, 5, 41, 43, tzinfo=timezone.utc)
    assert event.local_offset_minutes == 7 * 60
    assert event.subject == ("cdek:1106153417", "cdek_uuid:72753031-8347-40c0-ab0f-1a49c7a262c1")
    assert event.references == ("shop:cdek/1106152821",)
    assert event.received_at == RECEIVED and event.partner == "cdek"


def test_print_form_is_ignored_not_an_event():
    result = parse(PARTNER_FIXTURES["cdek_webhook_1.json"].read_bytes())
    assert result.outcome is Outcome.IGNORED and result.events == ()


def test_hand_written_journey_maps_to_the_expected_statuses():
    for code, when, status, milestone in JOURNEY:
        (event,) = parse(webhook(code, when)).events
        assert (event.raw_code, event.status.value, event.milestone.value) == (code, status, milestone)
        assert event.subject[0] == f"cdek:{CDEK_NUMBER}" and event.subject[1] == f"cdek_uuid:{ORDER_UUID}"


def test_every_status_of_the_table_maps_to_a_known_status():
    # docs/partners/cdek.md#main-status-table: the documented codes, written out by hand, with both SDK spellings.
    documented = """ACCEPTED CREATED REMOVED RECEIVED_AT_SHIPMENT_WAREHOUSE RECEIVED_AT_SENDER_WAREHOUSE
    READY_FOR_SHIPMENT_IN_SENDER_CITY RETURNED_TO_SENDER_CITY_WAREHOUSE TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY
    SENT_TO_TRANSIT_CITY ACCEPTED_IN_TRANSIT_CITY ACCEPTED_AT_TRANSIT_WAREHOUSE RETURNED_TO_TRANSIT_WAREHOUSE
    READY_FOR_SHIPMENT_IN_TRANSIT_CITY TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY SENT_TO_SENDER_CITY
    SENT_TO_RECIPIENT_CITY ACCEPTED_IN_SENDER_CITY ACCEPTED_IN_RECIPIENT_CITY ARRIVED_AT_RECIPIENT_CITY
    ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE ACCEPTED_AT_PICK_UP_POINT TAKEN_BY_COURIER
    RETURNED_TO_RECIPIENT_CITY_WAREHOUSE DELIVERED NOT_DELIVERED INVALID""".split()
    for code in documented:
        (event,) = parse(webhook(code, "2026-03-01T10:00:00+0300")).events
        assert event.status != "unknown", code
    assert set(LEGACY_NUMERIC.values()) <= set(STATUS_CODES)
    print(f"CDEK status rows mapped: {len(STATUS_CODES)}")


def test_legacy_numeric_code_alone_is_understood():
    raw = webhook("DELIVERED", "2026-03-04T11:30:00+0700").replace(b'"code": "DELIVERED"', b'"status_code": "4"')
    (event,) = parse(raw).events
    assert event.status == "delivered" and event.raw_code == "4"


def test_an_undocumented_code_is_unknown_and_reported():
    result = parse(webhook("TELEPORTED", "2026-03-01T10:00:00+0300"))
    (event,) = result.events
    assert event.status == "unknown" and event.raw_code == "TELEPORTED"
    assert result.unknown_codes == ("TELEPORTED",)


def test_late_in_transit_and_delivered_return_order():
    raw = webhook("DELIVERED", "2026-03-04T11:30:00+0700").replace(b'"is_return": false', b'"is_return": true')
    (event,) = parse(raw).events
    assert event.status == "returned" and event.milestone == "returned_to_sender"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", DeadLetterReason.NOT_JSON),
        (b"\xff\xfe\x00", DeadLetterReason.BAD_ENCODING),
        (b"[1, 2]", DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"type": "ORDER_STATUS", "attributes": {"code": "DELIVERED"}}', DeadLetterReason.SCHEMA_MISMATCH),
        (
            b'{"type": "ORDER_STATUS", "attributes": {"code": "DELIVERED", "cdek_number": "1", "status_date_time": "yesterday"}}',
            DeadLetterReason.BAD_VALUE,
        ),
        (b"[" * 100 + b"]" * 100, DeadLetterReason.TOO_DEEP),
    ],
)
def test_bad_input_has_a_closed_reason(raw, reason):
    with pytest.raises(AdapterError) as caught:
        parse(raw)
    assert caught.value.reason is reason


def padded_to(size: int) -> bytes:
    """The delivered webhook, padded with a field CDEK may add (ignored) to exactly `size` bytes."""
    base = webhook("DELIVERED", "2026-03-04T11:30:00+0700")
    filler = size - len(base) - len(b',"padding":""')
    return base[:-1] + b',"padding":"' + b"x" * filler + b'"}'


def test_a_json_payload_over_the_size_limit_is_too_large():
    limit = 1024 * 1024  # 1 MiB: adapters/_shared/safe_json.py, the limit of every JSON partner
    at_limit = padded_to(limit)
    assert len(at_limit) == limit
    assert [e.status for e in parse(at_limit).events] == ["delivered"]
    with pytest.raises(AdapterError) as caught:
        parse(padded_to(limit + 1))
    assert caught.value.reason is DeadLetterReason.TOO_LARGE
    assert caught.value.message == f"{limit + 1} bytes, limit {limit}"
