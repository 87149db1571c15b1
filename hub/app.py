"""The faust app: its topics, tables and metrics, and the registration of every agent and route.

The composition root of a worker. The agents (hub/agents/, one thin module per topic) read
records, call the pure stages (hub/stages/), write what they return, log one line and count
the outcome; the routes are hub/web/routes.py. Topics carry bytes (`raw`); pydantic
validates at the edges.
"""

from __future__ import annotations

import time
from pathlib import Path

import faust

from adapters.registry import PARSERS
from hub import metrics, topics
from hub.agents import register_agents
from hub.agents.context import HubTables, HubTopics, StreamClock, Wiring
from hub.config import Settings, kafka_client_options
from hub.kafka import faust_fixes, faust_speedups, state_codec, table_store, table_summaries
from hub.kafka.contract_registry import ContractRegistry
from hub.kafka.control_follower import ControlFollower
from hub.kafka.partitioning import KeyPartitioner
from hub.partners import PARTNERS, Partner
from hub.web import auth
from hub.web.auth import load_tokens
from hub.web.routes import register_routes


def active_partners() -> list[Partner]:
    """Partners whose adapter exists: the worker reads exactly their topics."""
    return [p for p in PARTNERS.values() if p.adapter in PARSERS]


def create_app(settings: Settings) -> faust.App:
    faust_fixes.apply()
    faust_speedups.apply()
    state_codec.register()
    # Bearer tokens over every route, faust's own views included (hub/web/auth.py); none: open.
    tokens = load_tokens(settings.api_tokens_file) if settings.api_tokens_file else None
    # Commits may pass offsets never delivered only where compaction removes records.
    faust_fixes.declare_compacted(spec.name(settings) for spec in topics.HUB_TOPICS if spec.cleanup is topics.Cleanup.COMPACT)
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_credentials=broker_credentials(settings),
        store=settings.store,
        topic_partitions=settings.partitions,
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        canonical_url=f"http://{settings.web_host}:{settings.web_port}",
        # Tables on disk remember offsets of their app's changelogs: a data directory shared by
        # two app ids (a new demo or test prefix) must not mix them.
        datadir=str(worker_data_dir(settings)),
        broker_commit_interval=settings.commit_interval,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        producer_acks=-1,
        producer_compression_type=None if settings.compression == "none" else settings.compression,
        # Records per produce batch, by size: with faust's 16 KB a timeline (every event of its
        # shipment, often more than 16 KB) went in a batch of its own, each batch with its
        # futures and checksum; a batch of up to 1 MB (the broker's message.max.bytes is just
        # above it) took a tenth off the worker's CPU (docs/research/faust-throughput.md).
        producer_max_batch_size=1_000_000,
        # The default partitioner's placement, with the hashes of recent keys kept.
        producer_partitioner=KeyPartitioner(),
        # Changelogs faust creates get the replication of the hub's own topics (hub/topics.py).
        topic_replication_factor=topics.replication_factor(settings),
        # Static membership (KIP-345): a worker restarted under the same HUB_WORKER_ID within
        # the session timeout takes its partitions back without a rebalance: fewer rebalances,
        # fewer re-read events (hub/kafka/faust_fixes.py keeps a rebalance from losing any).
        consumer_group_instance_id=f"{settings.app_id}.{settings.worker_id}" if settings.worker_id else None,
        web_enabled=True,
        web_application_options={"middlewares": [auth.middleware(tokens)]} if tokens else None,
        # faust's own agent topics would be created with its defaults; ours are declared.
        topic_allow_declare=True,
    )
    faust_speedups.fetch_in_batches(app, settings.fetch_min_bytes, settings.fetch_wait_ms)
    _register(app, settings, tokens)
    return app


def worker_data_dir(settings: Settings) -> Path:
    """Where this app's worker keeps its tables: HUB_DATA_DIR/<app id>. faust makes the last
    directory when the worker starts, not those above it (`hub worker` does)."""
    return Path(settings.data_dir) / settings.app_id


