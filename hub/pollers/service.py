"""One poller's pass, in order: read the parcels still moving, pick the due ones, let the
partner's asker ask within its limits, publish the answers, remember what was asked.

The asker is the only partner-specific part (`russian_post.py`, `wildberries.py`,
`boxberry.py`); time comes from the injected clock, state from the `StateStore`, answers go
to the `AnswerSink`. Nothing is remembered as asked before its answer was acknowledged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from hub.logs import log
from hub.pollers import metrics
from hub.pollers.answers import Answer
from hub.pollers.clock import Clock
from hub.pollers.limits import FAILURE_BACKOFF, FAILURE_BACKOFF_CAP
from hub.pollers.parcels import Parcel, latest_timelines, parcels_to_ask
from hub.pollers.schedule import ParcelState, due_at
from hub.pollers.sink import AnswerSink, answer_headers
from hub.pollers.state import PollerState, StateStore, parcel_key, ticket_key
from hub.pollers.tickets import Ticket
from schemas.identifiers import Scheme


class ParcelSource(Protocol):
    async def parcels(self, schemes: tuple[Scheme, ...]) -> list[Parcel]: ...


class TimelineSource:
    """The compacted `hub.timelines` topic, read whole on every pass."""

    def __init__(self, bootstrap: str, topic: str, security: Mapping[str, object] | None = None) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.security = dict(security or {})  # hub.config.kafka_client_options

    async def parcels(self, schemes: tuple[Scheme, ...]) -> list[Parcel]:
        from hub.kafka.topic_reader import read_all

        return parcels_to_ask(latest_timelines(await read_all(self.bootstrap, self.topic, security=self.security)).values(), schemes)


@dataclass
class Poll:
    """What an asker works with during a pass: the clock, the state, and the two writes."""

    partner: str
    clock: Clock
    store: StateStore
    sink: AnswerSink
    state: PollerState = field(default_factory=PollerState)
    failures: int = 0  # failed requests in a row, partner-wide
    backoff_until: float = 0.0

    def parcel(self, identifier: str) -> ParcelState:
        return self.state.parcels.get(identifier, ParcelState())

    def backing_off(self) -> bool:
        return self.clock.now() < self.backoff_until

    def counted(self, method: str, answer: Answer) -> Answer:
        """Count the request. No answer at all (429, 5xx, no connection) backs the whole partner
        off, doubling; any readable answer resets that. Errors about one parcel are its own."""
        metrics.REQUESTS.labels(self.partner, method, answer.outcome.value).inc()
        now = self.clock.now()
        if answer.unanswered:
            self.failures += 1
            self.backoff_until = now + min(FAILURE_BACKOFF_CAP, FAILURE_BACKOFF * 2 ** (self.failures - 1))
        else:
            self.failures, self.backoff_until = 0, 0.0
            metrics.LAST_SUCCESS.labels(self.partner).set(now)
        if answer.failed:
            log.warning("partner_request_failed", partner=self.partner, method=method, outcome=answer.outcome.value,
                        detail=answer.detail, failures=self.failures)
        return answer

    async def publish(self, answer: Answer, subject: str | None = None) -> None:
        """The answer's bytes, raw, to the partner topic; returns once the broker acknowledged them."""
        await self.sink.publish(answer.body, answer_headers(self.partner, subject))
        metrics.PUBLISHED.labels(self.partner).inc()
        log.info("answer_published", partner=self.partner, outcome=answer.outcome.value, bytes=len(answer.body), subject=subject)

    async def remember_parcels(self, states: dict[str, ParcelState]) -> None:
        await self.store.save({parcel_key(self.partner, i): s.to_json() for i, s in states.items()})
        self.state.parcels.update(states)

    async def remember_ticket(self, name: str, ticket: Ticket | None) -> None:
        await self.store.save({ticket_key(self.partner, name): None if ticket is None else ticket.to_json()})
        if ticket is None:
            self.state.tickets.pop(name, None)
        else:
            self.state.tickets[name] = ticket


class Asker(Protocol):
    partner: str
    schemes: tuple[Scheme, ...]
    min_spacing: float  # never ask about one parcel more often than this

    async def ask(self, poll: Poll, due: list[Parcel]) -> None: ...


class PollerService:
    def __init__(self, asker: Asker, source: ParcelSource, store: StateStore, sink: AnswerSink, clock: Clock) -> None:
        self.asker, self.source, self.clock = asker, source, clock
        self.poll = Poll(asker.partner, clock, store, sink)
        self._loaded = False

    async def load(self) -> None:
        self.poll.state = await self.poll.store.load(self.asker.partner)
        self._loaded = True
        log.info("poller_state_loaded", partner=self.asker.partner, parcels=len(self.poll.state.parcels),
                 tickets=len(self.poll.state.tickets))

    async def pass_once(self) -> list[Parcel]:
        """One pass; returns the parcels that were due."""
        if not self._loaded:
            await self.load()
        partner, now = self.asker.partner, self.clock.now()
        parcels = await self.source.parcels(self.asker.schemes)
        due_times = {p.identifier: due_at(self.poll.parcel(p.identifier), p.last_movement_at, now,
                                          min_spacing=self.asker.min_spacing) for p in parcels}
        due = [p for p in parcels if due_times[p.identifier] <= now]
        metrics.PARCELS_WATCHED.labels(partner).set(len(parcels))
        metrics.PARCELS_DUE.labels(partner).set(len(due))
        metrics.OLDEST_OVERDUE.labels(partner).set(max((now - due_times[p.identifier] for p in due), default=0.0))
        await self.asker.ask(self.poll, due)
        tickets = self.poll.state.tickets.values()
        metrics.OPEN_TICKETS.labels(partner).set(len(tickets))
        metrics.OLDEST_TICKET_AGE.labels(partner).set(max((self.clock.now() - t.issued_at for t in tickets), default=0.0))
        log.info("poll_pass_finished", partner=partner, parcels=len(parcels), due=len(due), open_tickets=len(tickets))
        return due

    async def run(self, every: float, passes: int | None = None) -> None:
        """Pass after pass, `every` seconds apart on the clock (until cancelled, or `passes` done)."""
        done = 0
        while passes is None or done < passes:
            await self.pass_once()
            done += 1
            if passes is None or done < passes:
                await self.clock.sleep(every)
            await asyncio.sleep(0)
