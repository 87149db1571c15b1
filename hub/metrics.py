"""The hub's own Prometheus metrics; names do not depend on the app id."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry(auto_describe=True)

MESSAGES = Counter(
    "hub_partner_messages",
    "Consumed partner messages by outcome (exactly one outcome per message)",
    ["partner", "outcome", "reason"],
    registry=REGISTRY,
)
UNKNOWN_CODES = Counter(
    "hub_unknown_codes", "Partner codes the mapping tables lack, kept as unknown", ["partner"], registry=REGISTRY
)
EVENTS = Counter("hub_canonical_events", "Canonical events produced", ["partner"], registry=REGISTRY)
DUPLICATES = Counter("hub_duplicate_events", "Events already on their timeline, dropped", registry=REGISTRY)
SETTLEMENT_ENTRIES = Counter(
    "hub_settlement_entries", "Settlement entries published", ["contract", "kind"], registry=REGISTRY
)
