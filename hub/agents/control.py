"""control: hub.control → every partition of hub.turnover, where statements live: a close must reach them all."""

from __future__ import annotations

import json

import faust

from hub.agents.context import Wiring
from hub.logs import log


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.control, name="control", concurrency=1)
    async def control_agent(stream: faust.StreamT) -> None:
        async for value in stream:
            command = json.loads(value)
            if command.get("kind") != "close_period":
                log.warning("control_command_ignored", kind=command.get("kind"))
                continue
            for partition in range(hub.settings.partitions):
                await hub.topics.turnover.send(key=f"close|{command['period']}".encode(), value=value, partition=partition)
            log.info("period_close_requested", period=command["period"], cutoff=command["cutoff"])
