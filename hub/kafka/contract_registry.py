"""Every worker's copy of the contracts on `hub.contracts`, read whole before the worker is ready.

Not a consumer-group agent: every worker needs every contract, so each reads all partitions
of the compacted topic from the beginning with its own consumer and then keeps following it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

from hub.settlement.contracts import CONTRACT, ContractSet, FxRate


class ContractRegistry:
    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self._contracts: dict[tuple[str, int], object] = {}
        self._hashes: dict[tuple[str, int], str] = {}
        self._fx: dict[tuple, FxRate] = {}
        self.current = ContractSet(file_hash="none", contracts=(), fx=())

    def apply(self, value: bytes) -> None:
        record = json.loads(value)
        contract = CONTRACT.validate_python(record["contract"])
        self._contracts[(contract.id, contract.version)] = contract
        self._hashes[(contract.id, contract.version)] = record["file_hash"]
        for row in record.get("fx", []):
            rate = FxRate.model_validate(row)
            self._fx[(rate.date, rate.base, rate.quote)] = rate
        hashes = sorted(set(self._hashes.values()))
        self.current = ContractSet(
            file_hash=hashes[-1] if len(hashes) == 1 else "+".join(hashes)[:64],
            contracts=tuple(self._contracts[k] for k in sorted(self._contracts)),
            fx=tuple(self._fx[k] for k in sorted(self._fx)),
            version_hashes={f"{cid}:{v}": h for (cid, v), h in sorted(self._hashes.items())},
        )

    def published(self) -> dict[tuple[str, int], str]:
        return dict(self._hashes)

    async def follow(self, bootstrap: str, topic: str, *, security: Mapping[str, object] | None = None) -> None:
        """Read the topic to its end, set `ready`, then keep applying new records."""
        from aiokafka import AIOKafkaConsumer

        from hub.kafka.topic_reader import assign_from_beginning

        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest", **(security or {}))
        await consumer.start()
        try:
            tps = await assign_from_beginning(consumer, topic)
            ends = await consumer.end_offsets(tps)
            while True:
                batch = await consumer.getmany(timeout_ms=500)
                for messages in batch.values():
                    for message in messages:
                        if message.value:
                            self.apply(message.value)
                if not self.ready.is_set():
                    positions = {tp: await consumer.position(tp) for tp in tps}
                    if all(positions[tp] >= ends[tp] for tp in tps):
                        self.ready.set()
        finally:
            await consumer.stop()