def broker_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """faust's form of `kafka_client_options`: SCRAM-SHA-512 over TLS, or None (plaintext)."""
    options = kafka_client_options(settings)
    if not options:
        return None
    return faust.SASLCredentials(
        username=options["sasl_plain_username"], password=options["sasl_plain_password"],
        ssl_context=options["ssl_context"], mechanism=options["sasl_mechanism"],
    )


def _hub_topic(app: faust.App, settings: Settings, spec: topics.TopicSpec) -> faust.TopicT:
    return app.topic(spec.name(settings), key_type=bytes, value_type=bytes, partitions=settings.partitions)


def _register(app: faust.App, settings: Settings, tokens: auth.ApiTokens | None) -> None:
    by_topic = {topics.partner_topic(settings, p.id): p for p in active_partners()}
    hub_topics = HubTopics(
        partners=app.topic(*by_topic, key_type=bytes, value_type=bytes),
        events=_hub_topic(app, settings, topics.EVENTS),
        identity=_hub_topic(app, settings, topics.IDENTITY),
        shipment_events=_hub_topic(app, settings, topics.SHIPMENT_EVENTS),
        timelines=_hub_topic(app, settings, topics.TIMELINES),
        deadletter=_hub_topic(app, settings, topics.DEADLETTER),
        turnover=_hub_topic(app, settings, topics.TURNOVER),
        settlements=_hub_topic(app, settings, topics.SETTLEMENTS),
        statements=_hub_topic(app, settings, topics.STATEMENTS),
        control=_hub_topic(app, settings, topics.CONTROL),
    )
    # Keys are the raw bytes of the record key (key_type=bytes gives faust's raw codec), so
    # a table's changelog key and `table_route` hash exactly like the source topic's key.
    tables = HubTables(**{name: _table(app, settings, name) for name in ("identities", "timelines", "turnover")})
    _time_recoveries(app)
    registry = ContractRegistry()
    app.hub_contracts = registry  # type: ignore[attr-defined]
    hub = Wiring(app, settings, by_topic, hub_topics, tables, registry, ControlFollower(), StreamClock())
    _register_timeline_metrics(hub)
    register_agents(hub)
    register_routes(app, identities=tables.identities, timelines=tables.timelines, contracts=registry, settings=settings, tokens=tokens)


def _table(app: faust.App, settings: Settings, name: str) -> faust.Table:
    table = app.Table(name, key_type=bytes, partitions=settings.partitions, on_changelog_event=_count_recovered(name),
                      options=table_store.rocksdb_options())
    # Values compact on disk and on the changelog (hub/kafka/state_codec.py). faust takes the
    # serializer from a value type only, and registering the table already made its changelog
    # topic (read back with it at recovery): made again, before the worker starts.
    table.value_serializer = state_codec.NAME
    table.changelog_topic = table._new_changelog_topic()
    return table


def _count_recovered(table: str):
    counter = metrics.CHANGELOG_RECORDS_RECOVERED.labels(table)

    async def on_changelog_event(event: faust.EventT) -> None:
        counter.inc()

    return on_changelog_event


def _time_recoveries(app: faust.App) -> None:
    """Each recovery's duration, from faust's own start mark to its tables being ready."""

    async def on_complete(sender: faust.App, **kwargs: object) -> None:
        started = app.tables.recovery._recovery_started_at  # faust marks it when a recovery starts
        if started is not None:
            metrics.TABLE_RECOVERY_SECONDS.observe(time.monotonic() - started)

    app.on_rebalance_complete.connect(on_complete)


def _register_timeline_metrics(hub: Wiring) -> None:
    """Shipments by status, stale ones, corridors and legs, from the timeline partitions this worker owns."""
    app, settings, timelines = hub.app, hub.settings, hub.tables.timelines

    def summaries():
        return table_summaries.owned_summaries(app, settings, timelines)

    clock = hub.stream_clock.now if settings.clock == "stream" else metrics.wall_clock
    metrics.REGISTRY.register(metrics.TimelineCollector(summaries, clock, settings.stale_after_hours, settings.days_for_corridor))
