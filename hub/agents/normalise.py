"""normalise: partner topics → hub.events (canonical events) or hub.deadletter; one outcome per
message; and, for each canonical event, what its identifiers learn → hub.identity.

Identify used to be a stage of its own, reading hub.events back: stateless, it only re-read and
re-validated what normalise had just written (a fifth of the records the worker consumed, issue
15). Its work is done here, on the event still in hand, and timed as the `identify` stage;
hub.events is now an output only, for whoever consumes canonical events.

The adapters run in a helper process (hub/agents/parse_pool.py): a batch of partner messages is
prepared there, a part at a time, while the worker's loop goes on with the other agents and
publishes the parts already back, in the order they were read. The batch's records are
acknowledged only after, as every agent's are.
"""

from __future__ import annotations

from typing import Any

import faust
import orjson

from hub import metrics
from hub.agents.batches import each_batch
from hub.agents.context import Wiring
from hub.agents.parse_pool import ParsePool
from hub.agents.stage_time import count_stage, timed
from hub.logs import log
from hub.partners import Partner
from hub.stages.identity import observe_message
from hub.stages.normalise import SourceRecord
from hub.stages.prepare import Prepared, PreparedEvent
from schemas.deadletter import PARTNER_HEADER, SUBJECT_HEADER


def register(hub: Wiring) -> None:
    parse_pool = ParsePool(hub.settings.parse_processes, hub.settings.assumed_zone)

    @hub.app.agent(hub.topics.partners, name="normalise", concurrency=1)
    async def normalise_agent(stream: faust.StreamT) -> None:
        await parse_pool.start_early()
        try:
            async for batch in each_batch(stream, hub.app, linger=hub.settings.batch_linger):
                records = [_source_record(event.message) for event in batch.events if batch.take(event)]
                if not records:
                    continue
                items = [(record, hub.partners_by_topic[record.topic]) for record in records]
                published = 0
                async for part in parse_pool.prepare_in_parts(items):
                    count_stage("parse", part.cpu_seconds, len(part.results))
                    for result in part.results:
                        record, partner = items[published]
                        await timed("normalise", _publish(hub, partner, record, result))
                        published += 1
                assert published == len(items), "every message of the batch prepared"
        finally:
            parse_pool.close()


def _source_record(message: Any) -> SourceRecord:
    return SourceRecord(
        topic=message.topic, partition=message.partition, offset=message.offset,
        key=message.key, value=message.value or b"",
        timestamp_ms=int(round(message.timestamp * 1000)),
        subject=_header(message.headers, SUBJECT_HEADER), sent_for=_header(message.headers, PARTNER_HEADER),
    )


async def _publish(hub: Wiring, partner: Partner, record: SourceRecord, result: Prepared) -> None:
    for event in result.events:
        await hub.publish(hub.topics.events, event.key.encode(), event.json)
    if result.events:
        await timed("identify", _identify(hub, result.events), records=len(result.events))
    if result.dead_letter is not None:
        letter = result.dead_letter
        await hub.publish(hub.topics.deadletter, letter.key, letter.value, letter.headers)
    _count(hub, partner, record, result)


async def _identify(hub: Wiring, events: tuple[PreparedEvent, ...]) -> None:
    """Every parcel identifier of the message's events hears of its neighbours and orders
    (hub/stages/identity.py); events naming the same identifiers go on together."""
    # The events travel on as the JSON hub.events carries, embedded as those bytes (an
    # orjson Fragment), not parsed and dumped again.
    await hub.send(observe_message([(e.parcels, e.orders, orjson.Fragment(e.json)) for e in events]))


def _count(hub: Wiring, partner: Partner, record: SourceRecord, result: Prepared) -> None:
    """Metrics and the one log line of a processed partner message."""
    reason = result.dead_letter.reason.value if result.dead_letter is not None else ""
    unknown = [p.detail for p in result.problems if p.kind == "unknown_code"]
    metrics.MESSAGES.labels(partner.id, result.outcome.value, reason).inc()
    metrics.EVENTS.labels(partner.id).inc(len(result.events))
    metrics.LAST_MESSAGE.labels(partner.id).set(record.timestamp_ms / 1000)
    processed = metrics.wall_clock()
    event_time_latency = metrics.EVENT_TIME_LATENCY.labels(partner.id)
    for canonical in result.events:
        event_time_latency.observe(max(0.0, (processed - canonical.occurred_at).total_seconds()))
        hub.stream_clock.advance(canonical.occurred_at)
    metrics.RECEIVED_LATENCY.labels(partner.id).observe(max(0.0, (processed - record.received_at).total_seconds()))
    # Counted once per message that carries the code, as the ground truth counts them.
    for code in sorted(set(unknown)):
        metrics.count_unknown_code(partner.id, code)
    # Why a message was ignored is the adapter's free text (an error answer's message, a
    # webhook type): in the log line, not a metric label, so the label set stays bounded.
    ignored_because = [p.detail for p in result.problems if p.kind == "ignored"]
    log.info(
        "partner_message_processed", partner=partner.id, topic=record.topic, partition=record.partition,
        offset=record.offset, outcome=result.outcome.value, events=len(result.events), reason=reason or None,
        ignored_because=ignored_because[0] if ignored_because else None, unknown_codes=unknown or None,
    )


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if key == name and value is not None:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None
