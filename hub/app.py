"""The faust app and its agents: thin code that moves bytes between topics and tables.

Every decision is made by a pure handler in hub/stages; this module only reads records,
calls the handler, writes what it returns, logs one line and counts the outcome.
Topics carry bytes (`raw`); pydantic validates at the edges.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import faust
from aiokafka.errors import KafkaError
from aiokafka.partitioner import murmur2
from faust.web import Request, Response, View

from adapters.registry import PARSERS
from hub import faust_fixes, metrics, topics
from hub.config import Settings
from hub.contract_registry import ContractRegistry
from hub.control_follower import ControlFollower
from hub.logs import log
from hub.partners import PARTNERS, Partner
from hub.settlement.periods import close_command, period_due_for_close
from hub.settlement.turnover import Outputs, on_close, on_contribution, on_entry, remember_close, with_closes
from hub.stages.identity import IDENTITY, SHIPMENT_EVENTS, Send, handle_identity, observations, order_shipments, shipment_id_for
from hub.stages.normalise import SourceRecord, normalise, routing_identifier
from hub.stages.settle import resend_messages, settle_step
from hub.stages.timeline import Publish, handle_shipment_message, summarise, timeline_from_state
from hub.watchdog import ProgressWatchdog
from schemas import CanonicalEvent, DeadLetterHeader
from schemas.deadletter import PARTNER_HEADER, SUBJECT_HEADER
from schemas.identifiers import InvalidIdentifier, candidates
from schemas.settlement import SettlementEntry
from schemas.timeline import Timeline, TimelineRedirect


def active_partners() -> list[Partner]:
    """Partners whose adapter exists: the worker reads exactly their topics."""
    return [p for p in PARTNERS.values() if p.adapter in PARSERS]


def create_app(settings: Settings) -> faust.App:
    faust_fixes.apply()
    # Commits may pass offsets never delivered only where compaction removes records.
    faust_fixes.declare_compacted(spec.name(settings) for spec in topics.HUB_TOPICS if spec.cleanup is topics.Cleanup.COMPACT)
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
        # Changelogs faust creates get the replication of the hub's own topics (hub/topics.py).
        topic_replication_factor=topics.replication_factor(settings),
        # Static membership (KIP-345): a worker restarted under the same HUB_WORKER_ID within
        # the session timeout takes its partitions back without a rebalance: fewer rebalances,
        # fewer re-read events (hub/faust_fixes.py keeps a rebalance from losing any).
        consumer_group_instance_id=f"{settings.app_id}.{settings.worker_id}" if settings.worker_id else None,
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
    turnover_topic = _hub_topic(app, settings, topics.TURNOVER)
    settlements_topic = _hub_topic(app, settings, topics.SETTLEMENTS)
    statements_topic = _hub_topic(app, settings, topics.STATEMENTS)
    control_topic = _hub_topic(app, settings, topics.CONTROL)
    registry = ContractRegistry()
    control = ControlFollower()
    app.hub_contracts = registry  # type: ignore[attr-defined]

    # Keys are the raw bytes of the record key (key_type=bytes gives faust's raw codec), so
    # a table's changelog key and `table_route` hash exactly like the source topic's key.
    identities = app.Table("identities", key_type=bytes, partitions=settings.partitions)
    timelines = app.Table("timelines", key_type=bytes, partitions=settings.partitions)
    turnover = app.Table("turnover", key_type=bytes, partitions=settings.partitions)

    stream_clock = StreamClock()

    def owned_summaries():
        """(partition, summary) of every shipment in the timeline partitions this worker owns."""
        source = topics.SHIPMENT_EVENTS.name(settings)
        owned = {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == source}
        for key, state in list(timelines.items()):
            if state and "summary" in state and not state.get("redirect"):
                partition = partition_of(key, settings.partitions)
                if partition in owned:
                    yield partition, state["summary"]

    clock = stream_clock.now if settings.clock == "stream" else metrics.wall_clock
    metrics.REGISTRY.register(metrics.TimelineCollector(owned_summaries, clock, settings.stale_after_hours, settings.days_for_corridor))

    @app.timer(interval=10.0, on_leader=True)
    async def measure_lag() -> None:
        # On the leader only: every worker measuring the whole group would count lag twice.
        from hub.caught_up import group_topics, lag_by_partition

        try:
            lag = await lag_by_partition(settings, group_topics(settings, [p.id for p in partners]))
        except (TimeoutError, KafkaError, OSError) as err:
            # A broker that just died stays in the metadata for a few seconds; a request sent
            # to it fails. The next tick measures again; a crash here would stop the worker.
            log.warning("lag_not_measured", error=repr(err))
            return
        for (topic, partition), value in lag.items():
            metrics.CONSUMER_LAG.labels(topic, str(partition)).set(value)

    watchdog = ProgressWatchdog(app)

    @app.timer(interval=max(1.0, settings.commit_interval))
    async def watch_progress() -> None:
        # Every worker, not only the leader: each watches the partitions it reads.
        await watchdog.check()

    @app.timer(interval=60.0, on_leader=True)
    async def close_periods_automatically() -> None:
        # HUB_AUTO_CLOSE=on: the quarter just ended is closed once the grace has passed.
        if settings.auto_close != "on":
            return
        now = datetime.now(timezone.utc)
        await control.read_past(now)  # every close already published is known
        period = period_due_for_close(now, ZoneInfo(settings.assumed_zone), timedelta(hours=settings.auto_close_grace_hours), control.closes)
        if period is not None:
            command = close_command(period, now)
            await control_topic.send(key=period.encode(), value=json.dumps(command).encode())
            log.info("period_closed_automatically", period=period, cutoff=command["cutoff"])

    @app.task
    async def follow_contracts() -> None:
        await registry.follow(settings.kafka_bootstrap, topics.CONTRACTS.name(settings))

    @app.task
    async def follow_control() -> None:
        await control.follow(settings.kafka_bootstrap, topics.CONTROL.name(settings))

    @app.agent(partner_topics, name="normalise", concurrency=1)
    async def normalise_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            message = event.message
            partner = by_topic[message.topic]
            record = SourceRecord(
                topic=message.topic, partition=message.partition, offset=message.offset,
                key=message.key, value=message.value or b"",
                timestamp_ms=int(round(message.timestamp * 1000)),
                subject=_header(message.headers, SUBJECT_HEADER), sent_for=_header(message.headers, PARTNER_HEADER),
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
            metrics.LAST_MESSAGE.labels(partner.id).set(record.timestamp_ms / 1000)
            processed = metrics.wall_clock()
            for canonical in result.events:
                metrics.EVENT_TIME_LATENCY.labels(partner.id).observe(max(0.0, (processed - canonical.occurred_at).total_seconds()))
                stream_clock.advance(canonical.occurred_at)
            metrics.RECEIVED_LATENCY.labels(partner.id).observe(max(0.0, (processed - record.received_at).total_seconds()))
            # Counted once per message that carries the code, as the ground truth counts them.
            for code in sorted(set(unknown)):
                metrics.count_unknown_code(partner.id, code)
            log.info(
                "partner_message_processed", partner=partner.id, topic=message.topic, partition=message.partition,
                offset=message.offset, outcome=result.outcome.value, events=len(result.events), reason=reason or None,
                unknown_codes=unknown or None,
            )

    outputs_to = {IDENTITY: identity_topic, SHIPMENT_EVENTS: shipment_events_topic}

    async def send_all(sends: list[Send]) -> None:
        for send in sends:
            await outputs_to[send.topic].send(key=send.key.encode(), value=json.dumps(send.message).encode())

    @app.agent(events_topic, name="identify", concurrency=1)
    async def identify_agent(stream: faust.StreamT) -> None:
        # Stateless: tell every parcel identifier of the event about its neighbours and
        # orders; identity state keyed by X is written while processing hub.identity keyed by X.
        async for value in stream:
            event = CanonicalEvent.model_validate_json(value)
            parcels = [str(i) for i in event.parcel_identifiers()]
            orders = [str(o) for o in event.order_references()]
            await send_all(observations(parcels, orders, json.loads(value)))

    @app.agent(identity_topic, name="identity", concurrency=1)
    async def identity_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            key, message = event.key, json.loads(event.value)
            position = f"{event.message.partition}:{event.message.offset}"
            state, sends = handle_identity(identities.get(key), key.decode(), message, position)
            if state != identities.get(key):
                identities[key] = state
            await send_all(sends)

    @app.agent(shipment_events_topic, name="timeline", concurrency=1)
    async def timeline_agent(stream: faust.StreamT) -> None:
        async for key, value in stream.items():
            shipment_id = key.decode()
            message = json.loads(value)
            before = timelines.get(key)
            state, outputs = handle_shipment_message(before, shipment_id, message)
            if message["kind"] == "event" and any(isinstance(o, Publish) and o.repeat for o in outputs):
                metrics.DUPLICATES.labels(message["event"]["partner"]).inc()
            for output in outputs:
                if isinstance(output, Publish):
                    await timelines_topic.send(key=output.key.encode(), value=output.record.model_dump_json().encode())
                    log.info("timeline_published", shipment_id=output.key, kind=output.record.kind,
                             status=getattr(output.record, "status", None))
                    if isinstance(output.record, Timeline) and not output.repeat and not output.record.events:
                        # Emptied by a split: nothing to count or settle here any more.
                        state = {k: v for k, v in state.items() if k != "summary"}
                    elif isinstance(output.record, Timeline) and not output.repeat:
                        state = {**state, "summary": summarise(output.record)}
                        stream_clock.advance(output.record.last_event_at)
                        state = await settle(key, state, output.record)
                    elif output.repeat:
                        await resend_settled(state)
                else:
                    await send_all([output])
            if state != timelines.get(key):
                timelines[key] = state

    async def settle(key: bytes, state: dict, timeline: Timeline) -> dict:
        # Settle nothing before every contract on hub.contracts has been read.
        await registry.ready.wait()
        state, sends, withheld = settle_step(state, timeline, registry.current)
        for send in sends:
            await turnover_topic.send(key=send.key.encode(), value=json.dumps(send.message).encode())
        reported = set(state.get("withheld", []))
        for missing in withheld:
            mark = f"{missing.contract_id}|{missing.event.event_id}"
            if mark in reported:
                continue
            reported.add(mark)
            # Withheld, never settled at zero: the trigger goes to the dead letters.
            await deadletter_topic.send(key=key, value=missing.event.model_dump_json().encode(), headers={
                DeadLetterHeader.REASON.value: missing.reason.value.encode(),
                DeadLetterHeader.ERROR_TYPE.value: missing.detail.encode(),
                DeadLetterHeader.STAGE.value: b"settle",
                DeadLetterHeader.SOURCE_TOPIC.value: topics.SHIPMENT_EVENTS.name(settings).encode(),
                DeadLetterHeader.PARTNER.value: missing.event.partner.encode(),
            })
            metrics.SETTLEMENTS_WITHHELD.labels(missing.contract_id, missing.reason.value).inc()
            log.warning("settlement_withheld", contract=missing.contract_id, event_id=missing.event.event_id, reason=missing.reason.value)
        if reported:
            state = {**state, "withheld": sorted(reported)}
        return state

    async def resend_settled(state: dict) -> None:
        """A repeated input re-emits what it emitted before: a crash may have lost it."""
        for send in resend_messages(state.get("settled")):
            await turnover_topic.send(key=send.key.encode(), value=json.dumps(send.message).encode())

    @app.agent(control_topic, name="control", concurrency=1)
    async def control_agent(stream: faust.StreamT) -> None:
        # A close must reach every partition of hub.turnover, where statements live.
        async for value in stream:
            command = json.loads(value)
            if command.get("kind") != "close_period":
                log.warning("control_command_ignored", kind=command.get("kind"))
                continue
            for partition in range(settings.partitions):
                await turnover_topic.send(key=f"close|{command['period']}".encode(), value=value, partition=partition)
            log.info("period_close_requested", period=command["period"], cutoff=command["cutoff"])

    @app.agent(turnover_topic, name="turnover", concurrency=1)
    async def turnover_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            key, message = event.key, json.loads(event.value)
            await registry.ready.wait()
            # The closes this partition has seen, kept beside the states they close: a
            # contract and payer met for the first time after a close learns of it.
            closes_key = f"closes@{event.message.partition}".encode()
            if message.get("kind") == "close_period":
                partition = event.message.partition
                cutoff = datetime.fromisoformat(message["cutoff"])
                turnover[closes_key] = remember_close(turnover.get(closes_key), message["period"], cutoff)
                owned_keys = (k for k in list(turnover.keys()) if b"|" in k and partition_of(k, settings.partitions) == partition)
                for owned in sorted(owned_keys):
                    state, out = on_close(turnover.get(owned), owned.decode(), message["period"], cutoff, registry.current)
                    turnover[owned] = state
                    for entry in out.entries:
                        metrics.SETTLEMENT_ENTRIES.labels(entry.contract_id, entry.kind.value).inc()
                        metrics.SETTLEMENT_AMOUNT.labels(entry.contract_id, entry.kind.value, entry.currency).inc(entry.amount_minor)
                    await publish_money(out)
                continue
            if message["kind"] == "contribution":
                turnover[key] = on_contribution(with_closes(turnover.get(key), turnover.get(closes_key)), message)
                continue
            entry = SettlementEntry.model_validate(message["entry"])
            # Late or not is decided against every close published before the entry's inputs
            # arrived: read hub.control that far first, so a close and an input never race.
            await control.read_past(entry.inputs_received_at)
            before = turnover.get(key)
            state, out = on_entry(with_closes(before, turnover.get(closes_key)), entry, dict(control.closes))
            if state != before:
                turnover[key] = state
                for entry in out.entries:  # newly booked: counted once
                    metrics.SETTLEMENT_ENTRIES.labels(entry.contract_id, entry.kind.value).inc()
                    metrics.SETTLEMENT_AMOUNT.labels(entry.contract_id, entry.kind.value, entry.currency).inc(entry.amount_minor)
            await publish_money(out)

    async def publish_money(out: Outputs) -> None:
        for entry in out.entries:
            await settlements_topic.send(key=entry.entry_id.encode(), value=entry.model_dump_json().encode())
            log.info("settlement_emitted", entry_id=entry.entry_id, kind=entry.kind.value, contract=entry.contract_id, period=entry.period)
        for statement in out.statements:
            await statements_topic.send(key=statement.key.encode(), value=statement.model_dump_json().encode())

    # The settle and operations stages read hub.shipment-events and the timeline table in
    # later issues; their topics are declared and created with the rest.

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            ready = _recovered(app) and registry.ready.is_set()
            return self.json({"live": True, "ready": ready}, status=200 if ready else 503)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

            return self.bytes(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    async def all_worker_metrics() -> list[tuple[str, str]]:
        """(worker URL, /metrics text) of every worker in the group, this one included."""
        import aiohttp
        from prometheus_client import generate_latest

        own = str(app.conf.canonical_url).rstrip("/")
        texts = [(own, generate_latest(metrics.REGISTRY).decode())]
        peers = sorted({str(url).rstrip("/") for url in app.router.tables_metadata()} - {own})
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            for url in peers:
                try:
                    async with session.get(f"{url}/metrics") as response:
                        texts.append((url, await response.text()))
                except (aiohttp.ClientError, TimeoutError) as err:
                    log.warning("peer_metrics_unavailable", worker=url, error=type(err).__name__)
        return texts

    @app.page("/ops")
    class Ops(View):
        """The operations page: every worker's figures, aggregated, drawn on the server."""

        async def get(self, request: Request) -> Response:
            from hub import ops_view

            figures = ops_view.aggregate(await all_worker_metrics())
            return self.html(ops_view.render_page(figures))

    @app.page("/ops.json")
    class OpsJson(View):
        async def get(self, request: Request) -> Response:
            from hub import ops_view

            return self.json(ops_view.aggregate(await all_worker_metrics()))

    @app.page("/shipments/{query}")
    class Shipment(View):
        """Any worker answers: a shipment id, `scheme:VALUE`, a bare number or an order id."""

        async def get(self, request: Request, query: str) -> Response:
            if query.startswith("shp_"):
                return _redirect(self, f"/_timeline/{query}")
            try:
                found = candidates(query)
            except InvalidIdentifier:
                found = []
            if not found:
                return self.json({"found": False, "query": query, "error": "not a shipment id or a known identifier"}, status=404)
            if len(found) > 1:
                return self.json({"found": False, "query": query, "candidates": [str(i) for i in found]}, status=300)
            return _redirect(self, f"/_identity/{found[0]}")

    @app.page("/_timeline/{shipment_id}")
    @app.table_route(table=timelines, match_info="shipment_id")
    async def timeline_view(web: View, request: Request, shipment_id: str) -> Response:
        record = timeline_from_state(shipment_id, timelines.get(shipment_id.encode()))
        if record is None:
            return web.json({"found": False, "query": shipment_id}, status=404)
        if isinstance(record, TimelineRedirect):
            return _redirect(web, f"/_timeline/{record.to}")
        return web.json({"found": True, "timeline": json.loads(record.model_dump_json())})

    @app.page("/_identity/{identifier}")
    @app.table_route(table=identities, match_info="identifier")
    async def identity_view(web: View, request: Request, identifier: str) -> Response:
        state = identities.get(identifier.encode())
        if not state:
            return web.json({"found": False, "query": identifier}, status=404)
        if "parcels" in state and "label" not in state:
            return web.json({"found": True, "order": identifier, "parcels": state["parcels"], "shipments": order_shipments(state)})
        return _redirect(web, f"/_timeline/{shipment_id_for(state['label'])}")


class StreamClock:
    """`HUB_CLOCK=stream`: the latest event time seen, so simulated history is not all stale."""

    def __init__(self) -> None:
        self.latest = datetime(1970, 1, 1, tzinfo=timezone.utc)

    def advance(self, instant: datetime | None) -> None:
        if instant is not None and instant > self.latest:
            self.latest = instant

    def now(self) -> datetime:
        return self.latest


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key` (murmur2, as the Java client)."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def _redirect(view: View, location: str) -> Response:
    """307: the client asks again where the answer lives (a merged shipment, an identifier's shipment)."""
    return view.json({"redirect": location}, status=307, headers={"Location": location})


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


