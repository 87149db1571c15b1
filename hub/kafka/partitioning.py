"""Which partition a key lands in: the agents route by it, and readers of a worker's tables
select the partitions it owns by it."""

from __future__ import annotations

from aiokafka.partitioner import murmur2


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key` (murmur2, as the Java client)."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions
