"""hub/kafka/state_codec.py: table values decode to exactly what was encoded, in far fewer bytes."""

from __future__ import annotations

import json
import random

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from hub.kafka.state_codec import decode, encode
from hub.partners import PARTNERS
from simulator import simulate
from simulator.faults import FaultRates
from tests.support.partitioned_log import PartitionedRun

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def states() -> list[dict]:
    """Timeline states of simulated shipments, as the timeline stage keeps them."""
    simulation = simulate(60, seed=3, rates=FaultRates(duplicates=0.2, out_of_order=0.2, late_links=0.1, malformed=0.0, unknown_codes=0.0))
    run = PartitionedRun(3, random.Random(3))
    for message in simulation.messages:
        partner = PARTNERS[message.partner]
        options = AdapterOptions(partner.id, partner.kind, subject=message.subject, country=partner.country)
        try:
            for event in run_adapter(partner.adapter, message.payload, received_at=message.at, options=options).events:
                run.publish_event(event)
        except AdapterError:
            continue
    run.run()
    assert len(run.timelines) > 50
    return list(run.timelines.values())


def test_a_state_decodes_to_exactly_what_was_encoded(states):
    for state in states:
        assert decode(encode(state)) == state
    odd = {"events": {}, "settled": {"entries": {"e": {"amount_minor": -12, "rate": "0.015"}}}, "city": "Москва", "x": None}
    assert decode(encode(odd)) == odd


def test_plain_json_written_before_the_codec_is_still_read(states):
    assert decode(json.dumps(states[0]).encode()) == states[0]


def test_a_state_takes_under_a_fifth_of_its_json(states):
    as_json = sum(len(json.dumps(s, separators=(",", ":")).encode()) for s in states)
    encoded = sum(len(encode(s)) for s in states)
    assert encoded < as_json / 5, (encoded, as_json)


def test_a_state_read_back_after_its_write_is_the_value_written(states):
    """The codec's caches give back what was encoded, never another key's value."""
    first, second = states[0], states[1]
    assert decode(encode(first)) is first  # just written: not decoded again
    assert decode(encode(second)) is second
    changed = {**first, "generation": 7}
    assert decode(encode(changed)) == changed and decode(encode(first)) == first
    assert decode(encode(changed)) is not decode(encode(first))
