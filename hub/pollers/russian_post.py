"""Russian Post's asker: open tickets for due barcodes, collect each answer when the rules allow.

An open ticket is remembered (poller-state topic) before anything else happens, so a poller
killed between `getTicket` and the answer asks the same ticket after a restart.
"""

from __future__ import annotations

from hub.logs import log
from hub.pollers import tickets
from hub.pollers.answers import Outcome
from hub.pollers.parcels import Parcel
from hub.pollers.russian_post_client import RussianPostClient
from hub.pollers.schedule import after_answer
from hub.pollers.service import Poll
from schemas.identifiers import Scheme


class RussianPostAsker:
    partner = "russian_post"
    schemes = (Scheme.S10, Scheme.RP)
    min_spacing = 0.0  # a barcode is in one open ticket at a time; the tickets carry the spacing

    def __init__(self, client: RussianPostClient) -> None:
        self.client = client

    async def ask(self, poll: Poll, due: list[Parcel]) -> None:
        # Barcodes in a ticket at the start of the pass wait for the next pass, even if their
        # ticket is answered or gone now: their schedule decides then.
        waiting = {i for t in poll.state.tickets.values() for i in t.identifiers}
        await self._collect_answers(poll)
        await self._open_tickets(poll, [p for p in due if p.identifier not in waiting])

    async def _collect_answers(self, poll: Poll) -> None:
        limits = self.client.limits
        for ticket in sorted(poll.state.tickets.values(), key=lambda t: t.issued_at):
            now = poll.clock.now()
            if tickets.expired(ticket, now, limits):
                log.warning("ticket_expired", partner=poll.partner, ticket=ticket.ticket, barcodes=len(ticket.identifiers))
                await poll.remember_ticket(ticket.ticket, None)  # its barcodes are due again: a new ticket
                continue
            if now < ticket.next_ask_at:
                continue
            answer = poll.counted("getResponseByTicket", await self.client.get_answer(ticket))
            if answer.publish:
                await poll.publish(answer)
            if answer.outcome is Outcome.ANSWERED:
                asked_at = poll.clock.now()
                await poll.remember_parcels({i: after_answer(poll.parcel(i), asked_at) for i in ticket.identifiers})
                await poll.remember_ticket(ticket.ticket, None)
                log.info("ticket_answered", partner=poll.partner, ticket=ticket.ticket, barcodes=len(ticket.identifiers),
                         waited_s=round(asked_at - ticket.issued_at))
            elif answer.outcome is Outcome.EXPIRED:
                log.warning("ticket_expired", partner=poll.partner, ticket=ticket.ticket, barcodes=len(ticket.identifiers))
                await poll.remember_ticket(ticket.ticket, None)
            else:  # not ready, or no usable answer: again no sooner than the spacing allows
                await poll.remember_ticket(ticket.ticket, tickets.asked_again_later(ticket, poll.clock.now(), limits))

    async def _open_tickets(self, poll: Poll, due: list[Parcel]) -> None:
        waiting = {i for t in poll.state.tickets.values() for i in t.identifiers}
        todo = [p for p in due if p.identifier not in waiting]
        size = self.client.limits.barcodes_per_ticket_used
        for start in range(0, len(todo), size):
            if poll.backing_off():
                return
            chunk = todo[start:start + size]
            answer = poll.counted("getTicket", await self.client.get_ticket([p.value for p in chunk]))
            if answer.outcome is not Outcome.ANSWERED or answer.ticket is None:
                return
            ticket = tickets.issued(answer.ticket, [p.identifier for p in chunk], poll.clock.now(), self.client.limits)
            await poll.remember_ticket(ticket.ticket, ticket)
            log.info("ticket_opened", partner=poll.partner, ticket=ticket.ticket, barcodes=len(chunk))
