"""A model of the identity and timeline topology over partitioned logs, driven by the pure handlers.

Each topic has P partitions, each a FIFO queue; a key always maps to one partition. The run
picks the next partition to serve at random (any interleaving across partitions, order kept
within one), and may deliver a message twice (at least once: a crash after the table write
and before the offset commit). No faust, no Kafka: this is what the property tests drive.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import deque
from dataclasses import dataclass, field

from hub.stages.identity import IDENTITY, SHIPMENT_EVENTS, Send, handle_identity, observations, shipment_id_for
from hub.stages.timeline import Publish, handle_shipment_message
from schemas import CanonicalEvent

EVENTS = "events"


@dataclass
class PartitionedRun:
    partitions: int
    rng: random.Random
    redeliver_rate: float = 0.0
    queues: dict[tuple[str, int], deque] = field(default_factory=dict)
    identity: dict[str, dict] = field(default_factory=dict)
    timelines: dict[str, dict] = field(default_factory=dict)
    published: dict[str, object] = field(default_factory=dict)

    def partition(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.partitions

    def put(self, topic: str, key: str, message: dict) -> None:
        # Through JSON, as on the wire: nothing may depend on object identity.
        self.queues.setdefault((topic, self.partition(key)), deque()).append((key, json.loads(json.dumps(message))))

    def publish_event(self, event: CanonicalEvent) -> None:
        routing = min(str(i) for i in event.parcel_identifiers())
        self.put(EVENTS, routing, json.loads(event.model_dump_json()))

    def run(self, max_steps: int = 200_000) -> None:
        for _ in range(max_steps):
            ready = sorted(k for k, q in self.queues.items() if q)
            if not ready:
                return
            topic, partition = self.rng.choice(ready)
            queue = self.queues[(topic, partition)]
            key, message = queue[0]
            self._handle(topic, key, message)
            # Sometimes the same message is handled again: at-least-once delivery.
            if self.rng.random() >= self.redeliver_rate:
                queue.popleft()
        raise AssertionError("the topology did not settle")

    def _handle(self, topic: str, key: str, message: dict) -> None:
        if topic == EVENTS:
            event = CanonicalEvent.model_validate(message)
            sends = observations([str(i) for i in event.parcel_identifiers()], [str(o) for o in event.order_references()], message)
            self._emit(sends)
        elif topic == IDENTITY:
            state, sends = handle_identity(self.identity.get(key), key, message)
            self.identity[key] = state
            self._emit(sends)
        else:
            state, outputs = handle_shipment_message(self.timelines.get(key), key, message)
            self.timelines[key] = state
            for output in outputs:
                if isinstance(output, Publish):
                    self.published[output.key] = output.record
                else:
                    self._emit([output])

    def _emit(self, sends: list[Send]) -> None:
        for send in sends:
            self.put(send.topic, send.key, send.message)

    def resolve(self, identifier: str) -> str | None:
        """The shipment an identifier's timeline lives in, following redirects."""
        state = self.identity.get(identifier)
        if not state or "label" not in state:
            return None
        shipment = shipment_id_for(state["label"])
        seen = set()
        while self.timelines.get(shipment, {}).get("redirect") and shipment not in seen:
            seen.add(shipment)
            shipment = self.timelines[shipment]["redirect"]
        return shipment


__all__ = ["PartitionedRun", "IDENTITY", "SHIPMENT_EVENTS"]
