"""What every agent is wired to: the worker's settings, topics, tables and followers, built
once by hub/app.py's create_app and handed to each agent module's `register`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import faust
import orjson

from hub.config import Settings
from hub.kafka.contract_registry import ContractRegistry
from hub.kafka.control_follower import ControlFollower
from hub.partners import Partner
from hub.stages.identity import IDENTITY, SHIPMENT_EVENTS, Send


class StreamClock:
    """`HUB_CLOCK=stream`: the latest event time seen, so simulated history is not all stale."""

    def __init__(self) -> None:
        self.latest = datetime(1970, 1, 1, tzinfo=timezone.utc)

    def advance(self, instant: datetime | None) -> None:
        if instant is not None and instant > self.latest:
            self.latest = instant

    def now(self) -> datetime:
        return self.latest


@dataclass(frozen=True)
class HubTopics:
    """The hub's own topics as faust topics (names and configs: hub/topics.py)."""

    partners: faust.TopicT
    events: faust.TopicT
    identity: faust.TopicT
    shipment_events: faust.TopicT
    timelines: faust.TopicT
    deadletter: faust.TopicT
    turnover: faust.TopicT
    settlements: faust.TopicT
    statements: faust.TopicT
    control: faust.TopicT


@dataclass(frozen=True)
class HubTables:
    """Keyed by the raw bytes of the record key, so a changelog and `table_route` hash as the source topic does."""

    identities: faust.Table
    timelines: faust.Table
    turnover: faust.Table


@dataclass(frozen=True)
class Wiring:
    app: faust.App
    settings: Settings
    partners_by_topic: dict[str, Partner]
    topics: HubTopics
    tables: HubTables
    contracts: ContractRegistry
    control: ControlFollower
    stream_clock: StreamClock

    async def send(self, sends: list[Send]) -> None:
        """The identity and timeline stages' messages, to hub.identity or hub.shipment-events."""
        to = {IDENTITY: self.topics.identity, SHIPMENT_EVENTS: self.topics.shipment_events}
        for send in sends:
            await self.publish(to[send.topic], send.key.encode(), orjson.dumps(send.message))

    async def publish(self, topic: faust.TopicT, key: bytes | None, value: bytes,
                      headers: dict[str, bytes] | None = None, partition: int | None = None) -> None:
        """Send one record, not waiting for its delivery: what `topic.send` does, on faust's own producer.

        `Topic.send` wraps every record in faust's pending and future messages, its codecs
        (the hub's topics are raw bytes) and its send sensors before calling the producer: work
        done for every record a worker sends, several per event. Measured, the saving was
        within run-to-run noise (docs/research/faust-throughput.md, take_psend against
        take_send; and `hub bench`); it is kept as the plainer path. This calls the producer directly, as
        faust's `publish_message` ends up doing. The consumer still flushes that producer before
        every commit, so at-least-once is unchanged. Before the producer has started (an
        agent's test context), and in a transaction, faust's own path runs.
        """
        app = self.app
        producer = app.producer
        if app.in_transaction or not producer.started:
            await topic.send(key=key, value=value, headers=headers, partition=partition)
            return
        await producer.send(topic.get_topic_name(), key, value, partition, None, headers)
