"""The faust app and its agents: thin code that moves bytes between topics and tables.

Every decision is made by a pure handler in hub/stages; this module only reads records,
calls the handler, writes what it returns, logs one line and counts the outcome.
Topics carry bytes (`raw`); pydantic validates at the edges.
"""

from __future__ import annotations

import json
from typing import Any

import faust
from faust.web import Request, Response, View

from adapters.registry import PARSERS
from hub import metrics, topics
from hub.config import Settings
from hub.logs import log
from hub.partners import PARTNERS, Partner
from hub.stages.identity import shipment_id_for
from hub.stages.normalise import SourceRecord, normalise, routing_identifier
from hub.stages.timeline import add_event, build_timeline
from schemas import CanonicalEvent, Outcome
from schemas.deadletter import SUBJECT_HEADER
from schemas.identifiers import Identifier, InvalidIdentifier, candidates


def active_partners() -> list[Partner]:
    """Partners whose adapter exists: the worker reads exactly their topics."""
    return [p for p in PARTNERS.values() if p.adapter in PARSERS]


def create_app(settings: Settings) -> faust.App:
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        topic_partitions=settings.partitions,
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        canonical_url=f"http://{settings.web_host}:{settings.web_port}",
        datadir=settings.data_dir,
        broker_commit_interval=settings.commit_interval,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        producer_acks=-1,
        web_enabled=True,
        # faust's own agent topics would be created with its defaults; ours are declared.
        topic_allow_declare=True,
    )
    _wire(app, settings)
    return app


def _hub_topic(app: faust.App, settings: Settings, spec: topics.TopicSpec) -> faust.TopicT:
    return app.topic(spec.name(settings), key_type=bytes, value_type=bytes, partitions=settings.partitions)


def _wire(app: faust.App, settings: Settings) -> None:
    partners = active_partners()
    by_topic = {topics.partner_topic(settings, p.id): p for p in partners}
    partner_topics = app.topic(*by_topic, key_type=bytes, value_type=bytes)
    events_topic = _hub_topic(app, settings, topics.EVENTS)
    identity_topic = _hub_topic(app, settings, topics.IDENTITY)
    shipment_events_topic = _hub_topic(app, settings, topics.SHIPMENT_EVENTS)
    timelines_topic = _hub_topic(app, settings, topics.TIMELINES)
    deadletter_topic = _hub_topic(app, settings, topics.DEADLETTER)

    # Keys are the raw bytes of the record key (key_type=bytes gives faust's raw codec), so
    # a table's changelog key and `table_route` hash exactly like the source topic's key.
    identities = app.Table("identities", key_type=bytes, partitions=settings.partitions)
    timelines = app.Table("timelines", key_type=bytes, partitions=settings.partitions)

    @app.agent(partner_topics, name="normalise", concurrency=1)
    async def normalise_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            message = event.message
            partner = by_topic[message.topic]
            record = SourceRecord(
                topic=message.topic, partition=message.partition, offset=message.offset,
                key=message.key, value=message.value or b"",
                timestamp_ms=int(round(message.timestamp * 1000)),
                subject=_header(message.headers, SUBJECT_HEADER),
            )
            result = normalise(record, partner, assumed_zone=settings.assumed_zone)
            for canonical in result.events:
                await events_topic.send(key=routing_identifier(canonical).encode(), value=canonical.model_dump_json().encode())
            reason = ""
            if result.dead_letter is not None:
                letter = result.dead_letter
                reason = letter.reason.value
                await deadletter_topic.send(key=letter.key, value=letter.value, headers=letter.headers)
            unknown = [p.detail for p in result.problems if p.kind == "unknown_code"]
            metrics.MESSAGES.labels(partner.id, result.outcome.value, reason).inc()
            metrics.EVENTS.labels(partner.id).inc(len(result.events))
            if unknown:
                metrics.UNKNOWN_CODES.labels(partner.id).inc(len(unknown))
            log.info(
                "partner_message_processed", partner=partner.id, topic=message.topic, partition=message.partition,
                offset=message.offset, outcome=result.outcome.value, events=len(result.events), reason=reason or None,
                unknown_codes=unknown or None,
            )

    @app.agent(events_topic, name="identify", concurrency=1)
    async def identify_agent(stream: faust.StreamT) -> None:
        # hub.events is keyed by the event's routing identifier; identity state keyed by
        # identifier is written while processing hub.identity, keyed the same way.
        async for key, value in stream.items():
            await identity_topic.send(key=key, value=value)

    @app.agent(identity_topic, name="identity", concurrency=1)
    async def identity_agent(stream: faust.StreamT) -> None:
        async for key, value in stream.items():
            shipment_id = identities.get(key)
            if shipment_id is None:
                shipment_id = shipment_id_for(key.decode())
                identities[key] = shipment_id
            await shipment_events_topic.send(key=shipment_id.encode(), value=value)

    @app.agent(shipment_events_topic, name="timeline", concurrency=1)
    async def timeline_agent(stream: faust.StreamT) -> None:
        async for key, value in stream.items():
            shipment_id = key.decode()
            event = CanonicalEvent.model_validate_json(value)
            stored = {eid: CanonicalEvent.model_validate(e) for eid, e in (timelines.get(key) or {}).items()}
            updated, changed = add_event(stored, event)
            if not changed:
                metrics.DUPLICATES.inc()
                log.info("duplicate_event_dropped", shipment_id=shipment_id, event_id=event.event_id)
                continue
            timelines[key] = {eid: e.model_dump(mode="json") for eid, e in updated.items()}
            timeline = build_timeline(shipment_id, updated)
            await timelines_topic.send(key=key, value=timeline.model_dump_json().encode())
            log.info("timeline_updated", shipment_id=shipment_id, event_id=event.event_id, status=timeline.status.value, events=len(updated))

    # The settle and operations stages read hub.shipment-events and the timeline table in
    # later issues; their topics are declared and created with the rest.

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            ready = _recovered(app)
            return self.json({"live": True, "ready": ready}, status=200 if ready else 503)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

            return self.bytes(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/shipments/{shipment_id}")
    @app.table_route(table=timelines, match_info="shipment_id")
    async def shipment(web: View, request: Request, shipment_id: str) -> Response:
        return web.json(_shipment_view(timelines, shipment_id))


def _shipment_view(timelines: Any, requested: str) -> dict[str, Any]:
    """A timeline by shipment id, or by an identifier whose shipment this worker owns."""
    if requested.startswith("shp_"):
        stored = timelines.get(requested.encode())
        if stored is None:
            return {"found": False, "query": requested}
        events = {eid: CanonicalEvent.model_validate(e) for eid, e in stored.items()}
        return {"found": True, "timeline": json.loads(build_timeline(requested, events).model_dump_json())}
    return {"found": False, "query": requested, "hint": "ask by shipment id (shp_...)"}


def shipment_id_for_query(query: str) -> tuple[str | None, list[str]]:
    """Resolve `scheme:VALUE`, a bare value or a shipment id to a shipment id, or candidates."""
    if query.startswith("shp_"):
        return query, []
    try:
        found = candidates(query)
    except InvalidIdentifier:
        return None, []
    if len(found) == 1:
        return shipment_id_for(str(found[0])), []
    return None, [str(i) for i in found]


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if key == name and value is not None:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _recovered(app: faust.App) -> bool:
    """Ready once table recovery has completed and no rebalance is under way."""
    recovery = app.tables.recovery
    return bool(recovery.completed.is_set()) and not app.rebalancing


__all__ = ["Identifier", "create_app", "active_partners", "Outcome"]
