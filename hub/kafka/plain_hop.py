"""The plain aiokafka consume → produce loop, one hop: what the broker and client allow, the
reference the hub's throughput is measured against (issue 15).

`hub bench` runs it in the same run, on the partner records it fed the hub;
tests/perf/faust_hop_bench.py runs it and its variants beside faust forwarders
(docs/research/faust-throughput.md). Nothing here is part of the pipeline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# How the loop hands records to the producer: one `send` per record (delivery futures not
# awaited), aiokafka's own batches per partition, or no producing at all.
MODES = ("send", "send_batch", "consume_only")


class HopClock:
    """Counts forwarded records; wall and CPU time from the first record to `stop()` (after the flush)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.count = 0
        self.t0: float | None = None
        self.t1: float | None = None
        self.c0: float | None = None
        self.c1: float | None = None

    def tick(self, k: int = 1) -> bool:
        """Count `k` records; True once `n` have gone."""
        if self.t0 is None:
            self.t0 = time.perf_counter()
            self.c0 = time.process_time()  # CPU of every thread of this process
        self.count += k
        return self.count >= self.n

    def stop(self) -> None:
        self.t1 = time.perf_counter()
        self.c1 = time.process_time()


@dataclass(frozen=True)
class HopResult:
    records: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float | None:
        return self.records / self.seconds if self.seconds > 0 else None

    @classmethod
    def of(cls, clock: HopClock) -> HopResult:
        if clock.t0 is None or clock.t1 is None or clock.c0 is None or clock.c1 is None:
            return cls(clock.count, 0.0, 0.0)
        return cls(clock.count, clock.t1 - clock.t0, clock.c1 - clock.c0)


async def create_topic(bootstrap: str, name: str, partitions: int, replication: int = 1, *,
                       security: Mapping[str, object] | None = None) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(security or {}))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, replication)])
    finally:
        await admin.close()


async def forward(
    bootstrap: str,
    sources: Iterable[str],
    target: str,
    clock: HopClock,
    *,
    group_id: str,
    mode: str = "send",
    linger_ms: int = 0,
    max_batch_size: int = 16384,
    yield_per_record: bool = False,
    idle_timeout: float | None = None,
    security: Mapping[str, object] | None = None,
) -> None:
    """Read `sources` from the beginning under a new group and write every record to `target`,
    until `clock` has counted `clock.n` records (or nothing came for `idle_timeout` seconds);
    flush, then stop the clock. `security`: the clients' connection options (`kafka_client_options`)."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    consumer = AIOKafkaConsumer(*sources, bootstrap_servers=bootstrap, group_id=group_id,
                                auto_offset_reset="earliest", enable_auto_commit=True, **(security or {}))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=linger_ms, max_batch_size=max_batch_size, **(security or {}))
    await consumer.start()
    try:
        await producer.start()
        try:
            await _loop(consumer, producer, target, clock, mode, yield_per_record, idle_timeout)
            await producer.flush()
            clock.stop()
        finally:
            await producer.stop()
    finally:
        await consumer.stop()


async def _loop(consumer, producer, target: str, clock: HopClock, mode: str, yield_per_record: bool,
                idle_timeout: float | None) -> None:
    last_record = time.monotonic()
    while True:
        batches = await consumer.getmany(timeout_ms=1000, max_records=None)
        if not batches:
            if idle_timeout is not None and time.monotonic() - last_record > idle_timeout:
                return
            continue
        last_record = time.monotonic()
        for messages in batches.values():
            if mode == "send_batch":
                done = await _send_batches(producer, target, messages, clock)
            else:
                done = False
                for message in messages:
                    if yield_per_record:
                        await asyncio.sleep(0)  # what faust does per record
                    if mode == "send":
                        await producer.send(target, message.value, key=message.key)  # delivery future not awaited
                    if clock.tick():
                        done = True
                        break
            if done:
                return


async def _send_batches(producer, target: str, messages: list, clock: HopClock) -> bool:
    """One aiokafka BatchBuilder per output partition, sent when full; True once the clock is done."""
    builders: dict[int, object] = {}
    done = False
    for message in messages:
        partition = message.partition
        builder = builders.get(partition)
        if builder is None:
            builder = builders[partition] = producer.create_batch()
        if builder.append(key=message.key, value=message.value, timestamp=None) is None:  # type: ignore[attr-defined]
            await producer.send_batch(builder, target, partition=partition)
            builder = builders[partition] = producer.create_batch()
            builder.append(key=message.key, value=message.value, timestamp=None)  # type: ignore[attr-defined]
        if clock.tick():
            done = True
            break
    for partition, builder in builders.items():
        if builder.record_count():  # type: ignore[attr-defined]
            await producer.send_batch(builder, target, partition=partition)
    return done
