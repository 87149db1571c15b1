"""The hub's own Prometheus metrics, on every worker's /metrics beside faust's.

Names do not depend on the app id. Counters count messages this worker processed;
summed over workers they give the installation's totals. Shipment gauges and corridor
figures are read at scrape time from the summaries in the timeline table's partitions this worker owns
(`TimelineCollector`), so a rebalance or a merge never counts a shipment twice.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from itertools import accumulate

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

MESSAGES = Counter(
    "hub_partner_messages", "Consumed partner messages by outcome (exactly one outcome per message)",
    ["partner", "outcome", "reason"], registry=REGISTRY,
)
UNKNOWN_CODES = Counter(
    "hub_unknown_codes", "Partner codes the mapping tables lack, kept as unknown (top codes, the rest as 'other')",
    ["partner", "code"], registry=REGISTRY,
)
EVENTS = Counter("hub_canonical_events", "Canonical events produced", ["partner"], registry=REGISTRY)
RETIRE_REQUESTS = Counter(
    "hub_retire_requests", "Retire messages the sweep sent for finished, quiet shipments (hub/agents/retire.py)", registry=REGISTRY,
)
RETIREMENTS = Counter(
    "hub_retirements", "Shipments retired to what a late event needs (hub/stages/retire.py)", registry=REGISTRY,
)
DUPLICATES = Counter("hub_duplicate_events", "Events already on their timeline, dropped", ["partner"], registry=REGISTRY)
LAST_MESSAGE = Gauge(
    "hub_partner_last_message_timestamp_seconds", "Broker time of the latest message from the partner (feed freshness)",
    ["partner"], registry=REGISTRY,
)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400, 30 * 86400)
EVENT_TIME_LATENCY = Histogram(
    "hub_event_time_to_processed_seconds", "Partner event time to processed by the normalise stage",
    ["partner"], buckets=LATENCY_BUCKETS, registry=REGISTRY,
)
RECEIVED_LATENCY = Histogram(
    "hub_received_to_processed_seconds", "Broker receive time to processed by the normalise stage",
    ["partner"], buckets=LATENCY_BUCKETS, registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "hub_consumer_lag", "End offset minus committed offset of the hub's group", ["topic", "partition"], registry=REGISTRY,
)
SETTLEMENT_ENTRIES = Counter(
    "hub_settlement_entries", "Settlement entries booked", ["contract", "kind"], registry=REGISTRY,
)
SETTLEMENTS_WITHHELD = Counter(
    "hub_settlements_withheld", "Settlements withheld and dead-lettered, never settled at zero (a missing FX rate)",
    ["contract", "reason"], registry=REGISTRY,
)
SETTLEMENT_AMOUNT = Gauge(
    "hub_settlement_amount_minor", "Sum of booked entry amounts in minor units (negative for reversals)",
    ["contract", "kind", "currency"], registry=REGISTRY,
)

# Each stage's own seconds on the event loop and the records it handled (hub/agents/stage_time.py):
# where a worker's time goes, without a profiler. `hub bench` prints them, in this order. `parse`
# is the partner adapters' CPU seconds in the helper processes (hub/agents/parse_pool.py), or on
# the event loop with HUB_PARSE_PROCESSES=0; `normalise` is the rest of that stage (publishing).
# `fold` and `settle` are the timeline stage's CPU seconds in its helper (hub/agents/fold_pool.py),
# or on the event loop with HUB_TIMELINE_PROCESSES=0: folding timelines (with decoding and
# encoding the states, and the timelines' JSON) and settling them; `timeline` is the rest of that
# stage (reading and writing the table, publishing).
STAGES = ("parse", "normalise", "identify", "identity", "fold", "timeline", "settle", "turnover")
STAGE_BUSY_SECONDS = Counter(
    "hub_stage_busy_seconds",
    "Seconds each stage ran on the event loop (its own steps, not its waits); parse, fold and settle: CPU seconds, in helpers or not",
    ["stage"], registry=REGISTRY,
)
HELPERS_LOST = Counter(
    "hub_helpers_lost", "Stage helper processes that died or failed; the rest of their batch was done in the worker",
    ["stage"], registry=REGISTRY,
)
STAGE_RECORDS = Counter("hub_stage_records", "Records each stage handled", ["stage"], registry=REGISTRY)

# Table recovery (at a start and after every rebalance): how long, and how much changelog it
# read. A worker restarted on its RocksDB data directory reads only the tail.
TABLE_RECOVERY_SECONDS = Histogram(
    "hub_table_recovery_seconds", "Seconds each table recovery took, from its start to its tables being ready",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900), registry=REGISTRY,
)
CHANGELOG_RECORDS_RECOVERED = Counter(
    "hub_changelog_records_recovered", "Changelog records read back into tables (recovery and standbys)", ["table"],
    registry=REGISTRY,
)

# The progress watchdog (hub/kafka/watchdog.py): each source partition this worker reads, as its
# consumer sees it. -1 means "none" (never committed, nothing unprocessed, nothing read yet).
_PARTITION = ["topic", "partition"]
PARTITION_COMMITTED = Gauge(
    "hub_partition_committed_offset", "The group's committed offset (next to process)", _PARTITION, registry=REGISTRY,
)
PARTITION_LOWEST_UNACKED = Gauge(
    "hub_partition_lowest_unacked_offset", "Lowest offset delivered to a stream and not yet processed", _PARTITION,
    registry=REGISTRY,
)
PARTITION_READ = Gauge("hub_partition_read_offset", "Last offset the fetcher delivered", _PARTITION, registry=REGISTRY)
PARTITION_HIGH_WATERMARK = Gauge(
    "hub_partition_high_watermark", "End offset of the partition as last fetched", _PARTITION, registry=REGISTRY,
)
PARTITION_PAUSED = Gauge("hub_partition_paused", "1 while faust does not fetch the partition", _PARTITION, registry=REGISTRY)
PARTITION_GAUGES = (PARTITION_COMMITTED, PARTITION_LOWEST_UNACKED, PARTITION_READ, PARTITION_HIGH_WATERMARK, PARTITION_PAUSED)
PARTITION_STALLS = Counter(
    "hub_partition_stall", "Stalls the progress watchdog found (hole, not_fetched, fetcher_dead), each acted on",
    ["kind"], registry=REGISTRY,
)

# At most this many distinct unknown codes per partner get their own label.
TOP_UNKNOWN_CODES = 20
_unknown_seen: dict[str, set[str]] = {}


def count_unknown_code(partner: str, code: str) -> None:
    seen = _unknown_seen.setdefault(partner, set())
    if code not in seen and len(seen) >= TOP_UNKNOWN_CODES:
        code = "other"
    else:
        seen.add(code)
    UNKNOWN_CODES.labels(partner, code).inc()


DELIVERY_BUCKETS_DAYS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 45, 60)
# A leg lasts hours (customs, a pickup point's shelf) to weeks: finer buckets below a day.
LEG_BUCKETS_DAYS = (0.125, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45)
# Statuses after which a shipment can no longer be stale.
FINAL_STATUSES = {"delivered", "returned", "cancelled"}


class TimelineCollector(Collector):
    """Shipment figures from the summaries in the timeline table, per owned partition.

    `summaries()` yields `(partition, summary)` for every shipment this worker owns now;
    `now()` is the clock staleness is measured against (wall, or the stream's latest
    event time for simulated history).
    """

    def __init__(self, summaries: Callable[[], Iterable[tuple[int, dict]]], now: Callable[[], datetime],
                 stale_after_hours: float, corridor_days: Callable[[str], float]) -> None:
        self._summaries = summaries
        self._now = now
        self._stale_after = stale_after_hours * 3600
        self._corridor_days = corridor_days

    def describe(self):  # registered without a describe-time scrape of the table
        return []

    def collect(self):
        by_status = GaugeMetricFamily("hub_shipments", "Shipments by current status, per owned partition", labels=["partition", "status"])
        stale = GaugeMetricFamily("hub_stale_shipments", "Shipments with no news for longer than the stale threshold", labels=["partition"])
        on_time = GaugeMetricFamily("hub_deliveries", "Delivered shipments by corridor: on time, late, or unknown (delivered, time unknown)",
                                    labels=["corridor", "on_time"])
        corridor_days: dict[str, list[float]] = {}
        leg_days: dict[str, list[float]] = {}
        corridor_leg_days: dict[tuple[str, str], list[float]] = {}
        counts: dict[tuple[int, str], int] = {}
        stale_counts: dict[int, int] = {}
        timeliness: dict[tuple[str, str], int] = {}
        now = self._now().timestamp()
        for partition, summary in self._summaries():
            counts[(partition, summary["status"])] = counts.get((partition, summary["status"]), 0) + 1
            stale_counts.setdefault(partition, 0)
            last = summary.get("last_event_at")
            if summary["status"] not in FINAL_STATUSES and last is not None and now - last > self._stale_after:
                stale_counts[partition] += 1
            # The service clock: from the first acceptance (or warehouse outbound) to when the
            # buyer could have it; a delivery only untimed snapshots tell of is counted apart.
            delivered, started = summary.get("available_at"), summary.get("started_at")
            if summary["status"] == "delivered" and summary.get("delivered_time_unknown") and delivered is None:
                key = (summary.get("corridor") or "?", "unknown")
                timeliness[key] = timeliness.get(key, 0) + 1
            elif summary["status"] == "delivered" and delivered is not None and started is not None:
                corridor = summary.get("corridor") or "?"
                days = (delivered - started) / 86400
                corridor_days.setdefault(corridor, []).append(days)
                promised = summary.get("promised_delivery")
                limit = promised if promised is not None else started + self._corridor_days(corridor) * 86400
                key = (corridor, "true" if delivered <= limit else "false")
                timeliness[key] = timeliness.get(key, 0) + 1
                pair = "-".join(corridor.split("-")[:2])  # per country pair: cities would multiply the series
                for leg, seconds in summary.get("legs", {}).items():
                    leg_days.setdefault(leg, []).append(seconds / 86400)
                    corridor_leg_days.setdefault((pair, leg), []).append(seconds / 86400)
        for (partition, status), n in sorted(counts.items()):
            by_status.add_metric([str(partition), status], n)
        for partition, n in sorted(stale_counts.items()):
            stale.add_metric([str(partition)], n)
        for (corridor, flag), n in sorted(timeliness.items()):
            on_time.add_metric([corridor, flag], n)
        yield by_status
        yield stale
        yield on_time
        yield _histogram("hub_corridor_delivery_days", "Days on the service clock (acceptance to available to the buyer), per corridor",
                         "corridor", corridor_days)
        yield _histogram("hub_leg_days", "Days spent in each leg of delivered shipments", "leg", leg_days)
        corridor_legs = HistogramMetricFamily("hub_corridor_leg_days", "Days in each leg of delivered shipments, per country pair "
                                              "(legs with an untimed boundary left out)", labels=["corridor", "leg"])
        for (pair, leg), days in sorted(corridor_leg_days.items()):
            corridor_legs.add_metric([pair, leg], _buckets(days, LEG_BUCKETS_DAYS), sum(days))
        yield corridor_legs


def _histogram(name: str, documentation: str, label: str, samples: dict[str, list[float]]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=[label])
    for value, days in sorted(samples.items()):
        family.add_metric([value], _buckets(days, DELIVERY_BUCKETS_DAYS), sum(days))
    return family


def _buckets(days: list[float], bounds: tuple[float, ...]) -> list[tuple[str, int]]:
    """Cumulative Prometheus buckets (`le` each bound, then +Inf), each sample placed once by
    bisection: a scrape of 50,000 shipments must not count every sample against every bound."""
    placed = [0] * (len(bounds) + 1)
    for d in days:
        placed[bisect_left(bounds, d)] += 1  # the first bound >= d: d <= it and every later one
    return [(str(b), n) for b, n in zip(bounds, accumulate(placed), strict=False)] + [("+Inf", len(days))]


def wall_clock() -> datetime:
    return datetime.fromtimestamp(time.time(), tz=timezone.utc)
