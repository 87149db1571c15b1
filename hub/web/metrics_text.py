"""Prometheus text from several workers, read and combined: the raw material of the ops figures.

Counters, per-partition gauges and histogram buckets add up across workers (each counts what
it processed or owns); a feed's last-message time is the latest any worker saw, and lag per
topic partition the largest any worker reports (only the leader measures it, so figures
never add).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Labels = tuple[tuple[str, str], ...]
Series = dict[str, dict[Labels, float]]

# Gauges that are instants or one leader's measurement: combined by max, never summed.
COMBINED_BY_MAX = {"hub_partner_last_message_timestamp_seconds", "hub_consumer_lag"}
QUANTILES = (0.5, 0.9)


def parse_metrics(text: str) -> Series:
    """sample name → labels → value, for one worker's exposition (`_created` samples dropped)."""
    series: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_created") or math.isnan(sample.value):
                continue
            series.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return series


def combine(per_worker: Iterable[Series]) -> Series:
    combined: Series = {}
    for series in per_worker:
        for name, values in series.items():
            into = combined.setdefault(name, {})
            for labels, value in values.items():
                if labels not in into:
                    into[labels] = value
                elif _base_name(name) in COMBINED_BY_MAX:
                    into[labels] = max(into[labels], value)
                else:
                    into[labels] += value
    return combined


def _base_name(sample: str) -> str:
    for suffix in ("_total", "_bucket", "_count", "_sum"):
        if sample.endswith(suffix):
            return sample[: -len(suffix)]
    return sample


def by_labels(series: Series, name: str, *keys: str) -> dict[tuple[str, ...], float]:
    """Values of `name` summed over every label not in `keys`, keyed by the values of `keys`."""
    out: dict[tuple[str, ...], float] = {}
    for labels, value in series.get(name, {}).items():
        found = dict(labels)
        key = tuple(found.get(k, "") for k in keys)
        out[key] = out.get(key, 0.0) + value
    return out


def histograms(series: Series, name: str, label: str, *more: str) -> dict[Any, dict[str, Any]]:
    """label value (a tuple of values with `more` labels) → {"buckets": [(upper bound,
    cumulative count)], "count", "sum"}, buckets merged."""
    names = (label, *more)
    merged: dict[tuple[str, ...], dict[float, float]] = {}
    for labels, value in series.get(f"{name}_bucket", {}).items():
        found = dict(labels)
        bucket = merged.setdefault(tuple(found.get(n, "") for n in names), {})
        bound = float(found["le"])
        bucket[bound] = bucket.get(bound, 0.0) + value
    counts = by_labels(series, f"{name}_count", *names)
    sums = by_labels(series, f"{name}_sum", *names)
    return {
        (key if more else key[0]): {"buckets": sorted(buckets.items()), "count": counts.get(key, 0.0), "sum": sums.get(key, 0.0)}
        for key, buckets in merged.items()
    }


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """Prometheus's `histogram_quantile` over cumulative (upper bound, count) buckets ending in +Inf."""
    if len(buckets) < 2 or not math.isinf(buckets[-1][0]):
        return None
    total = buckets[-1][1]
    if total == 0:
        return None
    rank = q * total
    b = next(i for i, (_, count) in enumerate(buckets) if count >= rank)
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, end, count = 0.0, buckets[b][0], buckets[b][1]
    if b > 0:
        start = buckets[b - 1][0]
        count -= buckets[b - 1][1]
        rank -= buckets[b - 1][1]
    return start + (end - start) * (rank / count)


def quantiles(histogram: dict[str, Any] | None) -> dict[str, float | None]:
    buckets = histogram["buckets"] if histogram else []
    return {f"p{int(q * 100)}": quantile(q, buckets) for q in QUANTILES}
