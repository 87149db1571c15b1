"""timeline: hub.shipment-events (keyed by shipment id) → hub.timelines; what a timeline owes → hub.turnover.

After each record it publishes, the stage says what to do about money (hub/stages/money.py):
settle a new timeline, resend after a repeat, or nothing.
"""

from __future__ import annotations

import json

import faust

from hub import metrics, topics
from hub.agents.batches import each_record
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.logs import log
from hub.stages.money import Money, after_publish, withheld, withheld_letter
from hub.stages.retire import retired_now
from hub.stages.settle import ToTurnover, resend_messages, settle_step
from hub.stages.timeline import Publish, handle_shipment_message
from schemas.timeline import Timeline


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.shipment_events, name="timeline", concurrency=1)
    async def timeline_agent(stream: faust.StreamT) -> None:
        async for event in each_record(stream, hub.app):
            await timed("timeline", _on_record(hub, event.key, event.value))


async def _on_record(hub: Wiring, key: bytes, value: bytes) -> None:
    timelines = hub.tables.timelines
    message = json.loads(value)
    before = timelines.get(key)  # one table read per record: this agent alone writes the key
    state, outputs = handle_shipment_message(before, key.decode(), message)
    if retired_now(before, state):
        metrics.RETIREMENTS.inc()
    if message["kind"] == "event" and any(isinstance(o, Publish) and o.repeat for o in outputs):
        metrics.DUPLICATES.labels(message["event"]["partner"]).inc()
    for output in outputs:
        if not isinstance(output, Publish):
            await hub.send([output])
            continue
        await hub.topics.timelines.send(key=output.key.encode(), value=output.record.model_dump_json().encode())
        log.info("timeline_published", shipment_id=output.key, kind=output.record.kind,
                 status=getattr(output.record, "status", None))
        state, money = after_publish(state, output)
        if money is Money.SETTLE:
            assert isinstance(output.record, Timeline)
            hub.stream_clock.advance(output.record.last_event_at)
            state = await timed("settle", _settle(hub, key, state, output.record))
        elif money is Money.RESEND:
            # A repeated input re-emits what it emitted before: a crash may have lost it.
            await timed("settle", _to_turnover(hub, resend_messages(state.get("settled"))))
    if state != before:
        timelines[key] = state


async def _settle(hub: Wiring, key: bytes, state: dict, timeline: Timeline) -> dict:
    # Settle nothing before every contract on hub.contracts has been read.
    await hub.contracts.ready.wait()
    state, sends, withheld_now = settle_step(state, timeline, hub.contracts.current)
    await _to_turnover(hub, sends)
    state, new = withheld(state, withheld_now)
    for missing in new:
        # Withheld, never settled at zero: the trigger goes to the dead letters.
        letter = withheld_letter(key, missing, topics.SHIPMENT_EVENTS.name(hub.settings))
        await hub.topics.deadletter.send(key=letter.key, value=letter.value, headers=letter.headers)
        metrics.SETTLEMENTS_WITHHELD.labels(missing.contract_id, missing.reason.value).inc()
        log.warning("settlement_withheld", contract=missing.contract_id, event_id=missing.event.event_id, reason=missing.reason.value)
    return state


async def _to_turnover(hub: Wiring, sends: list[ToTurnover]) -> None:
    for send in sends:
        await hub.topics.turnover.send(key=send.key.encode(), value=json.dumps(send.message).encode())
