"""Ozon payloads from Ozon's own push documentation (docs/partners/ozon.md#published-payloads),
with golden expectations written by hand from docs/partners/ozon.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from schemas import Outcome, PartnerKind
from tests.adapters.event_expectations import assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="ozon", partner_kind=PartnerKind.MARKETPLACE, country="RU")


def run(name: str):
    return run_case("ozon", CASES, name, OPTIONS)


def test_a_new_posting_keeps_its_tracking_number_and_delivery_window() -> None:
    # "ZZV-23" fits no carrier scheme: flagged, never guessed; the window's end is the promise.
    (event,) = run("ozon_docs_push_new_posting_tracking.json").events
    assert_event(event, {
        "subject": ["ozon_posting:24319409-0021-1"], "status": "info_received", "milestone": "order_placed",
        "raw_code": "TYPE_NEW_POSTING", "occurred_at": "2021-01-26T06:56:36.294000+00:00", "local_offset_minutes": 0,
        "promised_delivery": "2025-01-26T06:56:36.294000+00:00", "flags": ["tracking_number_unrecognised:ZZV-23"],
    })


@pytest.mark.parametrize(("name", "expected"), [
    ("ozon_docs_push_posting_cancelled.json", {
        "subject": ["ozon_posting:24219509-0020-1"], "status": "cancelled", "milestone": "cancelled",
        "raw_code": "posting_canceled", "occurred_at": "2021-01-26T06:56:36.294000+00:00", "local_offset_minutes": 0,
    }),
    ("ozon_docs_push_state_changed_delivered.json", {
        "subject": ["ozon_posting:24219509-0020-2"], "status": "delivered", "milestone": "delivered",
        "raw_code": "posting_delivered", "occurred_at": "2021-02-02T15:07:46.765000+00:00", "local_offset_minutes": 0,
    }),
    # FBO pushes read as their FBS twins, under their own field names, with the order number.
    ("ozon_docs_push_fbo_posting_new.json", {
        "subject": ["ozon_posting:24219509-0020-1"], "references": ["ozon_order:24219509-0020"],
        "status": "info_received", "milestone": "order_placed", "raw_code": "TYPE_FBO_POSTING_NEW",
        "occurred_at": "2026-04-07T10:27:55.955000+00:00", "local_offset_minutes": 0,
    }),
    ("ozon_docs_push_fbo_posting_cancelled.json", {
        "subject": ["ozon_posting:0574652831-0001-1"], "references": ["ozon_order:0574652831-0001"],
        "status": "cancelled", "milestone": "cancelled", "raw_code": "posting_canceled",
        "occurred_at": "2026-04-07T10:27:55.955000+00:00", "local_offset_minutes": 0,
    }),
    ("ozon_docs_push_fbo_state_changed.json", {
        "subject": ["ozon_posting:68498622-0815-1"], "references": ["ozon_order:68498622-0815"],
        "status": "info_received", "milestone": "informational", "raw_code": "posting_transferring_to_delivery",
        "occurred_at": "2026-04-07T10:27:55.955000+00:00", "local_offset_minutes": 0,
    }),
])
def test_posting_pushes(name: str, expected: dict) -> None:
    result = run(name)
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    (event,) = result.events
    assert_event(event, expected)


@pytest.mark.parametrize("name", [
    "ozon_docs_push_create_item.json", "ozon_docs_push_update_item.json", "ozon_docs_push_create_or_update_item.json",
    "ozon_docs_push_new_message.json", "ozon_docs_push_chat_closed.json", "ozon_docs_push_category_tree_changed.json",
])
def test_non_logistics_pushes_are_ignored_with_their_type(name: str) -> None:
    result = run(name)
    assert result.outcome is Outcome.IGNORED and result.events == ()
    assert "not about a posting's logistics" in result.problems[0].detail


def test_the_current_fbs_list_shape_rests_on_the_spec() -> None:
    # No published example of the cursor list was found: this case is written from the
    # issue's description (top-level postings, cursor, has_next, prices as {amount, currency}).
    result = run("synthetic_fbs_list_current_cursor_shape.json")
    first, second = result.events
    assert first.amounts[0].minor == 155900  # 279.50 × 2 + 1000
    assert result.unknown_codes == ("posting_some_new_substatus",)
    # An unknown substatus falls back to the status's stage and is still counted.
    assert (second.raw_code, second.status.value) == ("delivering/posting_some_new_substatus", "in_transit")
