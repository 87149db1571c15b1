"""turnover: hub.turnover (keyed by contract|payer) → entries booked into periods, statements, period closes.

Three kinds of message, each handed to a pure function of hub/settlement/turnover.py: a close
(every contract and payer of the partition closed: close_sweep), a contribution to a period's
turnover, and a settlement entry. A contract and payer keeps a small summary under its key and
each booked entry and contribution under a key of its own (`item_key`).
"""

from __future__ import annotations

from datetime import datetime

import faust
import orjson

from hub import metrics
from hub.agents.batches import each_record
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.kafka.partitioning import partition_of
from hub.logs import log
from hub.settlement.turnover import (
    Outputs,
    close_sweep,
    is_summary_key,
    item_key,
    on_contribution,
    on_entry,
    remember_close,
    split_legacy,
    with_closes,
)
from schemas.settlement import SettlementEntry


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.turnover, name="turnover", concurrency=1)
    async def turnover_agent(stream: faust.StreamT) -> None:
        async for event in each_record(stream, hub.app, linger=hub.settings.batch_linger):
            await timed("turnover", _on_record(hub, event))


async def _on_record(hub: Wiring, event: faust.EventT) -> None:
    turnover = hub.tables.turnover
    key, message = event.key, orjson.loads(event.value)
    partition = event.message.partition
    await hub.contracts.ready.wait()
    # The closes this partition has seen, kept beside the states they close: a
    # contract and payer met for the first time after a close learns of it.
    closes_key = f"closes@{partition}".encode()
    if message.get("kind") == "close_period":
        cutoff = datetime.fromisoformat(message["cutoff"])
        turnover[closes_key] = remember_close(turnover.get(closes_key), message["period"], cutoff)
        owned = {k: _summary(turnover, k) for k in list(turnover.keys())
                 if is_summary_key(k) and partition_of(k, hub.settings.partitions) == partition}
        for owned_key, state, out in close_sweep(owned, message["period"], cutoff, hub.contracts.current):
            turnover[owned_key] = state
            _count(out)
            await _publish(hub, out)
        return
    before = _summary(turnover, key)
    booked = _Items(turnover, key)
    position = f"{partition}:{event.message.offset}"
    if message["kind"] == "contribution":
        state, items = on_contribution(with_closes(before, turnover.get(closes_key)), booked, message, position)
    else:
        entry = SettlementEntry.model_validate(message["entry"])
        # Late or not is decided against every close published before the entry's inputs
        # arrived: read hub.control that far first, so a close and an input never race.
        await hub.control.read_past(entry.inputs_received_at)
        state, items, out = on_entry(with_closes(before, turnover.get(closes_key)), booked, entry, dict(hub.control.closes), position)
        if items:
            _count(out)  # newly booked: counted once
        await _publish(hub, out)
    # The summary first: kept without its items, the message read again stores them and
    # counts nothing twice (hub/settlement/turnover.py, `applied`).
    if state != before:
        turnover[key] = state
    booked.store(items)


def _summary(turnover: faust.Table, key: bytes) -> dict | None:
    """A contract and payer's summary; a value of the old shape (every entry and contribution in
    one) is split into its summary and items first, and stored so."""
    state, items = split_legacy(turnover.get(key))
    if items:
        _Items(turnover, key).store(items)
        turnover[key] = state
    return state


class _Items:
    """A contract and payer's booked items, each its own table value (hub/settlement/turnover.py)."""

    def __init__(self, turnover: faust.Table, key: bytes) -> None:
        self._turnover, self._prefix = turnover, key.decode()

    def get(self, item_id: str, default: dict | None = None) -> dict | None:
        item = self._turnover.get(item_key(self._prefix, item_id).encode())
        return default if item is None else item

    def store(self, items: dict[str, dict]) -> None:
        for item_id, item in items.items():
            self._turnover[item_key(self._prefix, item_id).encode()] = item


def _count(out: Outputs) -> None:
    for entry in out.entries:
        metrics.SETTLEMENT_ENTRIES.labels(entry.contract_id, entry.kind.value).inc()
        metrics.SETTLEMENT_AMOUNT.labels(entry.contract_id, entry.kind.value, entry.currency).inc(entry.amount_minor)


async def _publish(hub: Wiring, out: Outputs) -> None:
    for entry in out.entries:
        await hub.publish(hub.topics.settlements, entry.entry_id.encode(), entry.model_dump_json().encode())
        log.info("settlement_emitted", entry_id=entry.entry_id, kind=entry.kind.value, contract=entry.contract_id, period=entry.period)
    for statement in out.statements:
        await hub.publish(hub.topics.statements, statement.key.encode(), statement.model_dump_json().encode())
