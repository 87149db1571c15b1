"""Wildberries' own documentation examples for the DBS status answer and the cross-border status
history (docs/partners/wildberries.md#published-payloads), with golden expectations written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from schemas import Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="wildberries", partner_kind=PartnerKind.MARKETPLACE, country="RU")
OBSERVED = RECEIVED_AT.isoformat()


def run(name: str):
    return run_case("wildberries", CASES, name, OPTIONS)


def test_the_dbs_status_answer() -> None:
    # The task WB does not know (errors 404 NotFound, empty statuses) is no tracking fact:
    # skipped with a counted reason, the other task kept.
    result = run("wb_docs_dbs_orders_status_info_response.json")
    assert result.outcome is Outcome.NORMALISED
    assert [(p.kind, p.detail) for p in result.problems] == [("item_error", "task 789012: 404 NotFound")]
    (event,) = result.events
    assert_event(event, {
        "subject": ["wb_task:123456"], "status": "info_received", "milestone": "informational",
        "raw_code": "confirm/waiting", "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
    })


def test_the_cross_border_status_history() -> None:
    # The docs' example has a code without a date: a snapshot. SORTED reads as wbStatus sorted.
    (event,) = run("wb_docs_orders_status_history_response.json").events
    assert_event(event, {
        "subject": ["wb_task:123456789"], "status": "in_transit", "milestone": "arrived_at_facility",
        "raw_code": "SORTED", "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
    })


def test_a_dated_history_with_its_planned_delivery() -> None:
    # Written from the docs' field list (dates, deliveryDate); the dated codes are the docs' own
    # status vocabulary in capitals, plus one unknown code (counted, kept as unknown).
    result = run("synthetic_wb_status_history_dated.json")
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1  # "yesterday"
    assert result.unknown_codes == ("CUSTOMS_SOMETHING_NEW",)
    accepted, sorted_, unknown = result.events
    assert_event(accepted, {
        "subject": ["wb_task:98765432"], "status": "in_transit", "milestone": "handed_over",
        "raw_code": "ACCEPTED_BY_CARRIER", "occurred_at": "2025-01-20T08:00:00+00:00", "local_offset_minutes": 0,
    })
    assert sorted_.milestone.value == "arrived_at_facility"
    assert unknown.status.value == "unknown"
    assert unknown.promised_delivery is not None and unknown.promised_delivery.isoformat() == "2025-02-01T00:00:00+00:00"
