"""Golden cases for the Wildberries adapter: expectations written by hand from docs/partners/wildberries.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind, make_event_id
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="wildberries", partner_kind=PartnerKind.MARKETPLACE, country="RU")
OBSERVED = RECEIVED_AT.isoformat()


def run(name: str):
    return run_case("wildberries", CASES, name, OPTIONS)


def snapshot(task: int, code: str, status: str, milestone: str, **extra: object) -> dict[str, object]:
    """A status response item: no time at all, so observed at received_at (docs/partners/wildberries.md#timestamps)."""
    return {
        "subject": [f"wb_task:{task}"], "status": status, "milestone": milestone, "raw_code": code,
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed", **extra,
    }


def test_orders_new_fixture_final_price_in_byn() -> None:
    # docs/partners/wildberries.md#money: finalPrice 1014 is already ×100 (minor units) in currencyCode 933 = BYN.
    result = run("wb_v3_orders_new_response.json")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    (event,) = result.events
    assert_event(event, {
        "subject": ["wb_task:13833711"], "status": "info_received", "milestone": "order_placed",
        "occurred_at": "2022-05-04T07:56:29+00:00", "local_offset_minutes": 0, "raw_code": "new",
        "amounts": [("order_value", 1014, "BYN")],
    })
    assert event.event_id == make_event_id("wildberries", "13833711", "new", "2022-05-04T07:56:29Z")
    # The buyer's address is personal data: never on an event.
    assert "Челябинск" not in event.model_dump_json() and "Арабкира" not in event.model_dump_json()


def test_orders_status_fixture() -> None:
    # docs/partners/wildberries.md#status-model, the docs' example: supplierStatus new, wbStatus waiting.
    (event,) = run("wb_v3_orders_status_response.json").events
    assert_event(event, snapshot(5632423, "new/waiting", "info_received", "order_placed"))
    assert event.event_id == make_event_id("wildberries", "5632423", "new/waiting", None)


def test_every_status_partial_tolerant() -> None:
    result = run("synthetic_wb_status_every_status.json")
    assert result.outcome is Outcome.PARTIAL
    assert result.bad_items == 3  # a non-numeric id, an item with nothing to read, a number
    assert result.unknown_codes == ("lost_in_space", "mystery")
    expected = [
        # wbStatus `waiting` has nothing newer than the seller's step: supplierStatus decides.
        snapshot(1001, "confirm/waiting", "info_received", "informational"),
        snapshot(1002, "complete/waiting", "in_transit", "handed_over"),
        snapshot(1003, "complete/sorted", "in_transit", "arrived_at_facility"),
        snapshot(1004, "complete/ready_for_pickup", "available_for_pickup", "arrived_at_pickup_point"),
        snapshot(1005, "complete/sold", "delivered", "delivered"),
        # cancelled by the buyer on receipt: a refusal, the parcel goes back.
        snapshot(1006, "complete/canceled_by_client", "returning", "return_started",
                 reason="addressee_refused", reason_party="consignee"),
        snapshot(1007, "cancel/waiting", "cancelled", "cancelled", reason="sender_request", reason_party="sender"),
        snapshot(1008, "new/declined_by_client", "cancelled", "cancelled"),
        snapshot(1009, "complete/defect", "cancelled", "cancelled", reason="damaged", reason_party="sender"),
        snapshot(1010, "complete/lost_in_space", "unknown", "unknown"),
        snapshot(1011, "mystery/waiting", "unknown", "unknown"),
    ]
    assert len(result.events) == len(expected)
    for event, wanted in zip(result.events, expected, strict=True):
        assert_event(event, wanted)


def test_orders_new_rub_and_unknown_currency() -> None:
    result = run("synthetic_wb_orders_new_rub.json")
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1  # "04.05.2024" is no RFC3339 time
    first, second = result.events
    assert_event(first, {
        "subject": ["wb_task:2001"], "status": "info_received", "milestone": "order_placed",
        "occurred_at": "2024-05-04T07:56:29+00:00", "local_offset_minutes": 0, "raw_code": "new",
        "amounts": [("order_value", 129999, "RUB")],
    })
    # 999 is no ISO 4217 numeric code the hub knows: flagged, never guessed.
    assert_event(second, {
        "subject": ["wb_task:2002"], "status": "info_received", "milestone": "order_placed",
        "occurred_at": "2024-05-04T08:00:00+00:00", "local_offset_minutes": 0, "raw_code": "new",
        "flags": ["unknown_currency:999"],
    })


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", DeadLetterReason.BAD_ENCODING),
        (b"{", DeadLetterReason.NOT_JSON),
        (b"[]", DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"orders": {"id": 1}}', DeadLetterReason.SCHEMA_MISMATCH),
    ],
)
def test_whole_message_errors_have_closed_reasons(raw: bytes, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run_adapter("wildberries", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert caught.value.reason is reason


def test_empty_list_is_ignored() -> None:
    result = run_adapter("wildberries", b'{"orders": []}', received_at=RECEIVED_AT, options=OPTIONS)
    assert result.outcome is Outcome.IGNORED
