"""Durability before the answer: the broker acknowledges a record (acks=all) within the budget,
or the spool fsyncs it; a drainer moves the spool to the broker once it answers again.

The producer connects in the background, so a gateway starts, and answers 200 from the
spool, with no broker at all. After a send fails or runs out of budget the broker is taken
as down: records go straight to the spool (no partner waits the budget again) until the
drainer has delivered a whole segment. A send that timed out may still reach the broker
later, so a record can land twice: with identical bytes and headers, never lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum

from hub.gateway.record import GatewayRecord
from hub.gateway.spool import Spool
from hub.logs import log

DRAIN_CHUNK = 500
DRAIN_TIMEOUT = 30.0
RECONNECT_SECONDS = 1.0


class Durable(StrEnum):
    DELIVERED = "delivered"
    SPOOLED = "spooled"
    UNAVAILABLE = "unavailable"


class Delivery:
    def __init__(self, bootstrap: str, spool: Spool, budget: float, client_id: str,
                 prepare_topics: Callable[[], Awaitable[object]] | None = None,
                 security: Mapping[str, object] | None = None) -> None:
        self._bootstrap = bootstrap
        self._security = dict(security or {})  # hub.config.kafka_client_options: credentials, TLS
        self.spool = spool
        self._budget = budget
        self._client_id = client_id
        self._prepare_topics = prepare_topics
        self._producer = None
        self._broker_up = False
        self._tasks: list[asyncio.Task] = []
        self._spooled = asyncio.Event()

    @property
    def broker_up(self) -> bool:
        return self._producer is not None and self._broker_up

    def ready(self) -> bool:
        """Health: a record can be made durable now (the broker takes it, or the spool can)."""
        return self.broker_up or self.spool.writable()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._connect(), name="gateway-connect"),
                       asyncio.create_task(self._drain(), name="gateway-drain")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._producer is not None:
            await self._producer.stop()  # flushes what is in flight
            self._producer = None
        self.spool.close()

    async def deliver(self, record: GatewayRecord) -> Durable:
        if self.broker_up:
            try:
                await asyncio.wait_for(self._send(record), self._budget)
                return Durable.DELIVERED
            except Exception as err:  # noqa: BLE001 - any failure of the broker path means: spool it
                if self._broker_up:
                    log.warning("gateway_broker_down", error=type(err).__name__)
                self._broker_up = False
        try:
            await asyncio.to_thread(self.spool.append, record)
        except OSError as err:
            log.error("gateway_spool_failed", error=str(err))
            return Durable.UNAVAILABLE
        self._spooled.set()
        return Durable.SPOOLED

    async def _send(self, record: GatewayRecord) -> None:
        assert self._producer is not None
        await self._producer.send_and_wait(record.topic, value=record.value, key=record.key, headers=list(record.headers))

    async def _connect(self) -> None:
        from aiokafka import AIOKafkaProducer

        while self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap, client_id=self._client_id, acks="all", enable_idempotence=True,
                linger_ms=2, request_timeout_ms=10000, **self._security,
            )
            try:
                await producer.start()
                if self._prepare_topics is not None:
                    await self._prepare_topics()
            except Exception as err:  # noqa: BLE001 - no broker yet: the spool answers meanwhile
                await producer.stop()
                log.info("gateway_broker_unreachable", bootstrap=self._bootstrap, error=type(err).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            self._producer = producer
            # Records spooled before the broker answered go first: the drainer says when it is up.
            self._broker_up = self.spool.depth() == 0
            self._spooled.set()
            log.info("gateway_broker_connected", bootstrap=self._bootstrap)

    async def _drain(self) -> None:
        """Move sealed segments to the broker, oldest first; a segment is deleted only once all of it is acknowledged."""
        while True:
            if self._producer is None or self.spool.depth() == 0:
                self._spooled.clear()
                try:
                    await asyncio.wait_for(self._spooled.wait(), RECONNECT_SECONDS)
                except TimeoutError:
                    pass
                if self._producer is None or self.spool.depth() == 0:
                    continue
            sealed = await asyncio.to_thread(self.spool.next_sealed)
            if sealed is None:
                continue
            number, records = sealed
            started = time.monotonic()
            try:
                for at in range(0, len(records), DRAIN_CHUNK):
                    chunk = records[at: at + DRAIN_CHUNK]
                    await asyncio.wait_for(self._send_all([s.record for s in chunk]), DRAIN_TIMEOUT)
            except Exception as err:  # noqa: BLE001 - broker still away: try again later
                log.info("gateway_drain_failed", segment=number, error=type(err).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            await asyncio.to_thread(self.spool.remove, number)
            self._broker_up = True
            log.info("gateway_spool_drained", segment=number, records=len(records), seconds=round(time.monotonic() - started, 3))

    async def _send_all(self, records: list[GatewayRecord]) -> None:
        assert self._producer is not None
        pending = [await self._producer.send(r.topic, value=r.value, key=r.key, headers=list(r.headers)) for r in records]
        await asyncio.gather(*pending)
