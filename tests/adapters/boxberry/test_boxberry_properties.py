"""Hostile input: whatever the bytes, the Boxberry adapter answers with a result or a closed dead-letter reason."""

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

KEYS = ["Date", "Name", "Comment", "statuses", "sum", "err", "PD", "Weight", "deliveryDate"]
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["Выдано", "26.12.2020 12:23", "2019-05-04T06:47:48", "01.01.0001 00:00", "31.12.9999 23:59",
                       "2020-12-26 12:23:26", "Москва (115478, x)", "1e999999", "-0"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
    max_leaves=25,
)
SUBJECTS = st.sampled_from(["boxberry:DUD15086277", "s10:RA644000001RU", None, "x", "hub:a"]) | st.text(max_size=20)
ZONES = st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "UTC"])


def check(raw: bytes, subject: str | None, zone: str = "Europe/Moscow") -> None:
    options = AdapterOptions(partner="boxberry", partner_kind=PartnerKind.COURIER, subject=subject, assumed_zone=zone)
    try:
        result = run_adapter("boxberry", raw, received_at=RECEIVED, options=options)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, str(err)
        return
    assert isinstance(result, AdapterResult)



@given(st.binary(max_size=300), SUBJECTS)
def test_arbitrary_bytes(raw: bytes, subject: str | None) -> None:
    check(raw, subject)


@given(JSON, SUBJECTS, ZONES)
def test_random_json_shapes(document: Any, subject: str | None, zone: str) -> None:
    check(json.dumps(document, ensure_ascii=False).encode(), subject, zone)


@given(st.data())
def test_mutated_fixtures(data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(FIXTURES))
    path = data.draw(st.sampled_from(node_paths(document)))
    raw = json.dumps(replaced_at(document, path, data.draw(JSON)), ensure_ascii=False).encode()
    check(raw, "boxberry:DUD15086277", data.draw(ZONES))
