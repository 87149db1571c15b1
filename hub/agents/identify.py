"""identify: hub.events → hub.identity, each parcel identifier of an event told of its neighbours and orders.

Stateless: identity state keyed by X is written while processing hub.identity keyed by X.
"""

from __future__ import annotations

import json

import faust

from hub.agents.batches import each_record
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.stages.identity import observations
from schemas import CanonicalEvent


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.events, name="identify", concurrency=1)
    async def identify_agent(stream: faust.StreamT) -> None:
        async for event in each_record(stream, hub.app):
            await timed("identify", _identify(hub, event.value))


async def _identify(hub: Wiring, value: bytes) -> None:
    event = CanonicalEvent.model_validate_json(value)
    parcels = [str(i) for i in event.parcel_identifiers()]
    orders = [str(o) for o in event.order_references()]
    await hub.send(observations(parcels, orders, json.loads(value)))
