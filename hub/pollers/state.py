"""What a poller remembers across restarts, in the compacted poller-state topic.

Keys: `<partner>|parcel|<scheme:VALUE>` (its `ParcelState`) and `<partner>|ticket|<ticket>`
(an open Russian Post ticket; a tombstone once its answer is published). Every write waits
for the broker's acknowledgement (acks=all), and the service writes a parcel's state only
after the answer about it was acknowledged on the partner topic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from hub.pollers.schedule import ParcelState
from hub.pollers.tickets import Ticket


@dataclass
class PollerState:
    parcels: dict[str, ParcelState] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)


def parcel_key(partner: str, identifier: str) -> str:
    return f"{partner}|parcel|{identifier}"


def ticket_key(partner: str, ticket: str) -> str:
    return f"{partner}|ticket|{ticket}"


def state_from_records(partner: str, latest: dict[str, bytes | None]) -> PollerState:
    """The partner's state from the latest value per key (None: a tombstone)."""
    state = PollerState()
    for key, value in latest.items():
        owner, _, rest = key.partition("|")
        kind, _, name = rest.partition("|")
        if owner != partner or value is None:
            continue
        data = json.loads(value)
        if kind == "parcel":
            state.parcels[name] = ParcelState.from_json(data)
        elif kind == "ticket":
            state.tickets[name] = Ticket.from_json(data)
    return state


class StateStore(Protocol):
    async def load(self, partner: str) -> PollerState: ...

    async def save(self, records: dict[str, dict | None]) -> None:
        """Write every record (None: a tombstone); return once the broker acknowledged all of them."""


class KafkaStateStore:
    """The poller-state topic (compacted), read whole at start, written with acks=all."""

    def __init__(self, bootstrap: str, topic: str, security: Mapping[str, object] | None = None) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.security = dict(security or {})  # hub.config.kafka_client_options
        self._producer = None

    async def load(self, partner: str) -> PollerState:
        from hub.kafka.topic_reader import read_records

        latest: dict[str, bytes | None] = {}
        for record in await read_records(self.bootstrap, self.topic, security=self.security):
            if record.key is not None:
                latest[record.key.decode()] = record.value
        return state_from_records(partner, latest)

    async def save(self, records: dict[str, dict | None]) -> None:
        import asyncio

        producer = await self._started()
        futures = [
            await producer.send(self.topic, key=key.encode(), value=None if value is None else json.dumps(value).encode())
            for key, value in records.items()
        ]
        await asyncio.gather(*futures)

    async def _started(self):
        if self._producer is None:
            from aiokafka import AIOKafkaProducer

            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True, **self.security)
            await producer.start()
            self._producer = producer
        return self._producer

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
