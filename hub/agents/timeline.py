"""timeline: hub.shipment-events (keyed by shipment id) → hub.timelines; what a timeline owes → hub.turnover.

Records come a batch at a time (hub/agents/batches.py) and are handled per shipment: a
shipment's records of one batch, in their order, read its state once, write it once, and
publish its timeline once (the latest: hub.timelines is compacted, only the last counts), as
Kafka Streams' record cache does for a table. Money is still settled after every record:
what is sent to hub.turnover must not depend on where a batch happened to end, or a replay
after a crash (other batches) could miss a reversal of what the first run sent.

After each record the stage says what to do about money (hub/stages/money.py): settle a new
timeline, resend after a repeat, or nothing.
"""

from __future__ import annotations

import faust
import orjson

from hub import metrics, topics
from hub.agents.batches import Batch, KeyState, by_key, each_batch
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.logs import log
from hub.stages.money import Money, after_publish, withheld, withheld_letter
from hub.stages.retire import retired_now
from hub.stages.settle import ToTurnover, resend_messages, settle_step
from hub.stages.timeline import Publish, handle_shipment_message
from hub.stages.timeline_json import record_json
from schemas.timeline import Timeline


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.shipment_events, name="timeline", concurrency=1)
    async def timeline_agent(stream: faust.StreamT) -> None:
        async for batch in each_batch(stream, hub.app, linger=hub.settings.batch_linger):
            for key, events in by_key(batch.events).items():
                await timed("timeline", _on_shipment(hub, batch, key, events), records=len(events))


async def _on_shipment(hub: Wiring, batch: Batch, key: bytes, events: list[faust.EventT]) -> None:
    shipment = KeyState(hub.tables.timelines, key)
    latest: Publish | None = None
    resent = False
    for event in shipment.taken(batch, events):
        message = orjson.loads(event.value)
        previous = state = shipment.state
        state, outputs = handle_shipment_message(state, key.decode(), message)
        if retired_now(previous, state):
            metrics.RETIREMENTS.inc()
        if message["kind"] == "event" or message.get("observed"):  # from partners, not moved by a merge or split
            for partner in (p for o in outputs if isinstance(o, Publish) for p in o.repeated):
                metrics.DUPLICATES.labels(partner).inc()
        for output in outputs:
            if not isinstance(output, Publish):
                await hub.send([output])
                continue
            latest = output
            state, money = after_publish(state, output)
            if money is Money.SETTLE:
                assert isinstance(output.record, Timeline)
                hub.stream_clock.advance(output.record.last_event_at)
                state = await timed("settle", _settle(hub, key, state, output.record))
            elif money is Money.RESEND and not resent:
                # A repeated input re-emits what it emitted before: a crash may have lost it.
                # Once per shipment and batch: what a later repeat would resend is the same.
                await timed("settle", _to_turnover(hub, resend_messages(state.get("settled"))))
                resent = True
        shipment.state = state
    if latest is not None:
        await hub.publish(hub.topics.timelines, latest.key.encode(), record_json(latest.record))
        log.debug("timeline_published", shipment_id=latest.key, kind=latest.record.kind,
                 status=getattr(latest.record, "status", None))
    shipment.write()


async def _settle(hub: Wiring, key: bytes, state: dict, timeline: Timeline) -> dict:
    # Settle nothing before every contract on hub.contracts has been read.
    await hub.contracts.ready.wait()
    state, sends, withheld_now = settle_step(state, timeline, hub.contracts.current)
    await _to_turnover(hub, sends)
    state, new = withheld(state, withheld_now)
    for missing in new:
        # Withheld, never settled at zero: the trigger goes to the dead letters.
        letter = withheld_letter(key, missing, topics.SHIPMENT_EVENTS.name(hub.settings))
        await hub.publish(hub.topics.deadletter, letter.key, letter.value, letter.headers)
        metrics.SETTLEMENTS_WITHHELD.labels(missing.contract_id, missing.reason.value).inc()
        log.warning("settlement_withheld", contract=missing.contract_id, event_id=missing.event.event_id, reason=missing.reason.value)
    return state


async def _to_turnover(hub: Wiring, sends: list[ToTurnover]) -> None:
    for send in sends:
        await hub.publish(hub.topics.turnover, send.key.encode(), orjson.dumps(send.message))
