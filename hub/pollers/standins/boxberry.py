"""A stand-in for Boxberry `ListStatuses` (docs/partners/boxberry.md#sources-and-api).

`GET /json.php?token=…&method=ListStatuses&ImId=…`: the parcel's statuses, or `{"err": …}` for
a parcel it does not know. A second request for one parcel within the hour is a violation.
A parcel's answer is a list of statuses (serialised here) or bytes served as they are (the
demo serves what the simulator generated: docs/pollers.md#in-the-demo).
"""

from __future__ import annotations

import json

from aiohttp import web

from hub.pollers.clock import Clock
from hub.pollers.limits import BOXBERRY
from hub.pollers.standins.serving import Recorded, Served

LABEL = "boxberry stand-in (not Boxberry)"  # how its logs and the demo name it


class BoxberryStandIn(Served):
    def __init__(self, clock: Clock, statuses: dict[str, list[dict] | bytes], *, token: str = "token") -> None:
        app = web.Application()
        app.router.add_get("/json.php", self._handle)
        super().__init__(app)
        self.clock, self.statuses, self.token = clock, statuses, token
        self.recorded = Recorded()
        self.last_asked: dict[str, float] = {}

    @property
    def endpoint(self) -> str:
        return self.url + "/json.php"

    async def _handle(self, request: web.Request) -> web.Response:
        now, track = self.clock.now(), request.query.get("ImId", "")
        self.recorded.requests.append((now, request.query.get("method", ""), track))
        if request.query.get("token") != self.token:
            return web.json_response({"err": "Ошибка авторизации"})
        last = self.last_asked.get(track)
        if last is not None and now < last + BOXBERRY.parcel_spacing:
            self.recorded.violations.append(f"{track} asked again {now - last:.0f} s after the previous ask")
        self.last_asked[track] = now
        if track not in self.statuses:
            return web.Response(body=json.dumps({"err": "Посылка не найдена"}, ensure_ascii=False).encode(),
                                content_type="application/json")
        answer = self.statuses[track]
        body = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
        return web.Response(body=body, content_type="application/json")
