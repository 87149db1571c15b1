"""The ops figures: Prometheus text from several workers, combined as each metric means it."""

from __future__ import annotations

import re

import pytest

from hub.web.metrics_text import quantile
from hub.web.ops_figures import aggregate
from hub.web.ops_page import render_page

pytestmark = pytest.mark.unit

WORKER_A = """
# TYPE hub_partner_messages counter
hub_partner_messages_total{outcome="normalised",partner="cdek",reason=""} 3.0
hub_partner_messages_created{outcome="normalised",partner="cdek",reason=""} 1.7e+09
hub_partner_messages_total{outcome="dead_lettered",partner="cdek",reason="not_json"} 1.0
hub_partner_messages_total{outcome="dead_lettered",partner="ozon",reason="bad_encoding"} 2.0
# TYPE hub_unknown_codes counter
hub_unknown_codes_total{code="X9",partner="cdek"} 1.0
# TYPE hub_canonical_events counter
hub_canonical_events_total{partner="cdek"} 3.0
# TYPE hub_partner_last_message_timestamp_seconds gauge
hub_partner_last_message_timestamp_seconds{partner="cdek"} 1000.0
# TYPE hub_consumer_lag gauge
hub_consumer_lag{partition="0",topic="partner.cdek.events"} 7.0
# TYPE hub_shipments gauge
hub_shipments{partition="0",status="delivered"} 2.0
hub_shipments{partition="0",status="in_transit"} 1.0
# TYPE hub_stale_shipments gauge
hub_stale_shipments{partition="0"} 1.0
# TYPE hub_deliveries gauge
hub_deliveries{corridor="CN-RU-*",on_time="true"} 1.0
hub_deliveries{corridor="CN-RU-*",on_time="false"} 1.0
# TYPE hub_corridor_delivery_days histogram
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="1.0"} 0.0
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="2.0"} 1.0
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="4.0"} 2.0
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="+Inf"} 2.0
hub_corridor_delivery_days_count{corridor="CN-RU-*"} 2.0
hub_corridor_delivery_days_sum{corridor="CN-RU-*"} 5.0
"""

WORKER_B = """
# TYPE hub_partner_messages counter
hub_partner_messages_total{outcome="normalised",partner="cdek",reason=""} 2.0
hub_partner_messages_total{outcome="ignored",partner="ozon",reason=""} 4.0
hub_partner_messages_total{outcome="dead_lettered",partner="cdek",reason="not_json"} 1.0
# TYPE hub_unknown_codes counter
hub_unknown_codes_total{code="X9",partner="cdek"} 2.0
# TYPE hub_partner_last_message_timestamp_seconds gauge
hub_partner_last_message_timestamp_seconds{partner="cdek"} 1500.0
hub_partner_last_message_timestamp_seconds{partner="ozon"} 900.0
# TYPE hub_consumer_lag gauge
hub_consumer_lag{partition="0",topic="partner.cdek.events"} 3.0
hub_consumer_lag{partition="1",topic="partner.cdek.events"} 5.0
# TYPE hub_shipments gauge
hub_shipments{partition="1",status="delivered"} 2.0
# TYPE hub_stale_shipments gauge
hub_stale_shipments{partition="1"} 0.0
# TYPE hub_deliveries gauge
hub_deliveries{corridor="CN-RU-*",on_time="true"} 2.0
hub_deliveries{corridor="RU-RU-Москва",on_time="false"} 1.0
# TYPE hub_corridor_delivery_days histogram
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="1.0"} 1.0
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="2.0"} 2.0
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="4.0"} 2.0
hub_corridor_delivery_days_bucket{corridor="CN-RU-*",le="+Inf"} 2.0
hub_corridor_delivery_days_count{corridor="CN-RU-*"} 2.0
hub_corridor_delivery_days_sum{corridor="CN-RU-*"} 2.5
hub_corridor_delivery_days_bucket{corridor="RU-RU-Москва",le="1.0"} 0.0
hub_corridor_delivery_days_bucket{corridor="RU-RU-Москва",le="2.0"} 0.0
hub_corridor_delivery_days_bucket{corridor="RU-RU-Москва",le="4.0"} 0.0
hub_corridor_delivery_days_bucket{corridor="RU-RU-Москва",le="+Inf"} 1.0
hub_corridor_delivery_days_count{corridor="RU-RU-Москва"} 1.0
hub_corridor_delivery_days_sum{corridor="RU-RU-Москва"} 9.0
"""


def figures() -> dict:
    return aggregate([("http://a", WORKER_A), ("http://b", WORKER_B)])


def by_partner(result: dict) -> dict:
    return {p["partner"]: p for p in result["partners"]}


