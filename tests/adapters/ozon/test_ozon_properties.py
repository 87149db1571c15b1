"""Property tests: no input makes the Ozon adapter escape with anything but a closed reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.ozon.codes import PUSH_TYPES, STATUSES, SUBSTATUSES
from adapters.registry import run_adapter
from schemas import DeadLetterReason, PartnerKind, Status
from tests.adapters.event_expectations import RECEIVED_AT
from tests.adapters.json_mutations import json_shapes, mutated

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = sorted(p.read_bytes() for p in CASES.glob("*.json"))
OPTIONS = AdapterOptions(partner="ozon", partner_kind=PartnerKind.MARKETPLACE)
KEYS = [
    "message_type", "posting_number", "new_state", "changed_state_date", "in_process_at", "products",
    "new_delivery_date_begin", "new_delivery_date_end", "reason", "message", "result", "postings",
    "order_number", "status", "substatus", "tracking_number", "price", "quantity", "currency_code",
    "delivery_method", "tpl_provider",
]
VALUES = [
    *PUSH_TYPES, "TYPE_STATE_CHANGED", "TYPE_PING", "TYPE_CUTOFF_DATE_CHANGED", *list(STATUSES)[:5],
    *list(SUBSTATUSES)[:5], "24219509-0020-2", "57195475-0050", "2021-02-02T15:07:46.765Z", "279.0000",
    "RA644000001RU", "1106298345", "Почта России", "RUB",
]


def check(raw: bytes) -> None:
    try:
        result = run_adapter("ozon", raw, received_at=RECEIVED_AT, options=OPTIONS)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, err.message
        return
    assert isinstance(result, AdapterResult)
    for event in result.events:
        assert event.occurred_at.utcoffset().total_seconds() == 0
        assert any(s.startswith("ozon_posting:") for s in event.subject)
        if event.status is Status.UNKNOWN:
            assert event.raw_code and result.unknown_codes


@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@given(json_shapes(KEYS, VALUES))
def test_random_json_shapes(document: object) -> None:
    check(json.dumps(document).encode())


@given(st.sampled_from(FIXTURES).flatmap(mutated))
def test_mutated_fixtures(raw: bytes) -> None:
    check(raw)
