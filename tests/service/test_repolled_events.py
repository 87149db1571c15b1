"""A record only received again later (a partner's history polled again) is known for a repeat
from its JSON (hub/stages/timeline_build.py:seen_again_later), with the outcome `preferred` gives."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.stages import timeline_build
from hub.stages.timeline_build import preferred, seen_again_later
from schemas import CanonicalEvent
from tests.support.partitioned_log import PartitionedRun
from tests.support.simulated_states import simulated_messages

pytestmark = pytest.mark.service

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=timezone.utc)


def _raw(received: datetime, **changes) -> dict:
    fields = {
        "event_id": "evt_0001", "partner": "cainiao", "partner_kind": "logistics_platform", "adapter_version": 1,
        "subject": ("cainiao:LP00123456789012",), "status": "in_transit", "milestone": "departed_facility",
        "occurred_at": T0, "received_at": received, "raw_code": "SC_OUTBOUND",
    }
    event = CanonicalEvent(**{**fields, **changes})
    return orjson.loads(event.model_dump_json())


def _preferred(raw: dict, stored: dict) -> bool:
    return preferred(CanonicalEvent.model_validate(raw), CanonicalEvent.model_validate(stored))


MOSCOW = timezone(timedelta(hours=3))
# Ways to write a time: as pydantic writes UTC, with milliseconds, with another offset, in
# forms `datetime.fromisoformat` reads and pydantic refuses, without a zone.
FORMS = {
    "pydantic": lambda t: t.isoformat().replace("+00:00", "Z"),
    "millis": lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
    "moscow": lambda t: t.astimezone(MOSCOW).isoformat(),
    "compact": lambda t: t.strftime("%Y%m%dT%H%M%SZ"),
    "week": lambda t: t.strftime("%G-W%V-%uT%H:%M:%SZ"),
    "naive": lambda t: t.replace(tzinfo=None).isoformat(),
}


@given(st.integers(-10**7, 10**7), st.integers(0, 10**6), st.sampled_from(sorted(FORMS)))
def test_it_says_a_repeat_only_where_preferred_would_not_take_the_record(seconds, micros, form):
    stored = _raw(T0 + timedelta(hours=1))
    at = T0 + timedelta(hours=1, seconds=seconds, microseconds=micros)
    raw = {**stored, "received_at": FORMS[form](at)}
    if seen_again_later(raw, stored):
        assert not _preferred(raw, stored) and raw["received_at"] != stored["received_at"]
    # It knows the records pydantic writes, or that differ from them only in the precision kept.
    if form in ("pydantic", "millis") and raw != stored and CanonicalEvent.model_validate(raw).received_at > T0 + timedelta(hours=1):
        assert seen_again_later(raw, stored)


def test_anything_else_changed_is_left_to_preferred():
    stored = _raw(T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=2)
    assert seen_again_later(_raw(later), stored)
    for changed in (_raw(later, adapter_version=2), _raw(later, raw_description="Прибыло"),
                    _raw(later, promised_delivery=T0 + timedelta(days=3)), {**_raw(later), "flags": ["x"]}):
        assert not seen_again_later(changed, stored)
    # The same JSON is no later sighting; a time written another way, or without its zone, is
    # left to the models.
    assert not seen_again_later(stored, stored)
    assert not seen_again_later({**stored, "received_at": stored["received_at"].replace("Z", "+00:00")}, stored)
    assert not seen_again_later({**_raw(later), "received_at": "2026-03-01T09:00:00"}, stored)
    assert not seen_again_later({**_raw(later), "received_at": "yesterday"}, stored)
    assert not seen_again_later(_raw(later), None)


def _run(seed: int) -> PartitionedRun:
    run = PartitionedRun(3, random.Random(seed), redeliver_rate=0.1)
    for events in simulated_messages(30, seed=seed):
        run.publish_message(events)
    run.run()
    return run


def test_the_stage_gives_what_it_gave_without_it(monkeypatch):
    """Over simulated traffic with duplicates, re-polled histories and redeliveries: the same
    states and publications, byte for byte, as when every record is validated and compared."""
    fast = _run(5)
    seen = []
    real = timeline_build.seen_again_later
    monkeypatch.setattr("hub.stages.timeline.seen_again_later", lambda raw, stored: seen.append(real(raw, stored)) and False)
    slow = _run(5)
    assert sum(seen) > 100  # the simulated histories are polled again, often
    assert orjson.dumps(fast.timelines, option=orjson.OPT_SORT_KEYS) == orjson.dumps(slow.timelines, option=orjson.OPT_SORT_KEYS)
    assert {k: v.model_dump_json() for k, v in fast.published.items()} == {k: v.model_dump_json() for k, v in slow.published.items()}
