"""Boxberry's asker: one `ListStatuses` per due parcel, published with its `hub-subject` (the list does not name it)."""

from __future__ import annotations

from hub.pollers.answers import Outcome
from hub.pollers.boxberry_client import BoxberryClient
from hub.pollers.limits import BOXBERRY, FAILURE_BACKOFF, FAILURE_BACKOFF_CAP
from hub.pollers.parcels import Parcel
from hub.pollers.schedule import after_answer, after_failure
from hub.pollers.service import Poll
from schemas.identifiers import Scheme


class BoxberryAsker:
    partner = "boxberry"
    schemes = (Scheme.BOXBERRY,)
    min_spacing = BOXBERRY.parcel_spacing

    def __init__(self, client: BoxberryClient) -> None:
        self.client = client

    async def ask(self, poll: Poll, due: list[Parcel]) -> None:
        for parcel in due:
            if poll.backing_off():
                return
            state = poll.parcel(parcel.identifier)
            if state.last_request_at is not None:  # after a restart, the client learns what the state knows
                self.client.last_requests.setdefault(parcel.value, state.last_request_at)
            answer = poll.counted("ListStatuses", await self.client.list_statuses(parcel.value))
            if answer.publish:
                await poll.publish(answer, subject=parcel.identifier)
            now = poll.clock.now()
            if answer.outcome is Outcome.ANSWERED:
                await poll.remember_parcels({parcel.identifier: after_answer(state, now)})
            else:
                await poll.remember_parcels({parcel.identifier: after_failure(state, now, FAILURE_BACKOFF, FAILURE_BACKOFF_CAP)})
