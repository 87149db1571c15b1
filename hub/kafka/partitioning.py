"""Which partition a key lands in: the agents route by it, and readers of a worker's tables
select the partitions it owns by it.

Kafka's default partitioner hashes a key with murmur2, which aiokafka computes in pure
Python: about 1% of a busy worker's time (issue 15), for keys that come back again and again
(a shipment id, an identifier, a contract and payer, once per event or state write). The
hashes of the most recent keys are kept; the partition is the Java client's either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from aiokafka.partitioner import DefaultPartitioner, murmur2

# About 100 bytes a key: a few MiB, a flat bound whatever the traffic.
_KEYS = 65_536


@lru_cache(maxsize=_KEYS)
def key_hash(key: bytes) -> int:
    """murmur2 of `key`, as Kafka's default partitioner takes it (the sign bit cleared)."""
    return murmur2(key) & 0x7FFFFFFF


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key` (murmur2, as the Java client)."""
    return key_hash(key) % partitions


class KeyPartitioner:
    """aiokafka's DefaultPartitioner with the key hashes cached: the worker's producer
    partitioner (faust's `producer_partitioner`)."""

    def __call__(self, key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]) -> int:
        if key is None:
            return DefaultPartitioner()(key, all_partitions, available)  # any partition, as aiokafka's
        return all_partitions[key_hash(bytes(key)) % len(all_partitions)]
