"""A model of the identity and timeline topology over partitioned logs, driven by the pure handlers.

Each topic has P partitions, each a FIFO queue; a key always maps to one partition. The run
picks the next partition to serve at random (any interleaving across partitions, order kept
within one), and may deliver a message twice (at least once). A crash is modelled as faust
can have it: the table write of a message survives but what its handling sent is lost, and
the message is delivered again (its offset was not committed). With `window_crash_rate`, a
partition's records are also committed only now and then, as a worker commits offsets and
flushes its producer: a crash then loses what every record since the last commit sent and
reads them all again, against states that already hold their effects (faust wrote the
tables' changelogs; a batch's state is written once, after its last record). No faust, no
Kafka: this is what the property tests drive.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import deque
from dataclasses import dataclass, field

from hub.stages.identity import IDENTITY, SHIPMENT_EVENTS, Send, handle_identity, observe_message, shipment_id_for, split_messages
from hub.stages.normalise import routing_identifier
from hub.stages.timeline import Publish, handle_shipment_message
from schemas import CanonicalEvent

EVENTS = "events"


@dataclass
class PartitionedRun:
    partitions: int
    rng: random.Random
    redeliver_rate: float = 0.0
    crash_rate: float = 0.0
    queues: dict[tuple[str, int], deque] = field(default_factory=dict)
    identity: dict[str, dict] = field(default_factory=dict)
    timelines: dict[str, dict] = field(default_factory=dict)
    published: dict[str, object] = field(default_factory=dict)
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    window_crash_rate: float = 0.0
    # Per partition: the records handled since its last commit, and what they sent (sends
    # and publications), held back until the commit.
    uncommitted: dict[tuple[str, int], tuple[list, list]] = field(default_factory=dict)

    _losing: bool = False
    _held: list | None = None

    def partition(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.partitions

    def put(self, topic: str, key: str, message: dict) -> None:
        # Through JSON, as on the wire: nothing may depend on object identity.
        partition = self.partition(key)
        offset = self.offsets.get((topic, partition), 0)
        self.offsets[(topic, partition)] = offset + 1
        self.queues.setdefault((topic, partition), deque()).append((key, json.loads(json.dumps(message)), f"{partition}:{offset}"))

    def publish_event(self, event: CanonicalEvent) -> None:
        self.publish_message([event])

    def publish_message(self, events: list[CanonicalEvent]) -> None:
        """The canonical events of one partner message, identified together as the normalise
        agent does (events naming the same identifiers travel on together)."""
        self.put(EVENTS, routing_identifier(events[0]), {"events": [json.loads(e.model_dump_json()) for e in events]})

    def split(self, first: str, second: str) -> None:
        """What `hub split FIRST SECOND` publishes."""
        for send in split_messages(first, second):
            self.put(send.topic, send.key, send.message)

    def run(self, max_steps: int = 200_000) -> None:
        if not self.steps(max_steps):
            raise AssertionError("the topology did not settle")

    def steps(self, count: int) -> bool:
        """Handle up to `count` messages; True once every queue is empty."""
        for _ in range(count):
            ready = sorted(k for k, q in self.queues.items() if q)
            if not ready:
                if not any(handled for handled, _ in self.uncommitted.values()):
                    return True
                for tp in sorted(self.uncommitted):
                    self._commit(tp)
                continue
            topic, partition = self.rng.choice(ready)
            queue = self.queues[(topic, partition)]
            if self.window_crash_rate:
                self._windowed_step((topic, partition), queue)
                continue
            key, message, position = queue[0]
            crashed = self.rng.random() < self.crash_rate
            self._handle(topic, key, message, position, lose_outputs=crashed)
            # Sometimes the same message is handled again: at-least-once delivery, and
            # always after a crash, since its offset was never committed.
            if not crashed and self.rng.random() >= self.redeliver_rate:
                queue.popleft()
        return not any(self.queues.values())

    def _windowed_step(self, tp: tuple[str, int], queue: deque) -> None:
        """Handle a partition's next record, its outputs held until a commit; or crash."""
        handled, held = self.uncommitted.setdefault(tp, ([], []))
        if handled and self.rng.random() < self.window_crash_rate:
            # Sends and publications lost; every record since the commit is read again.
            queue.extendleft(reversed(handled))
            self.uncommitted[tp] = ([], [])
            return
        item = queue.popleft()
        self._held = held
        try:
            self._handle(tp[0], item[0], item[1], item[2], lose_outputs=False)
        finally:
            self._held = None
        handled.append(item)
        if self.rng.random() < 0.3:
            self._commit(tp)

    def _commit(self, tp: tuple[str, int]) -> None:
        _, held = self.uncommitted.pop(tp, ([], []))
        for output in held:
            if isinstance(output, Publish):
                self.published[output.key] = output.record
            else:
                self.put(output.topic, output.key, output.message)

    def _handle(self, topic: str, key: str, message: dict, position: str, lose_outputs: bool) -> None:
        self._losing = lose_outputs
        if topic == EVENTS:
            events = [CanonicalEvent.model_validate(raw) for raw in message["events"]]
            self._emit(observe_message([([str(i) for i in e.parcel_identifiers()], [str(o) for o in e.order_references()], raw)
                                        for e, raw in zip(events, message["events"], strict=True)]))
        elif topic == IDENTITY:
            state, sends = handle_identity(self.identity.get(key), key, message, position)
            self.identity[key] = state
            self._emit(sends)
        else:
            state, outputs = handle_shipment_message(self.timelines.get(key), key, message)
            self.timelines[key] = state
            for output in outputs:
                if isinstance(output, Publish):
                    if self._held is not None:
                        self._held.append(output)
                    elif not lose_outputs:
                        self.published[output.key] = output.record
                else:
                    self._emit([output])

    def _emit(self, sends: list[Send]) -> None:
        if self._losing:
            return
        if self._held is not None:
            self._held.extend(sends)
            return
        for send in sends:
            self.put(send.topic, send.key, send.message)

    def resolve(self, identifier: str) -> str | None:
        """The shipment an identifier's timeline lives in, following redirects."""
        state = self.identity.get(identifier)
        if not state or "label" not in state:
            return None
        shipment = shipment_id_for(state["label"])
        seen = set()
        while shipment not in seen:
            seen.add(shipment)
            state = self.timelines.get(shipment) or {}
            if state.get("redirect"):
                shipment = state["redirect"]
        return shipment


__all__ = ["PartitionedRun", "IDENTITY", "SHIPMENT_EVENTS"]
