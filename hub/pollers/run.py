"""Running pollers as a process: one task per partner, state loaded first, Kafka clients closed at the end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from hub.config import Settings
from hub.pollers.build import REQUEST_TIMEOUT, close, kafka_service
from hub.pollers.clock import Clock
from hub.pollers.credentials import load_credentials


async def run_pollers(partners: list[str], settings: Settings, clock: Clock, *, passes: int | None = None) -> None:
    """Poll each partner (credentials checked for all before any starts); `passes`: stop after that many."""
    secrets = Path(settings.gateway_secrets) if settings.gateway_secrets else None
    credentials = {p: load_credentials(secrets, p) for p in partners}
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
        services = [kafka_service(p, settings, session, credentials[p], clock) for p in partners]
        try:
            await asyncio.gather(*(s.run(settings.poll_every, passes) for s in services))
        finally:
            for service in services:
                await close(service)
