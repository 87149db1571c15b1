"""Property tests: no input makes the Cainiao adapter escape with anything but a closed reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.cainiao.codes import ACTION_CODES
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT
from tests.adapters.json_mutations import json_shapes, mutated

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = sorted(p.read_bytes() for p in CASES.glob("*.json"))
OPTIONS = AdapterOptions(partner="cainiao", partner_kind=PartnerKind.LOGISTICS_PLATFORM)
KEYS = ["module", "mailNo", "detailList", "latestTrace", "time", "timeStr", "timeZone", "actionCode", "desc",
        "standerdDesc", "success"]
VALUES = [*list(ACTION_CODES)[:20], "AE010698498", "RR123456785CN", 1674952260000, "GMT+8", "GMT+0800",
          "2023-01-29 08:31:00", "preMainCode:RA644000001RU", "preMainCode:1106298345"]


def check(raw: bytes) -> None:
    try:
        result = run_adapter("cainiao", raw, received_at=RECEIVED_AT, options=OPTIONS)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, err.message
        return
    assert isinstance(result, AdapterResult)
    assert (result.outcome is Outcome.PARTIAL) == (result.bad_items > 0)
    assert len({e.event_id for e in result.events}) == len(result.events)
    for event in result.events:
        assert event.occurred_at.utcoffset().total_seconds() == 0
        assert event.subject[0].split(":")[0] in ("s10", "cainiao")


@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@given(json_shapes(KEYS, VALUES))
def test_random_json_shapes(document: object) -> None:
    check(json.dumps(document).encode())


@given(st.sampled_from(FIXTURES).flatmap(mutated))
def test_mutated_fixtures(raw: bytes) -> None:
    check(raw)


@given(st.lists(json_shapes(KEYS, VALUES), max_size=5), st.sampled_from(["AE010698498", "RR123456785CN", "x"]))
def test_random_traces_in_a_real_module(traces: list[object], mail_no: str) -> None:
    check(json.dumps({"module": [{"mailNo": mail_no, "detailList": traces}], "success": True}).encode())
