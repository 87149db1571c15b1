"""identity: hub.identity (keyed by identifier) → labels, merges and splits; events on to hub.shipment-events.

Records come a batch at a time (hub/agents/batches.py) and are handled per identifier: an
identifier's records of one batch, in their order, read its state once and write it once
(observations and the labels they spread reach one identifier several times in a burst).
What each record sends is sent after it, as before; a crash mid-batch leaves the whole batch
to be read again, and the handler re-sends what a record at a position it already applied
sent (hub/stages/identity.py), so grouping changes no outcome.
"""

from __future__ import annotations

import faust
import orjson

from hub.agents.batches import Batch, KeyState, by_key, each_batch
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.stages.identity import handle_identity


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.identity, name="identity", concurrency=1)
    async def identity_agent(stream: faust.StreamT) -> None:
        async for batch in each_batch(stream, hub.app, linger=hub.settings.batch_linger):
            for key, events in by_key(batch.events).items():
                await timed("identity", _on_identifier(hub, batch, key, events), records=len(events))


async def _on_identifier(hub: Wiring, batch: Batch, key: bytes, events: list[faust.EventT]) -> None:
    identifier = KeyState(hub.tables.identities, key)
    for event in identifier.taken(batch, events):
        position = f"{event.message.partition}:{event.message.offset}"
        identifier.state, sends = handle_identity(identifier.state, key.decode(), orjson.loads(event.value), position)
        await hub.send(sends)
    identifier.write()
