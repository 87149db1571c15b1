"""identity: hub.identity (keyed by identifier) → labels, merges and splits; events on to hub.shipment-events."""

from __future__ import annotations

import faust
import orjson

from hub.agents.batches import each_record
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.stages.identity import handle_identity


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.identity, name="identity", concurrency=1)
    async def identity_agent(stream: faust.StreamT) -> None:
        async for event in each_record(stream, hub.app):
            await timed("identity", _on_record(hub, event))


async def _on_record(hub: Wiring, event: faust.EventT) -> None:
    identities = hub.tables.identities
    key, message = event.key, orjson.loads(event.value)
    position = f"{event.message.partition}:{event.message.offset}"
    before = identities.get(key)  # one table read per record: this agent alone writes the key
    state, sends = handle_identity(before, key.decode(), message, position)
    if state != before:
        identities[key] = state
    await hub.send(sends)
