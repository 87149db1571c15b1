"""Serving a stand-in on 127.0.0.1 on a free port, and what every stand-in records."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Recorded:
    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (clock time, method, what was asked)
    violations: list[str] = field(default_factory=list)


class Served:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, port: int = 0) -> str:
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{bound}"
        return self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
