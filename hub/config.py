"""Configuration: every setting the hub reads from the environment, read here and only here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hub.kafka.broker import recorded_bootstrap
from hub.kafka.security import PLAINTEXT, SASL_SSL, client_options

# The table stores a worker can use (HUB_STORE).
STORES = ("rocksdb://", "memory://")
# How the worker's producer compresses what it publishes (HUB_COMPRESSION): Kafka's codecs.
COMPRESSIONS = ("lz4", "zstd", "gzip", "snappy", "none")


class ConfigError(ValueError):
    """A setting has a value the hub cannot use; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise ConfigError(f"{name}={raw!r} is not an integer") from err
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    """A positive integer, or None when unset or empty."""
    if not env.get(name):
        return None
    return _int(env, name, 0)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as err:
        raise ConfigError(f"{name}={raw!r} is not a number") from err


def _non_negative_float(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if value < 0:
        raise ConfigError(f"{name}={value:g} must not be negative")
    return value


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if value <= 0:
        raise ConfigError(f"{name}={value} must be positive")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


@dataclass(frozen=True)
class Settings:
    kafka_bootstrap: str = "127.0.0.1:9092"
    partner_prefix: str = "partner."
    topic_prefix: str = "hub."
    app_id: str = "hub"
    partitions: int = 6
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    web_url: str = "http://127.0.0.1:6066"
    data_dir: str = ".hub/worker"
    # Where tables live: rocksdb:// (on disk under data_dir; a restart reads only the
    # changelog's tail) or memory:// (rebuilt from the whole changelog at every start).
    store: str = "rocksdb://"
    # Seconds between offset commits; tests use a short one so "caught up" is seen quickly.
    commit_interval: float = 2.8
    # Broker session timeout in seconds; short in tests so a restarted worker rejoins fast.
    session_timeout: float = 30.0
    # Seconds an agent waits, once, for more records when its queue runs dry before a batch is
    # full (HUB_BATCH_LINGER_MS; hub/agents/batches.py says why): at most this much latency per hop.
    batch_linger: float = 0.02
    # How long the worker's consumer lets the broker hold a fetch for more records, and how many
    # bytes end the wait sooner (HUB_FETCH_WAIT_MS, HUB_FETCH_MIN_BYTES; hub/kafka/faust_speedups.py
    # says why): at most this much latency per hop, for a fetch per wait rather than per record.
    fetch_wait_ms: int = 20
    fetch_min_bytes: int = 1_048_576
    # Helper processes that run the partner adapters for the normalise stage
    # (HUB_PARSE_PROCESSES; hub/agents/parse_pool.py says why): 0 runs them in the worker itself.
    parse_processes: int = 1
    # Helper processes that fold timelines and settle them for the timeline stage
    # (HUB_TIMELINE_PROCESSES; hub/agents/fold_pool.py says why): 0 does it in the worker itself,
    # as does a worker whose tables are in memory (HUB_STORE=memory://).
    timeline_processes: int = 2
    # Shipments whose decoded state, event models and last fold each timeline process keeps
    # for their next message (HUB_TIMELINE_CACHE; hub/stages/shipment_step.py:keep_shipments).
    timeline_cache: int = 1024
    # How the worker's producer compresses each batch of records it sends (HUB_COMPRESSION):
    # none by default. On this machine's loopback, lz4 cost the worker more CPU than it saved
    # (docs/research/faust-throughput.md); where the broker is across a slower link it is
    # worth it: a timeline carries every event of its shipment.
    compression: str = "none"
    clock: str = "wall"
    # "on": the leader closes the quarter just ended once this grace has passed since its end.
    auto_close: str = "off"
    auto_close_grace_hours: float = 72.0
    # A stable name for this worker (e.g. its host or pod name): enables static group membership.
    worker_id: str | None = None
    log_format: str = "json"
    log_level: str = "INFO"
    # Zone assumed for partner local times that carry no offset and no derivable zone.
    assumed_zone: str = "Europe/Moscow"
    # A shipment with no news for this long, and not delivered, returned or cancelled, is stale.
    stale_after_hours: float = 72.0
    # A delivered, returned or cancelled shipment with no news for this many days of event time
    # is retired to what a late event needs (hub/stages/retire.py); the sweep that asks looks
    # at one slice of this worker's shipments every `retire_sweep_seconds`.
    retire_after_days: float = 90.0
    retire_sweep_seconds: float = 60.0
    # Service level per corridor when no promised delivery is known: "CN-RU=8,RU-RU=4", in days.
    corridor_days: str = "CN-RU=8,RU-RU=4"
    default_corridor_days: float = 10.0
    # Replication factor of every topic the hub creates (its own, partner topics, faust's
    # changelogs). None: ask the cluster (its `default.replication.factor`; hub/topics.py).
    replication: int | None = None
    # The ingestion gateway (`hub gateway`, docs/gateway.md).
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    # The TOML file of partner tokens, secrets and rates; None: the gateway refuses to start.
    # The pollers read their credentials from its [pollers.<partner>] tables.
    gateway_secrets: str | None = None
    gateway_spool_dir: str = ".hub/gateway/spool"
    # Names this gateway in every record it writes; defaults to host:port.
    gateway_instance: str | None = None
    # Seconds the broker has to acknowledge a record before it is spooled instead (Ozon waits 5 s).
    gateway_ack_budget: float = 1.5
    # `hub poll`: seconds between passes, and the port of its /metrics.
    poll_every: float = 60.0
    poll_metrics_port: int = 6070
    # How every hub client connects to Kafka: plaintext (the development broker only) or
    # sasl_ssl (SCRAM-SHA-512 over TLS, verified against kafka_ca_file). The password is kept
    # out of repr so it never reaches a log line or a traceback.
    kafka_security: str = PLAINTEXT
    kafka_username: str | None = None
    kafka_password: str | None = field(default=None, repr=False)
    kafka_ca_file: str | None = None
    # The HTTP API's bearer tokens (TOML; hub/web/auth.py). Unset: the API is open, as on the
    # development broker; a worker on a secure broker refuses to start without it.
    api_tokens_file: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        web_host = env.get("HUB_WEB_HOST") or "127.0.0.1"
        web_port = _int(env, "HUB_WEB_PORT", 6066)
        return cls(
            kafka_bootstrap=env.get("HUB_KAFKA_BOOTSTRAP") or _recorded_bootstrap(env) or "127.0.0.1:9092",
            partner_prefix=env.get("HUB_PARTNER_PREFIX") or "partner.",
            topic_prefix=env.get("HUB_TOPIC_PREFIX") or "hub.",
            # Two hubs on one cluster under different prefixes must not share changelogs and a
            # consumer group: the app id follows the topic prefix unless set.
            app_id=env.get("HUB_APP_ID") or (env.get("HUB_TOPIC_PREFIX") or "hub.").rstrip(".") or "hub",
            partitions=_int(env, "HUB_PARTITIONS", 6),
            web_host=web_host,
            web_port=web_port,
            web_url=env.get("HUB_WEB_URL") or f"http://{web_host}:{web_port}",
            data_dir=env.get("HUB_DATA_DIR") or ".hub/worker",
            store=_choice(env, "HUB_STORE", "rocksdb://", STORES),
            commit_interval=_float(env, "HUB_COMMIT_INTERVAL", 2.8),
            session_timeout=_float(env, "HUB_SESSION_TIMEOUT", 30.0),
            batch_linger=_non_negative_float(env, "HUB_BATCH_LINGER_MS", 20.0) / 1000,
            fetch_wait_ms=_int(env, "HUB_FETCH_WAIT_MS", 20, minimum=1),
            fetch_min_bytes=_int(env, "HUB_FETCH_MIN_BYTES", 1_048_576, minimum=1),
            parse_processes=_int(env, "HUB_PARSE_PROCESSES", 1, minimum=0),
            timeline_processes=_int(env, "HUB_TIMELINE_PROCESSES", 2, minimum=0),
            timeline_cache=_int(env, "HUB_TIMELINE_CACHE", 1024, minimum=0),
            compression=_choice(env, "HUB_COMPRESSION", "none", COMPRESSIONS),
            clock=_choice(env, "HUB_CLOCK", "wall", ("wall", "stream")),
            auto_close=_choice(env, "HUB_AUTO_CLOSE", "off", ("on", "off")),
            auto_close_grace_hours=_float(env, "HUB_AUTO_CLOSE_GRACE_HOURS", 72.0),
            worker_id=env.get("HUB_WORKER_ID") or None,
            log_format=_choice(env, "HUB_LOG_FORMAT", "json", ("json", "console")),
            log_level=(env.get("HUB_LOG_LEVEL") or "INFO").upper(),
            assumed_zone=env.get("HUB_ASSUMED_ZONE") or "Europe/Moscow",
            stale_after_hours=_float(env, "HUB_STALE_AFTER_HOURS", 72.0),
            retire_after_days=_positive_float(env, "HUB_RETIRE_AFTER_DAYS", 90.0),
            retire_sweep_seconds=_positive_float(env, "HUB_RETIRE_SWEEP_SECONDS", 60.0),
            corridor_days=env.get("HUB_CORRIDOR_DAYS") or "CN-RU=8,RU-RU=4",
            replication=_optional_int(env, "HUB_REPLICATION"),
            gateway_host=env.get("HUB_GATEWAY_HOST") or "127.0.0.1",
            gateway_port=_int(env, "HUB_GATEWAY_PORT", 8080),
            gateway_secrets=env.get("HUB_GATEWAY_SECRETS") or None,
            gateway_spool_dir=env.get("HUB_GATEWAY_SPOOL") or ".hub/gateway/spool",
            gateway_instance=env.get("HUB_GATEWAY_INSTANCE") or None,
            gateway_ack_budget=_positive_float(env, "HUB_GATEWAY_ACK_BUDGET", 1.5),
            poll_every=_float(env, "HUB_POLL_EVERY", 60.0),
            poll_metrics_port=_int(env, "HUB_POLL_METRICS_PORT", 6070, minimum=0),
            **_kafka_security(env),
            api_tokens_file=env.get("HUB_API_TOKENS") or None,
        )

    def days_for_corridor(self, corridor: str) -> float:
        """The service level of `origin-destination-city`: the most specific configured prefix."""
        best, best_len = self.default_corridor_days, -1
        for item in self.corridor_days.split(","):
            prefix, _, days = item.partition("=")
            prefix = prefix.strip()
            if prefix and corridor.startswith(prefix) and len(prefix) > best_len:
                best, best_len = float(days), len(prefix)
        return best


def kafka_client_options(settings: Settings) -> dict[str, object]:
    """The keyword arguments every aiokafka client of the hub (producer, consumer, admin) is
    made with: `security_protocol`, `sasl_mechanism`, `sasl_plain_username`/`_password` and
    `ssl_context` under sasl_ssl, nothing under plaintext. The one place a client learns how
    to connect: `AIOKafkaProducer(bootstrap_servers=..., **kafka_client_options(settings))`."""
    return client_options(settings.kafka_security, settings.kafka_username, settings.kafka_password, settings.kafka_ca_file)


def _kafka_security(env: Mapping[str, str]) -> dict[str, str | None]:
    """HUB_KAFKA_SECURITY and the credential it needs, checked together."""
    security = _choice(env, "HUB_KAFKA_SECURITY", PLAINTEXT, (PLAINTEXT, SASL_SSL))
    username, password = env.get("HUB_KAFKA_USERNAME") or None, env.get("HUB_KAFKA_PASSWORD") or None
    ca_file = env.get("HUB_KAFKA_CA_FILE") or None
    if security == SASL_SSL:
        if not username or not password:
            raise ConfigError("HUB_KAFKA_SECURITY=sasl_ssl needs HUB_KAFKA_USERNAME and HUB_KAFKA_PASSWORD")
        if ca_file and not Path(ca_file).is_file():
            raise ConfigError(f"HUB_KAFKA_CA_FILE={ca_file!r} is not a readable file")
    return {"kafka_security": security, "kafka_username": username, "kafka_password": password, "kafka_ca_file": ca_file}


def _recorded_bootstrap(env: Mapping[str, str]) -> str | None:
    """The broker `hub broker start` left running (HUB_BROKER_DIR, default .hub/broker)."""
    return recorded_bootstrap(Path(env.get("HUB_BROKER_DIR") or ".hub/broker"))
