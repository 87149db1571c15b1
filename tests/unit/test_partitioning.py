"""hub/kafka/partitioning.py: the worker's partitioner places every key where Kafka's default does."""

from __future__ import annotations

import random

import pytest
from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from hub.kafka.partitioning import KeyPartitioner, partition_of

pytestmark = pytest.mark.unit


@given(st.binary(max_size=80), st.integers(1, 64))
def test_a_key_goes_where_the_default_partitioner_puts_it(key, count):
    partitions = list(range(count))
    expected = DefaultPartitioner()(key, partitions, partitions)
    # Twice: from the hash, then from the cache.
    assert KeyPartitioner()(key, partitions, partitions) == expected == KeyPartitioner()(key, partitions, partitions)
    assert partition_of(key, count) == expected


def test_known_placements_of_the_java_client():
    # Kafka's Utils.murmur2 test vectors, as partitions of 1,000,000 (positive hash mod n).
    assert partition_of(b"21", 1_000_000) == (-973932308 & 0x7FFFFFFF) % 1_000_000
    assert partition_of(b"foobar", 1_000_000) == (-790332482 & 0x7FFFFFFF) % 1_000_000


def test_a_record_without_a_key_goes_to_an_available_partition():
    random.seed(3)
    assert {KeyPartitioner()(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert {KeyPartitioner()(None, [0, 1], []) for _ in range(50)} == {0, 1}
