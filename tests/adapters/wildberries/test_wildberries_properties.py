"""Property tests: no input makes the Wildberries adapter escape with anything but a closed reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from adapters.wildberries.codes import SUPPLIER_STATUSES, WB_STATUSES
from schemas import DeadLetterReason, Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT
from tests.adapters.json_mutations import json_shapes, mutated

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = sorted(p.read_bytes() for p in CASES.glob("*.json"))
OPTIONS = AdapterOptions(partner="wildberries", partner_kind=PartnerKind.MARKETPLACE)
KEYS = ["orders", "id", "supplierStatus", "wbStatus", "createdAt", "finalPrice", "currencyCode", "price"]
VALUES = [*SUPPLIER_STATUSES, *WB_STATUSES, 643, 933, 392, "2022-05-04T07:56:29Z", 13833711]


def check(raw: bytes) -> None:
    try:
        result = run_adapter("wildberries", raw, received_at=RECEIVED_AT, options=OPTIONS)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, err.message
        return
    assert isinstance(result, AdapterResult)
    assert (result.outcome is Outcome.PARTIAL) == (result.bad_items > 0)
    for event in result.events:
        assert event.occurred_at.utcoffset().total_seconds() == 0
        assert event.subject[0].startswith("wb_task:")


@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@given(json_shapes(KEYS, VALUES))
def test_random_json_shapes(document: object) -> None:
    check(json.dumps(document).encode())


@given(st.sampled_from(FIXTURES).flatmap(mutated))
def test_mutated_fixtures(raw: bytes) -> None:
    check(raw)


@given(st.lists(json_shapes(KEYS, VALUES), max_size=6))
def test_random_items_in_a_real_envelope(items: list[object]) -> None:
    check(json.dumps({"orders": items}).encode())
