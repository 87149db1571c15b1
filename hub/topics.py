"""Every topic the hub reads or writes, declared once, and how to create them.

The broker runs with `auto.create.topics.enable=false`: topics are created here, with one
partition count for every co-partitioned topic (faust writes a table's changelog to the
partition of the message being processed, so source, table and changelog must agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.config import Settings

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
IDENTITY = TopicSpec("identity", Cleanup.COMPACT, FOREVER, "identity messages keyed by identifier")
SHIPMENT_EVENTS = TopicSpec("shipment-events", Cleanup.DELETE, str(14 * DAY_MS), "events and merge notices keyed by shipment id (14 days)")
TIMELINES = TopicSpec("timelines", Cleanup.COMPACT, FOREVER, "latest timeline or redirect per shipment id")
SETTLEMENTS = TopicSpec("settlements", Cleanup.DELETE, FOREVER, "one entry per money movement, kept indefinitely")
STATEMENTS = TopicSpec("statements", Cleanup.COMPACT, FOREVER, "statements per contract, payer, payee and period")
TURNOVER = TopicSpec("turnover", Cleanup.COMPACT, FOREVER, "turnover per contract and payer")
CONTRACTS = TopicSpec("contracts", Cleanup.COMPACT, FOREVER, "contract versions, kept indefinitely")
CONTROL = TopicSpec("control", Cleanup.DELETE, FOREVER, "commands such as closing a period, kept indefinitely")
# Raw payloads may hold personal data: dead letters are kept 30 days only.
DEADLETTER = TopicSpec("deadletter", Cleanup.DELETE, str(30 * DAY_MS), "poison messages with their reason (30 days)")

HUB_TOPICS: tuple[TopicSpec, ...] = (
    EVENTS, IDENTITY, SHIPMENT_EVENTS, TIMELINES, SETTLEMENTS, STATEMENTS, TURNOVER, CONTRACTS, CONTROL, DEADLETTER,
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


def all_topic_configs(settings: Settings, partners: list[str]) -> dict[str, dict[str, str]]:
    """Topic name → configs for every topic of this installation."""
    topics = {spec.name(settings): spec.configs() for spec in HUB_TOPICS}
    topics.update({partner_topic(settings, p): dict(PARTNER_TOPIC_CONFIGS) for p in partners})
    return topics


async def ensure_topics(settings: Settings, partners: list[str]) -> list[str]:
    """Create the missing topics; check the partition count of the ones that exist.

    Returns the names created. A topic that exists with another partition count is an
    error: its state would land in the wrong partitions.
    """
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    wanted = all_topic_configs(settings, partners)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id=f"{settings.app_id}-admin")
    await admin.start()
    try:
        existing = await _partition_counts(admin, list(wanted))
        wrong = {name: n for name, n in existing.items() if n != settings.partitions}
        if wrong:
            listed = ", ".join(f"{name} has {n}" for name, n in sorted(wrong.items()))
            raise RuntimeError(f"topics exist with a partition count other than HUB_PARTITIONS={settings.partitions}: {listed}")
        missing = [name for name in wanted if name not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name, settings.partitions, 1, topic_configs=wanted[name]) for name in missing],
                timeout_ms=30000,
            )
        return missing
    finally:
        await admin.close()


async def _partition_counts(admin: object, names: list[str]) -> dict[str, int]:
    topics = set(await admin.list_topics())  # type: ignore[attr-defined]
    present = [n for n in names if n in topics]
    if not present:
        return {}
    described = await admin.describe_topics(present)  # type: ignore[attr-defined]
    return {t["topic"]: len(t["partitions"]) for t in described}
