"""Simulated partner traffic into this installation's partner topics (HUB_PARTNER_PREFIX).

The simulator publishes to whatever topic it is told (simulator/publish.py); this module
tells it the installation's topic names and creates them first, for `hub simulate`,
`hub publish --dir`, `hub demo` and the tests.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path

from hub.config import Settings, kafka_client_options
from hub.topics import ensure_topics, partner_topic
from simulator.publish import Progress, Record, publish_records
from simulator.replay import entries_until, load_records


def publish(settings: Settings, records: list[Record], *, rate: float | None = None, show_progress: bool = True) -> int:
    """Create the partner topics the records need (the broker never auto-creates), then send."""
    partners = sorted({r.partner for r in records})
    asyncio.run(ensure_topics(settings, partners, hub_topics=()))  # partner topics only: the gateway's right suffices
    # Right after a topic is created the broker answers "not leader" for a moment; the
    # producer retries by itself, so its warning about it is only noise on the terminal.
    logging.getLogger("aiokafka.producer.sender").setLevel(logging.ERROR)
    progress = Progress(len(records)) if show_progress else None
    return asyncio.run(publish_records(
        settings.kafka_bootstrap, records, lambda p: partner_topic(settings, p), total=len(records), rate=rate,
        progress=progress, security=kafka_client_options(settings),
    ))


def replay(directory: Path, settings: Settings, *, until: datetime | None = None, rate: float | None = None,
           show_progress: bool = True) -> int:
    """Publish the folder's messages up to `until`; returns how many were sent."""
    records = load_records(directory, entries_until(directory, until))
    if not records:
        return 0
    return publish(settings, records, rate=rate, show_progress=show_progress)
