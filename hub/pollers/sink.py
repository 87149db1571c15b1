"""Where answers go: the partner's topic, raw, marked with the partner and (where the format needs it) the subject."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from schemas.deadletter import PARTNER_HEADER, SUBJECT_HEADER


def answer_headers(partner: str, subject: str | None) -> list[tuple[str, bytes]]:
    headers = [(PARTNER_HEADER, partner.encode())]
    if subject:
        headers.append((SUBJECT_HEADER, subject.encode()))
    return headers


class AnswerSink(Protocol):
    async def publish(self, body: bytes, headers: list[tuple[str, bytes]]) -> None:
        """Return once the broker acknowledged the record."""


class KafkaAnswerSink:
    def __init__(self, bootstrap: str, topic: str, security: Mapping[str, object] | None = None) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.security = dict(security or {})  # hub.config.kafka_client_options
        self._producer = None

    async def publish(self, body: bytes, headers: list[tuple[str, bytes]]) -> None:
        if self._producer is None:
            from aiokafka import AIOKafkaProducer

            # Russian Post answers of a full ticket can be large: allow records up to the broker's default 1 MB.
            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True, **self.security,
                                        max_request_size=1_048_576)
            await producer.start()
            self._producer = producer
        await self._producer.send_and_wait(self.topic, value=body, key=None, headers=headers)

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