def test_counters_add_up_across_workers_by_partner_outcome_and_reason():
    result = figures()
    partners = by_partner(result)
    assert partners["cdek"]["messages"] == 7
    assert partners["cdek"]["outcomes"] == {"normalised": 5, "ignored": 0, "partial": 0, "dead_lettered": 2}
    assert partners["cdek"]["dead_letters_by_reason"] == {"not_json": 2}
    assert partners["ozon"]["outcomes"] == {"normalised": 0, "ignored": 4, "partial": 0, "dead_lettered": 2}
    assert result["dead_letters_by_reason"] == {"bad_encoding": 2, "not_json": 2}
    assert result["totals"]["messages"] == 13 and result["totals"]["dead_letters"] == 4
    assert result["totals"]["dead_letter_ratio"] == pytest.approx(4 / 13)
    assert result["unknown_codes"] == [{"partner": "cdek", "code": "X9", "count": 3}]
    assert partners["cdek"]["unknown_codes"] == 3 and partners["cdek"]["events"] == 3


def test_created_samples_are_not_counted_as_messages():
    assert by_partner(aggregate([("http://a", WORKER_A)]))["cdek"]["messages"] == 4


def test_instants_and_the_leaders_lag_are_never_summed():
    result = figures()
    partners = by_partner(result)
    assert partners["cdek"]["last_message_at"] == 1500.0  # the latest any worker saw
    assert partners["ozon"]["last_message_at"] == 900.0
    # Partition 0 is exported by both (a former leader's older figure): the larger one, not 10.
    assert result["lag"] == {"total": 12, "by_topic": {"partner.cdek.events": 12}}


def test_shipment_gauges_add_up_over_the_partitions_each_worker_owns():
    shipments = figures()["shipments"]
    assert shipments == {"total": 5, "by_status": {"in_transit": 1, "delivered": 4}, "stale": 1}


def test_histograms_merge_bucket_wise_and_give_prometheus_quantiles():
    corridors = {c["corridor"]: c for c in figures()["corridors"]}
    cn = corridors["CN-RU-*"]
    # Merged buckets: le 1 → 1, le 2 → 3, le 4 → 4, +Inf → 4.
    assert cn["delivered"] == 4
    assert cn["p50_days"] == pytest.approx(1.5)  # rank 2 in (1, 2] holding 2: 1 + 1 * (1/2)
    assert cn["p90_days"] == pytest.approx(3.2)  # rank 3.6 in (2, 4] holding 1: 2 + 2 * 0.6
    assert cn["mean_days"] == pytest.approx(7.5 / 4)
    assert (cn["on_time"], cn["late"], cn["on_time_rate"]) == (3, 1, 0.75)
    moscow = corridors["RU-RU-Москва"]
    # Only the +Inf bucket: the upper bound of the last finite bucket, as histogram_quantile says.
    assert moscow["p50_days"] == 4.0 and moscow["on_time_rate"] == 0.0
    assert figures()["totals"]["on_time_rate"] == pytest.approx(3 / 5)
    assert figures()["totals"]["delivered"] == 5


@pytest.mark.parametrize(("q", "buckets", "expected"), [
    (0.5, [(1.0, 0.0), (2.0, 10.0), (float("inf"), 10.0)], 1.5),
    (0.25, [(1.0, 4.0), (2.0, 8.0), (float("inf"), 8.0)], 0.5),  # the first bucket starts at 0
    (0.99, [(1.0, 1.0), (2.0, 1.0), (float("inf"), 2.0)], 2.0),
    (0.5, [(1.0, 0.0), (float("inf"), 0.0)], None),  # nothing observed
    (0.5, [(1.0, 3.0)], None),  # no +Inf bucket
])
def test_quantile_follows_histogram_quantile(q, buckets, expected):
    assert quantile(q, buckets) == (pytest.approx(expected) if expected is not None else None)


def test_a_worker_with_unreadable_metrics_is_reported_and_the_rest_still_count():
    result = aggregate([("http://a", WORKER_A), ("http://broken", "hub_partner_messages_total{ oops")])
    assert [w["ok"] for w in result["workers"]] == [True, False]
    assert result["totals"]["messages"] == 6


def test_no_worker_gives_empty_figures_and_a_page_that_says_so():
    result = aggregate([])
    assert result["totals"]["messages"] == 0 and result["corridors"] == [] and result["totals"]["on_time_rate"] is None
    page = render_page(result)
    assert "No partner messages yet." in page and "No worker answered." in page


def test_the_page_is_self_contained_escaped_and_carries_the_figures():
    hostile = WORKER_B.replace("RU-RU-Москва", "RU-RU-<script>alert(1)</script>")
    page = render_page(aggregate([("http://a", WORKER_A), ("http://b", hostile)]))
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    # Nothing loads from elsewhere: no scripts, stylesheets or images by address (the SVG namespace is a name).
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "@import" not in page and "url(" not in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert page.count("<svg") >= 3
    assert 'data-figure="partner.cdek.messages" data-value="7"' in page
    assert 'data-figure="corridor.CN-RU-*.delivered" data-value="4"' in page
    assert 'data-figure="totals.dead_letters" data-value="4"' in page
