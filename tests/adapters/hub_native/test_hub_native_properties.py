"""Hostile input: whatever the bytes, the hub-native adapter answers with a result or a closed dead-letter reason."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.hub_native.codes import EVENT_NAMES
from adapters.registry import run_adapter
from schemas import DeadLetterReason, PartnerKind
from tests.adapters.json_mutations import node_paths, replaced_at

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = [json.loads(p.read_bytes()) for p in sorted(CASES.glob("*.json"))]
RECEIVED = datetime(2024, 6, 1, tzinfo=timezone.utc)
OPTIONS = AdapterOptions(partner="wh_test", partner_kind=PartnerKind.WAREHOUSE, country="CN")

KEYS = ["format", "parcel", "event", "occurred_at", "event_ref", "direction", "handover_to", "location", "amounts",
        "kind", "amount", "currency", "reason", "reason_party", "order", "country", "city", "postcode", "facility"]
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["hub-native/1", "hub:X", "s10:RA644000001RU", "shop:a/b", "ozon_order:12345678-0001",
                       "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2024-01-01T00:00Z", "duty", "JPY",
                       "99999999999999.9999", "return", "lost", "RU", *sorted(EVENT_NAMES)])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6),
    max_leaves=25,
)


def check(raw: bytes) -> None:
    try:
        result = run_adapter("hub_native", raw, received_at=RECEIVED, options=OPTIONS)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, str(err)
        return
    assert isinstance(result, AdapterResult)



@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@given(JSON)
def test_random_json_shapes(document: Any) -> None:
    if isinstance(document, dict):
        document["format"] = "hub-native/1"  # get past the format check most of the time
    check(json.dumps(document, ensure_ascii=False).encode())


@given(st.data())
def test_mutated_fixtures(data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(FIXTURES))
    path = data.draw(st.sampled_from(node_paths(document)))
    check(json.dumps(replaced_at(document, path, data.draw(JSON)), ensure_ascii=False).encode())
