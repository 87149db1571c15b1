"""Simulated partners pushing over HTTP, as Ozon and CDEK do: each message POSTed to the URL the
partner was given, one at a time and in order, and the answer kept.

The simulator's only module that speaks HTTP; the URLs (with their path tokens) come from the
caller, as a partner is configured with a receiver's URL, so nothing here knows the hub.
`hub demo` sends Ozon's pushes and CDEK's webhooks this way, through `hub gateway`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from simulator.formats.ozon import ping_payload
from simulator.publish import Record

TIMEOUT_SECONDS = 10.0  # above Ozon's 5 s: a slow answer is seen as slow, not as a failure


@dataclass(frozen=True)
class Answer:
    partner: str
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    body: bytes


@dataclass
class PartnerPush:
    """Pushes records of the partners in `urls` (partner id → URL) whose messages are pushes."""

    urls: dict[str, str]
    answers: list[Answer] = field(default_factory=list)
    _session: object = field(default=None, repr=False)

    async def __aenter__(self) -> PartnerPush:
        import aiohttp

        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._session.close()  # type: ignore[attr-defined]

    async def divert(self, record: Record) -> bool:
        """Push `record` if its partner pushes it (for simulator.publish.publish_records); True if pushed."""
        if not record.pushed or record.partner not in self.urls:
            return False
        await self.push(record.partner, record.payload)
        return True

    async def ping_ozon(self, now: datetime | None = None) -> Answer:
        """Ozon's first request to a newly registered receiver: TYPE_PING with the current time."""
        return await self.push("ozon", ping_payload(now or datetime.now(timezone.utc)))

    async def push(self, partner: str, payload: bytes) -> Answer:
        import aiohttp

        try:
            async with self._session.post(  # type: ignore[attr-defined]
                self.urls[partner], data=payload, headers={"Content-Type": "application/json"},
            ) as response:
                answer = Answer(partner, response.status, await response.read())
        except (aiohttp.ClientError, TimeoutError) as err:
            answer = Answer(partner, None, type(err).__name__.encode())
        self.answers.append(answer)
        return answer
