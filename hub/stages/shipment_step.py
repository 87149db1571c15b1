"""The timeline stage's work on one shipment's records of a batch, as a pure function.

For each `hub.shipment-events` record, in order: the timeline stage (hub/stages/timeline.py),
then money (hub/stages/money.py): settle each new timeline, resend what was sent after a
repeated input (once per shipment and batch: a later repeat would resend the same). What it
returns is bytes to publish, in the order to publish them, the state to write, and what the
worker counts and logs; it reads nothing but its arguments and writes nothing, so it runs in
the worker or in a helper process beside it (hub/agents/fold_pool.py) with the same result.

`step_encoded` is the same over a state as the table stores it (hub/kafka/state_codec.py): the
helper is handed the stored bytes and gives back the bytes to store, so neither the decoding
nor the encoding of a shipment's state runs on the worker's event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from hub.kafka import state_codec
from hub.settlement.contracts import ContractSet
from hub.stages import stored_events, timeline_fold, timeline_json
from hub.stages.identity import Send
from hub.stages.money import Money, after_publish, withheld, withheld_letter
from hub.stages.retire import retired_now
from hub.stages.settle import ToTurnover, resend_messages, settle_step
from hub.stages.timeline import Publish, handle_shipment_message
from hub.stages.timeline_json import record_json
from schemas.timeline import Timeline

# Where an output goes: the name of its topic in the worker's HubTopics
# (hub/agents/context.py); a Send's topic (hub/stages/identity.py) maps to its own.
TIMELINES, TURNOVER, DEADLETTER = "timelines", "turnover", "deadletter"
SEND_TOPICS = {"identity": "identity", "shipment-events": "shipment_events"}

# Event models and JSON kept per shipment kept: 17 events on average on simulated traffic, 30
# and more in a long Cainiao history.
_EVENTS_PER_SHIPMENT = 24


def keep_shipments(shipments: int) -> None:
    """Keep what the last `shipments` shipments handled in this process left, for their next message.

    A shipment's next message then finds its state decoded (hub/kafka/state_codec.py), its
    events' models (hub/stages/stored_events.py) and their JSON (hub/stages/timeline_json.py),
    and its last fold, carried on over the new events (hub/stages/timeline_fold.py); a shipment
    not kept has all of it done again (about 0.35 ms more for 17 events on this machine). Each
    new state takes its predecessor's place in the caches. A process not told keeps the
    modules' own sizes (256 shipments, 20,000 events). The caches only save work: any size,
    even 0, gives the same results.
    """
    state_codec.keep_decoded(shipments)
    stored_events.keep(states=shipments, models=_EVENTS_PER_SHIPMENT * shipments)
    timeline_fold.keep(shipments)
    timeline_json.keep(_EVENTS_PER_SHIPMENT * shipments)


def forget_kept() -> None:
    """Empty every cache `keep_shipments` sizes, as in a process that has kept nothing: a cold
    start, or a shipment whose last message was hours ago (tests, tests/perf/shipment_replay.py)."""
    state_codec.forget_all()
    stored_events.forget_all()
    timeline_fold.forget_all()
    timeline_json.forget_all()


@dataclass(frozen=True, slots=True)
class Out:
    """One record to publish."""

    topic: str  # a HubTopics field: timelines, turnover, deadletter, identity, shipment_events
    key: bytes | None
    value: bytes
    headers: dict[str, bytes] | None = None


@dataclass(frozen=True, slots=True)
class WithheldNow:
    """A settlement withheld for the first time on this shipment (a dead letter is among the outputs)."""

    contract_id: str
    reason: str
    event_id: str


@dataclass(slots=True)
class Step:
    """What handling a shipment's records gave."""

    state: Any  # the state after (encoded by `step_encoded`: None when unchanged)
    outputs: list[Out] = field(default_factory=list)
    retirements: int = 0  # records that retired the shipment
    duplicates: list[str] = field(default_factory=list)  # the partner of each event a partner sent again
    withheld: list[WithheldNow] = field(default_factory=list)
    clock: datetime | None = None  # the latest last_event_at of the timelines settled
    published: tuple[str, str, str | None] | None = None  # (shipment id, kind, status) of the timeline published
    settle_seconds: float = 0.0  # CPU seconds of the settling (the `settle` stage)
    settled: int = 0  # timelines settled or resent (its records)
    records: int = 0  # the records handled


