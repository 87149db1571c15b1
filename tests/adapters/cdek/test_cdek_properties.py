"""Hostile input: whatever the bytes, the CDEK adapter answers with a result or a closed dead-letter reason."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import DeadLetterReason, PartnerKind
from tests.adapters.json_mutations import node_paths, replaced_at

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = [json.loads(p.read_bytes()) for p in sorted(CASES.glob("*.json"))]
RECEIVED = datetime(2024, 6, 1, tzinfo=timezone.utc)
OPTIONS = AdapterOptions(partner="cdek", partner_kind=PartnerKind.COURIER, country="RU")

KEYS = [
    "type", "uuid", "attributes", "entity", "statuses", "code", "status_code", "status_reason_code", "reason_code",
    "status_date_time", "date_time", "cdek_number", "number", "is_return", "city", "city_name", "related_entities",
    "delivery_detail", "payment_sum", "delivery_sum", "packages", "items", "cost", "amount", "recipient_currency",
    "items_cost_currency", "requests", "url", "orders",
]
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["ORDER_STATUS", "DELIVERED", "2019-07-11T12:41:43+0700", "0001-01-01T00:00:00+0700",
                       "72753031-8347-40c0-ab0f-1a49c7a262c1", "1106153417", "1e400", "23", "direct_order", "RUB", "6"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6),
    max_leaves=25,
)


def check(raw: bytes) -> None:
    try:
        result = run_adapter("cdek", raw, received_at=RECEIVED, options=OPTIONS)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, str(err)
        return
    assert isinstance(result, AdapterResult)



@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@given(JSON)
def test_random_json_shapes(document: Any) -> None:
    check(json.dumps(document).encode())


@given(st.data())
def test_mutated_fixtures(data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(FIXTURES))
    path = data.draw(st.sampled_from(node_paths(document)))
    check(json.dumps(replaced_at(document, path, data.draw(JSON)), ensure_ascii=False).encode())


@given(st.sampled_from([json.dumps(f, ensure_ascii=False).encode() for f in FIXTURES]), st.data())
def test_truncated_and_corrupted_fixtures(raw: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    check(raw[:cut])
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    check(raw[:index] + bytes([data.draw(st.integers(0, 255))]) + raw[index + 1 :])
