"""What a principal may do on the secure broker, tried for real: produce to and consume from
topics with its credential, each outcome decided by the broker (an authorization error is the
only failure taken for "denied")."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from hub.cli.access import _admin
from hub.config import Settings, kafka_client_options
from hub.kafka import acl_admin


def as_user(env: dict[str, str], user: str, password: str) -> dict[str, str]:
    return {**env, "HUB_KAFKA_USERNAME": user, "HUB_KAFKA_PASSWORD": password}


def set_passwords(admin: Settings, users: list[str]) -> dict[str, str]:
    """A fresh SCRAM password for each of `users`, set through one connection as the super-user."""
    passwords = {user: f"{user}-{os.urandom(12).hex()}" for user in users}

    async def set_all() -> None:
        client = await _admin(admin)
        try:
            for user, password in passwords.items():
                await acl_admin.upsert_scram_credential(client, user, password)
        finally:
            await client.close()

    asyncio.run(set_all())
    return passwords


async def try_produce(settings: Settings, names: list[str], user: str) -> dict[str, bool]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", request_timeout_ms=10000,
                                **kafka_client_options(settings))
    await producer.start()
    outcome = {}
    try:
        for topic in names:
            outcome[topic] = await authorized(producer.send_and_wait(topic, value=f"from {user}".encode(), key=b"matrix"),
                                              f"{user} -> {topic}")
    finally:
        await producer.stop()
    return outcome


async def try_consume(settings: Settings, names: list[str]) -> dict[str, bool]:
    """Read partition 0 of each topic from its start (the admin seeded one record in each)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False, **kafka_client_options(settings))
    await consumer.start()
    outcome = {}
    try:
        for topic in names:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            consumer.seek(tp, 0)
            # A topic the user may not even describe is refused in the metadata answer (the
            # consumer would wait for a leader for ever); one it may describe but not read,
            # in the fetch answer.
            await consumer._client.force_metadata_update()
            if topic in consumer._client.cluster.unauthorized_topics:
                outcome[topic] = False
                continue
            outcome[topic] = await authorized(_fetch_some(consumer, tp), topic)
    finally:
        await consumer.stop()
    return outcome


async def _fetch_some(consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
    fetched = await consumer.getmany(tp, timeout_ms=10000)
    assert fetched.get(tp), f"{tp.topic}: readable but nothing fetched"


async def authorized(attempt: Awaitable[object], what: str) -> bool:
    """True when `attempt` succeeds, False when the broker refuses it as not authorized; any
    other error is the test's failure, not a denial."""
    try:
        await attempt
    except KafkaError as err:
        assert "Authorization" in type(err).__name__, f"{what}: {err!r}"
        return False
    return True
