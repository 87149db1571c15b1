"""Boxberry `ListStatuses` (docs/partners/boxberry.md#sources-and-api): one parcel a request, at most hourly per parcel.

The token is a query parameter, so the URL is never logged. The client refuses a request for
a parcel asked less than an hour ago (`TooSoon`), whatever the caller's schedule says.
"""

from __future__ import annotations

import json

import aiohttp

from hub.pollers.answers import Answer, Outcome, TooSoon
from hub.pollers.clock import Clock
from hub.pollers.credentials import PartnerCredentials
from hub.pollers.limits import BOXBERRY, BoxberryLimits


def read_status_list(body: bytes) -> Answer:
    """A list of statuses; `{"err": …}` or `{"error": true, …}` is Boxberry's error answer.

    A `ListStatusesFull` document (its `statuses` list beside the parcel's details) is an answer
    too: the adapter reads both shapes, and the demo's stand-in serves whichever the simulator
    rendered for a parcel (docs/pollers.md#in-the-demo).
    """
    try:
        document = json.loads(body)
    except ValueError:
        return Answer(Outcome.MALFORMED, body, "not JSON", publish=True)
    if isinstance(document, list) and all(isinstance(item, dict) for item in document):
        if document and all("err" in item or item.get("error") is True for item in document):
            return Answer(Outcome.PARTNER_ERROR, body, "error answer", publish=True)
        return Answer(Outcome.ANSWERED, body, publish=True)
    if isinstance(document, dict) and ("err" in document or document.get("error") is True):
        return Answer(Outcome.PARTNER_ERROR, body, "error answer", publish=True)
    if isinstance(document, dict) and isinstance(document.get("statuses"), list):
        return Answer(Outcome.ANSWERED, body, publish=True)
    return Answer(Outcome.MALFORMED, body, "not a status list", publish=True)


class BoxberryClient:
    def __init__(self, session: aiohttp.ClientSession, credentials: PartnerCredentials, clock: Clock,
                 limits: BoxberryLimits = BOXBERRY, last_requests: dict[str, float] | None = None) -> None:
        self._session, self._credentials, self._clock, self.limits = session, credentials, clock, limits
        # track → the time of its last request; seeded from the poller's state after a restart.
        self.last_requests = dict(last_requests or {})

    async def list_statuses(self, track: str) -> Answer:
        now = self._clock.now()
        last = self.last_requests.get(track)
        if last is not None and now < last + self.limits.parcel_spacing:
            raise TooSoon(f"{track} was asked at {last}; next at {last + self.limits.parcel_spacing}")
        self.last_requests[track] = now
        params = {"token": self._credentials.token, "method": "ListStatuses", "ImId": track}
        try:
            async with self._session.get(self._credentials.url, params=params) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            return Answer(Outcome.UNREACHABLE, detail=type(err).__name__)
        if status == 200:
            return read_status_list(body)
        return Answer(Outcome.RATE_LIMITED if status == 429 else Outcome.HTTP_ERROR, body, f"HTTP {status}")
