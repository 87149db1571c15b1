"""Each partner's limits, in one place, with the documentation they come from.

The clients enforce them (`pacing.py`, the `*_client.py` modules); the schedules respect them.
Sources: docs/partners/russian-post.md#batch-access (the specification's §2, "Limitations of
the service"), docs/partners/wildberries.md and issue 20 (the Marketplace API's rate-limit
section), docs/partners/boxberry.md and issue 20 (Boxberry's API terms as reported).
"""

from __future__ import annotations

from dataclasses import dataclass

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class RussianPostLimits:
    # Batch access §2: "Number of tracking numbers in one query should not exceed 3000."
    barcodes_per_ticket: int = 3000
    # What the poller puts in one ticket: its answer is published as one Kafka record, and at
    # ~1.7 kB per barcode (ten operations) 300 keep it well under the broker's default 1 MB record.
    barcodes_per_ticket_used: int = 300
    # §2: the first answer not earlier than 15 minutes after the ticket, then at most once in 15 minutes.
    first_answer_after: float = 15 * MINUTE
    answer_spacing: float = 15 * MINUTE
    # §2: the answer is kept 32 hours; after that error 17 and a new ticket is needed.
    ticket_kept: float = 32 * HOUR


@dataclass(frozen=True)
class WildberriesLimits:
    # POST /api/v3/orders/status: at most 1,000 ids per request.
    ids_per_request: int = 1000
    # 300 requests a minute per seller account: one token every 200 ms, a burst of 20.
    refill_every: float = 0.2
    burst: int = 20
    # A 4xx answer counts as 10 requests.
    client_error_cost: int = 10


@dataclass(frozen=True)
class BoxberryLimits:
    # ListStatuses takes one parcel (ImId) per request.
    parcels_per_request: int = 1
    # At most one request per parcel per hour.
    parcel_spacing: float = HOUR


RUSSIAN_POST = RussianPostLimits()
WILDBERRIES = WildberriesLimits()
BOXBERRY = BoxberryLimits()

# After a failed request (network, 5xx, an unreadable answer): wait this long, doubling per
# failure in a row up to the cap, before asking that partner again.
FAILURE_BACKOFF = 1 * MINUTE
FAILURE_BACKOFF_CAP = 30 * MINUTE