def shipment_step(state: Any, shipment_id: str, records: list[bytes], contracts: ContractSet, source_topic: str) -> Step:
    """The shipment's `records` (hub.shipment-events values, in order) handled from `state`.

    `source_topic` names hub.shipment-events in a withheld settlement's dead letter."""
    step = Step(state, records=len(records))
    key = shipment_id.encode()
    latest: Publish | None = None
    resent = False
    for record in records:
        message = orjson.loads(record)
        previous = state = step.state
        state, outputs = handle_shipment_message(state, shipment_id, message)
        if retired_now(previous, state):
            step.retirements += 1
        if message["kind"] == "event" or message.get("observed"):  # from partners, not moved by a merge or split
            step.duplicates.extend(p for o in outputs if isinstance(o, Publish) for p in o.repeated)
        for output in outputs:
            if isinstance(output, Send):
                step.outputs.append(Out(SEND_TOPICS[output.topic], output.key.encode(), orjson.dumps(output.message)))
                continue
            latest = output
            state, money = after_publish(state, output)
            if money is Money.SETTLE:
                assert isinstance(output.record, Timeline)
                if output.record.last_event_at is not None and (step.clock is None or output.record.last_event_at > step.clock):
                    step.clock = output.record.last_event_at
                state = _settle(step, key, state, output.record, contracts, source_topic)
            elif money is Money.RESEND and not resent:
                # A repeated input re-emits what it emitted before: a crash may have lost it.
                # Once per shipment and batch: what a later repeat would resend is the same.
                started = time.thread_time()
                _to_turnover(step, resend_messages(state.get("settled")))
                step.settle_seconds += time.thread_time() - started
                step.settled += 1
                resent = True
        step.state = state
    if latest is not None:
        # Once, the latest: hub.timelines is compacted, only the last counts.
        step.outputs.append(Out(TIMELINES, latest.key.encode(), record_json(latest.record)))
        step.published = (latest.key, latest.record.kind, getattr(latest.record, "status", None))
    return step


def _settle(step: Step, key: bytes, state: dict, timeline: Timeline, contracts: ContractSet, source_topic: str) -> dict:
    started = time.thread_time()
    state, sends, withheld_now = settle_step(state, timeline, contracts)
    _to_turnover(step, sends)
    state, new = withheld(state, withheld_now)
    for missing in new:
        # Withheld, never settled at zero: the trigger goes to the dead letters.
        letter = withheld_letter(key, missing, source_topic)
        step.outputs.append(Out(DEADLETTER, letter.key, letter.value, letter.headers))
        step.withheld.append(WithheldNow(missing.contract_id, missing.reason.value, missing.event.event_id))
    step.settle_seconds += time.thread_time() - started
    step.settled += 1
    return state


def _to_turnover(step: Step, sends: list[ToTurnover]) -> None:
    step.outputs.extend(Out(TURNOVER, send.key.encode(), orjson.dumps(send.message)) for send in sends)


def step_encoded(stored: bytes | None, shipment_id: str, records: list[bytes], contracts: ContractSet, source_topic: str) -> Step:
    """`shipment_step` over a state as the table stores it; the step's state is the bytes to
    store, or None when the state did not change (nothing to write)."""
    before = state_codec.decode(stored) if stored is not None else None
    step = shipment_step(before, shipment_id, records, contracts, source_topic)
    if step.state == before:
        step.state = None
        return step
    step.state = state_codec.encode(step.state)
    if stored is not None:
        state_codec.forget_decoded(stored)  # its successor, just encoded, is what the shipment's next read brings
    return step


@dataclass(frozen=True, slots=True)
class ShipmentWork:
    """One shipment's records of a batch, with its stored state: what a helper is handed."""

    shipment_id: str
    stored: bytes | None
    records: list[bytes]


@dataclass(frozen=True, slots=True)
class FoldedPart:
    steps: list[Step]
    cpu_seconds: float  # the part's CPU seconds, settling included


def fold_part(work: list[ShipmentWork], contracts: ContractSet, source_topic: str) -> FoldedPart:
    """`step_encoded` for each shipment, in order (a module-level function: a helper process runs it)."""
    started = time.thread_time()
    steps = [step_encoded(w.stored, w.shipment_id, w.records, contracts, source_topic) for w in work]
    return FoldedPart(steps, time.thread_time() - started)
