"""Wildberries' asker: the due assembly tasks, up to 1,000 ids a request, paced by the client's bucket."""

from __future__ import annotations

from hub.pollers.answers import Outcome
from hub.pollers.limits import FAILURE_BACKOFF, FAILURE_BACKOFF_CAP
from hub.pollers.parcels import Parcel
from hub.pollers.schedule import after_answer, after_failure
from hub.pollers.service import Poll
from hub.pollers.wildberries_client import WildberriesClient
from schemas.identifiers import Scheme


class WildberriesAsker:
    partner = "wildberries"
    schemes = (Scheme.WB_TASK,)
    min_spacing = 0.0

    def __init__(self, client: WildberriesClient) -> None:
        self.client = client

    async def ask(self, poll: Poll, due: list[Parcel]) -> None:
        size = self.client.limits.ids_per_request
        for start in range(0, len(due), size):
            if poll.backing_off():
                return
            chunk = due[start:start + size]
            answer = poll.counted("orders/status", await self.client.statuses([int(p.value) for p in chunk]))
            if answer.publish:
                await poll.publish(answer)
            now = poll.clock.now()
            if answer.outcome is Outcome.ANSWERED:
                await poll.remember_parcels({p.identifier: after_answer(poll.parcel(p.identifier), now) for p in chunk})
            else:
                await poll.remember_parcels({
                    p.identifier: after_failure(poll.parcel(p.identifier), now, FAILURE_BACKOFF, FAILURE_BACKOFF_CAP)
                    for p in chunk
                })
