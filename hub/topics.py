"""Every topic the hub reads or writes, declared once, and how to create them.

The broker runs with `auto.create.topics.enable=false`: topics are created here, with one
partition count for every co-partitioned topic (faust writes a table's changelog to the
partition of the message being processed, so source, table and changelog must agree).

Every topic gets one replication factor: HUB_REPLICATION, or when that is unset the
cluster's own `default.replication.factor` (1 on the single development node, 3 on
`hub broker start --nodes 3`), asked once per `ensure_topics`. faust creates the table
changelogs itself: `replication_factor` gives it the same figure.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum

from hub.config import Settings, kafka_client_options

DAY_MS = 24 * 60 * 60 * 1000
# Partner topics, settlements, control and contracts are business records: kept indefinitely.
FOREVER = "-1"


class Cleanup(StrEnum):
    DELETE = "delete"
    COMPACT = "compact"


@dataclass(frozen=True)
class TopicSpec:
    suffix: str
    cleanup: Cleanup
    retention_ms: str
    purpose: str

    def name(self, settings: Settings) -> str:
        return settings.topic_prefix + self.suffix

    def configs(self) -> dict[str, str]:
        configs = {"cleanup.policy": self.cleanup.value}
        if self.cleanup is Cleanup.DELETE:
            configs["retention.ms"] = self.retention_ms
        return configs


EVENTS = TopicSpec("events", Cleanup.DELETE, str(14 * DAY_MS), "canonical events, keyed by a parcel identifier (14 days)")
# hub.identity and hub.turnover carry messages, each one to be read (an observation, a label, an
# entry, a contribution), not the latest value of their key: compaction removed messages a
# lagging worker had not read yet (the fault soak lost links and entries once its lag passed a
# 16 MB segment). Their stages keep their state in tables, whose changelogs are compacted.
IDENTITY = TopicSpec("identity", Cleanup.DELETE, str(14 * DAY_MS), "identity messages keyed by identifier (14 days)")
SHIPMENT_EVENTS = TopicSpec("shipment-events", Cleanup.DELETE, str(14 * DAY_MS), "events and merge notices keyed by shipment id (14 days)")
TIMELINES = TopicSpec("timelines", Cleanup.COMPACT, FOREVER, "latest timeline or redirect per shipment id")
SETTLEMENTS = TopicSpec("settlements", Cleanup.DELETE, FOREVER, "one entry per money movement, kept indefinitely")
STATEMENTS = TopicSpec("statements", Cleanup.COMPACT, FOREVER, "statements per contract, payer, payee and period")
TURNOVER = TopicSpec("turnover", Cleanup.DELETE, FOREVER, "entries and turnover contributions keyed by contract and payer, kept indefinitely")
CONTRACTS = TopicSpec("contracts", Cleanup.COMPACT, FOREVER, "contract versions, kept indefinitely")
CONTROL = TopicSpec("control", Cleanup.DELETE, FOREVER, "commands such as closing a period, kept indefinitely")
# Raw payloads may hold personal data: dead letters are kept 30 days only.
DEADLETTER = TopicSpec("deadletter", Cleanup.DELETE, str(30 * DAY_MS), "poison messages with their reason (30 days)")

# The pollers' memory (hub/pollers/state.py): open Russian Post tickets and per-parcel schedules.
POLLER_STATE = TopicSpec("poller-state", Cleanup.COMPACT, FOREVER, "pollers' open tickets and parcel schedules")

HUB_TOPICS: tuple[TopicSpec, ...] = (
    EVENTS, IDENTITY, SHIPMENT_EVENTS, TIMELINES, SETTLEMENTS, STATEMENTS, TURNOVER, CONTRACTS, CONTROL, DEADLETTER,
    POLLER_STATE,
)

# Partner topics: raw bytes in the partner's own format, stamped with broker time so a
# partner's clock cannot set `received_at`; kept indefinitely, so a replay can re-read them.
PARTNER_TOPIC_CONFIGS = {
    "cleanup.policy": "delete",
    "retention.ms": FOREVER,
    "message.timestamp.type": "LogAppendTime",
}


def partner_topic(settings: Settings, partner: str) -> str:
    return f"{settings.partner_prefix}{partner}.events"


def all_topic_configs(settings: Settings, partners: list[str],
                      hub_topics: tuple[TopicSpec, ...] = HUB_TOPICS) -> dict[str, dict[str, str]]:
    """Topic name → configs for every topic of this installation (`hub_topics` of the hub's own)."""
    topics = {spec.name(settings): spec.configs() for spec in hub_topics}
    topics.update({partner_topic(settings, p): dict(PARTNER_TOPIC_CONFIGS) for p in partners})
    return topics


# The replication each cluster (by bootstrap) reported to `ensure_topics` in this process: a
# worker prepares its topics before it makes its faust app, which reads it from here.
_cluster_replication: dict[str, int] = {}


def replication_factor(settings: Settings) -> int:
    """The replication of the topics faust creates itself (table changelogs, its leader topic).

    HUB_REPLICATION; else what the cluster reported to `ensure_topics` in this process (the
    worker calls it at start-up, before making its app); else 1: an app made with no broker
    to ask, as in faust's test context.
    """
    return settings.replication or _cluster_replication.get(settings.kafka_bootstrap, 1)


async def cluster_replication(admin: object, timeout: float = 5.0) -> int:
    """The cluster's `default.replication.factor`, as the first of its brokers that answers reports it.

    A broker describes its own configuration only, so the request goes to one broker; one
    that has just died is still listed for a few seconds, so each gets `timeout` seconds.
    """
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    cluster = await admin.describe_cluster()  # type: ignore[attr-defined]
    failures = []
    for broker in sorted(b["node_id"] for b in cluster["brokers"]):
        resource = ConfigResource(ConfigResourceType.BROKER, str(broker), {"default.replication.factor": None})
        try:
            responses = await asyncio.wait_for(admin.describe_configs([resource]), timeout)  # type: ignore[attr-defined]
        except Exception as err:  # noqa: BLE001 - try the next broker
            failures.append(f"broker {broker}: {err!r}")
            continue
        for described in responses[0].to_object()["resources"]:
            if described["error_code"]:
                failures.append(f"broker {broker}: {described['error_message']} (error {described['error_code']})")
                continue
            for entry in described["config_entries"]:
                if entry["config_names"] == "default.replication.factor":
                    return int(entry["config_value"])
    reasons = "; ".join(failures) or "no broker reported default.replication.factor"
    raise RuntimeError(f"cannot ask the cluster for its replication ({reasons}); set HUB_REPLICATION")


async def ensure_topics(settings: Settings, partners: list[str], retry_for: float = 30.0,
                        hub_topics: tuple[TopicSpec, ...] = HUB_TOPICS) -> list[str]:
    """Create the missing topics; check the partition count of the ones that exist.

    The topics are the partner topics of `partners` and `hub_topics` (all of the hub's own by
    default, as a worker needs them): a process that uses fewer names only those, so on a
    secure cluster it needs no right to the others (the gateway: partner topics only).

    Returns the names created. A topic that exists with another partition count is an
    error: its state would land in the wrong partitions. Topics are created with
    HUB_REPLICATION, else the cluster's default replication (remembered for
    `replication_factor`); a topic that exists keeps the replication it has.

    A broker that has just died stays in the cluster's metadata for a few seconds and
    requests sent to it fail; such retriable failures are tried again for `retry_for` seconds.
    """
    from aiokafka.errors import KafkaConnectionError, KafkaError

    from hub.kafka.security import refusal

    deadline = time.monotonic() + retry_for
    while True:
        try:
            return await _ensure_topics(settings, partners, hub_topics)
        except (TimeoutError, KafkaError) as err:
            if not getattr(err, "retriable", True) or time.monotonic() > deadline:
                raise
            if isinstance(err, KafkaConnectionError) and await refusal(settings.kafka_bootstrap, kafka_client_options(settings)):
                raise  # the broker answers and refuses this client: trying again changes nothing
            await asyncio.sleep(1.0)


async def _ensure_topics(settings: Settings, partners: list[str], hub_topics: tuple[TopicSpec, ...]) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError, for_code

    wanted = all_topic_configs(settings, partners, hub_topics)
    # A request to a dead broker times out after 10 s rather than aiokafka's 40: then a new
    # client with fresh metadata tries again.
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id=f"{settings.app_id}-admin", request_timeout_ms=10000,
        **kafka_client_options(settings),
    )
    await admin.start()
    try:
        replication = settings.replication
        # The cluster's replication is asked for what is created here, and by a worker (all
        # the hub's topics) for what its faust app creates later; a process that only checks
        # its few topics needs no right to the cluster's configuration.
        if replication is None and hub_topics == HUB_TOPICS:
            replication = _cluster_replication[settings.kafka_bootstrap] = await cluster_replication(admin)
        existing = await _partition_counts(admin, list(wanted))
        wrong = {name: n for name, n in existing.items() if n != settings.partitions}
        if wrong:
            listed = ", ".join(f"{name} has {n}" for name, n in sorted(wrong.items()))
            raise RuntimeError(f"topics exist with a partition count other than HUB_PARTITIONS={settings.partitions}: {listed}")
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return []
        if replication is None:
            replication = _cluster_replication[settings.kafka_bootstrap] = await cluster_replication(admin)
        response = await admin.create_topics(
            [NewTopic(name, settings.partitions, replication, topic_configs=wanted[name]) for name in missing],
            timeout_ms=30000,
        )
        created, failed = [], []
        for name, code, *message in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != TopicAlreadyExistsError.errno:  # another worker created it just now
                failed.append(f"{name}: {for_code(code).__name__} {(message or [''])[0] or ''}".strip())
        if failed:
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise RuntimeError(f"cannot create topics at replication {replication}: {failed[0]}{more}")
        return [name for name in missing if name in created]
    finally:
        await admin.close()


async def _partition_counts(admin: object, names: list[str]) -> dict[str, int]:
    topics = set(await admin.list_topics())  # type: ignore[attr-defined]
    present = [n for n in names if n in topics]
    if not present:
        return {}
    described = await admin.describe_topics(present)  # type: ignore[attr-defined]
    return {t["topic"]: len(t["partitions"]) for t in described}
