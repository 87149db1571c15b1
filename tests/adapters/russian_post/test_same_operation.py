"""One operation seen through single access and through batch access has one event id.

docs/architecture.md#event-id: the id hashes the local wall time without offset plus the office
postcode, so `2015-09-16T13:45:00.000+03:00` at 130203 (single access,
docs/partners/russian-post.md#historyrecord-single-access) and `16.09.2015 13:45:00` at IndexOper 130203 (batch,
docs/partners/russian-post.md#batch-example) agree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from schemas import CanonicalEvent, PartnerKind

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions("russian_post", PartnerKind.POST)


def events(name: str, received_at: datetime) -> dict[str, CanonicalEvent]:
    result = run_adapter("russian_post", (CASES / name).read_bytes(), received_at=received_at, options=OPTIONS)
    return {e.raw_code: e for e in result.events if e.subject[0] == "rp:10725878901235"}


def test_single_and_batch_give_one_event_id() -> None:
    single = events("synthetic_single_same_operation_as_batch.xml", datetime(2015, 9, 17, tzinfo=timezone.utc))
    batch = events("russianpost_answerByTicket_response.xml", datetime(2015, 9, 18, tzinfo=timezone.utc))
    for code in ("8.15", "2.8"):
        one, other = single[code], batch[code]
        assert one.event_id == other.event_id
        assert one.occurred_at == other.occurred_at
        assert (one.status, one.milestone) == (other.status, other.milestone)


def test_another_office_or_minute_is_another_event() -> None:
    raw = (CASES / "synthetic_single_same_operation_as_batch.xml").read_bytes()
    received = datetime(2015, 9, 17, tzinfo=timezone.utc)
    def delivery(payload: bytes) -> CanonicalEvent:
        return run_adapter("russian_post", payload, received_at=received, options=OPTIONS).events[1]

    base = delivery(raw)
    moved = delivery(raw.replace(b"13:45:00", b"13:46:00"))
    elsewhere = delivery(raw.replace(b"130203", b"130206"))
    assert len({base.event_id, moved.event_id, elsewhere.event_id}) == 3


def test_the_id_ignores_the_bytes_and_the_milliseconds() -> None:
    raw = (CASES / "synthetic_single_same_operation_as_batch.xml").read_bytes()
    received = datetime(2015, 9, 17, tzinfo=timezone.utc)
    base = run_adapter("russian_post", raw, received_at=received, options=OPTIONS).events
    reformatted = raw.replace(b"13:45:00.000+03:00", b"13:45:00+03:00").replace(b"\n", b"\r\n")
    again = run_adapter("russian_post", reformatted, received_at=received, options=OPTIONS).events
    assert [e.event_id for e in base] == [e.event_id for e in again]
