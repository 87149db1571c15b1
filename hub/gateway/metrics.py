"""The gateway's Prometheus metrics, on its own /metrics: one registry per gateway (tests run several in one process)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from hub.gateway.delivery import Delivery

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class GatewayMetrics:
    def __init__(self, delivery: Delivery) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "hub_gateway_requests", "Requests by partner and outcome (exactly one outcome per request)",
            ["partner", "outcome"], registry=self.registry,
        )
        self.latency = Histogram(
            "hub_gateway_request_seconds", "Request received to answer ready, by partner", ["partner"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.last_accepted = Gauge(
            "hub_gateway_last_accepted_timestamp_seconds", "Wall time of the partner's latest request answered 200",
            ["partner"], registry=self.registry,
        )
        spool = delivery.spool
        Gauge("hub_gateway_spool_records", "Records in the spool waiting for the broker",
              registry=self.registry).set_function(spool.depth)
        Gauge("hub_gateway_spool_oldest_age_seconds", "Age of the oldest record in the spool (0 when empty)",
              registry=self.registry).set_function(lambda: _age(spool.oldest()))
        Gauge("hub_gateway_broker_up", "1 while records go to the broker directly, 0 while they are spooled",
              registry=self.registry).set_function(lambda: 1.0 if delivery.broker_up else 0.0)


def _age(oldest: float | None) -> float:
    return 0.0 if oldest is None else max(0.0, time.time() - oldest)
