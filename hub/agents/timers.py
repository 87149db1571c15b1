"""The worker's timers and long-running tasks: lag, the progress watchdog, automatic closes,
and the followers of hub.contracts and hub.control."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from aiokafka.errors import KafkaError

from hub import metrics, topics
from hub.agents.context import Wiring
from hub.config import kafka_client_options
from hub.kafka.offset_probe import first_offset_from
from hub.kafka.watchdog import ProgressWatchdog
from hub.logs import log
from hub.settlement.periods import close_command, period_due_for_close


def register(hub: Wiring) -> None:
    app, settings = hub.app, hub.settings
    partners = [p.id for p in hub.partners_by_topic.values()]

    @app.timer(interval=10.0, on_leader=True)
    async def measure_lag() -> None:
        # On the leader only: every worker measuring the whole group would count lag twice.
        from hub.kafka.caught_up import group_topics, lag_by_partition

        try:
            lag = await lag_by_partition(settings, group_topics(settings, partners))
        except (TimeoutError, KafkaError, OSError) as err:
            # A broker that just died stays in the metadata for a few seconds; a request sent
            # to it fails. The next tick measures again; a crash here would stop the worker.
            log.warning("lag_not_measured", error=repr(err))
            return
        for (topic, partition), value in lag.items():
            metrics.CONSUMER_LAG.labels(topic, str(partition)).set(value)

    async def probe(topic: str, partition: int, offset: int) -> int | None:
        return await first_offset_from(settings.kafka_bootstrap, kafka_client_options(settings), topic, partition, offset)

    watchdog = ProgressWatchdog(app, probe=probe)

    @app.timer(interval=max(1.0, settings.commit_interval))
    async def watch_progress() -> None:
        # Every worker, not only the leader: each watches the partitions it reads.
        await watchdog.check()

    @app.timer(interval=60.0, on_leader=True)
    async def close_periods_automatically() -> None:
        # HUB_AUTO_CLOSE=on: the quarter just ended is closed once the grace has passed.
        if settings.auto_close != "on":
            return
        now = datetime.now(timezone.utc)
        await hub.control.read_past(now)  # every close already published is known
        period = period_due_for_close(now, ZoneInfo(settings.assumed_zone), timedelta(hours=settings.auto_close_grace_hours), hub.control.closes)
        if period is not None:
            command = close_command(period, now)
            await hub.topics.control.send(key=period.encode(), value=json.dumps(command).encode())
            log.info("period_closed_automatically", period=period, cutoff=command["cutoff"])

    @app.task
    async def follow_contracts() -> None:
        await hub.contracts.follow(settings.kafka_bootstrap, topics.CONTRACTS.name(settings), security=kafka_client_options(settings))

    @app.task
    async def follow_control() -> None:
        await hub.control.follow(settings.kafka_bootstrap, topics.CONTROL.name(settings), security=kafka_client_options(settings))
