"""tests/perf/shipment_replay.py, small: it replays every timeline-stage message, kept or not, with the same results."""

from __future__ import annotations

import pytest

from tests.perf.shipment_replay import recorded, replay

pytestmark = pytest.mark.unit


def test_a_small_replay_times_every_message_both_ways(sizes_put_back):
    pipeline = recorded(12)
    assert len(pipeline.messages) > 20
    result = replay(pipeline, kept=4)
    assert result.messages == len(pipeline.messages)
    assert result.not_kept_ms > 0 and result.kept_ms > 0
    # Nothing kept or four shipments kept, every message gives the same state and records.
    assert result.same_results
