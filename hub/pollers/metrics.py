"""The pollers' Prometheus metrics, on the poller's own /metrics (HUB_POLL_METRICS_PORT)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "hub_poll_requests", "Requests to a partner's API by method and outcome", ["partner", "method", "outcome"], registry=REGISTRY,
)
PUBLISHED = Counter(
    "hub_poll_answers_published", "Answers published raw to the partner topic and acknowledged", ["partner"], registry=REGISTRY,
)
PARCELS_WATCHED = Gauge("hub_poll_parcels", "Non-final parcels of the partner's schemes", ["partner"], registry=REGISTRY)
PARCELS_DUE = Gauge("hub_poll_parcels_due", "Parcels due to be asked about at the last pass", ["partner"], registry=REGISTRY)
OLDEST_OVERDUE = Gauge(
    "hub_poll_oldest_overdue_seconds", "How long the most overdue parcel has been due (0: none)", ["partner"], registry=REGISTRY,
)
OPEN_TICKETS = Gauge("hub_poll_open_tickets", "Russian Post tickets waiting for their answer", ["partner"], registry=REGISTRY)
OLDEST_TICKET_AGE = Gauge(
    "hub_poll_oldest_ticket_age_seconds", "Age of the oldest open ticket (0: none); answers are kept 32 h", ["partner"],
    registry=REGISTRY,
)
LAST_SUCCESS = Gauge(
    "hub_poll_last_success_timestamp_seconds", "Time of the partner's last answer (on the pollers' clock)", ["partner"],
    registry=REGISTRY,
)
