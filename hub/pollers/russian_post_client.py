"""Russian Post batch access (SOAP 1.1 at /fc): `getTicket`, then `getResponseByTicket`.

Requests as in the specification's examples (docs/partners/russian-post.md#batch-access):
`ticketRequest` with `Item Barcode` elements, `answerByTicketRequest` with the ticket; login
and password travel in the body. The client refuses a ticket over the limit and an answer
asked sooner than the ticket allows (`TooSoon`).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import aiohttp

from adapters._shared.safe_xml import load_xml, local_name
from adapters.base import AdapterError
from hub.pollers.answers import Answer, Outcome, TooSoon
from hub.pollers.clock import Clock
from hub.pollers.credentials import PartnerCredentials
from hub.pollers.limits import RUSSIAN_POST, RussianPostLimits
from hub.pollers.tickets import Ticket

ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:pos="http://fclient.russianpost.org/postserver" xmlns:fcl="http://fclient.russianpost.org">'
    "<soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
)
NOT_READY, EXPIRED = "6", "17"


def ticket_request(barcodes: list[str], login: str, password: str) -> bytes:
    items = "".join(f"<fcl:Item Barcode={quoteattr(b)}/>" for b in barcodes)
    body = (f"<pos:ticketRequest><request>{items}</request><login>{escape(login)}</login>"
            f"<password>{escape(password)}</password><language>RUS</language></pos:ticketRequest>")
    return ENVELOPE.format(body=body).encode()


def answer_request(ticket: str, login: str, password: str) -> bytes:
    body = (f"<pos:answerByTicketRequest><ticket>{escape(ticket)}</ticket><login>{escape(login)}</login>"
            f"<password>{escape(password)}</password></pos:answerByTicketRequest>")
    return ENVELOPE.format(body=body).encode()


def read_ticket_answer(body: bytes) -> Answer:
    """`ticketResponse`: the ticket in `value`, or an `error`."""
    try:
        root = load_xml(body)
    except AdapterError as err:
        return Answer(Outcome.MALFORMED, body, str(err)[:200])
    for element in root.iter():
        name = local_name(element)
        if name == "Fault":
            return Answer(Outcome.PARTNER_ERROR, body, "SOAP fault")
        if name.lower() == "error":
            return Answer(Outcome.PARTNER_ERROR, body, f"error {element.get('ErrorTypeID')}")
        if name == "value" and (element.text or "").strip():
            return Answer(Outcome.ANSWERED, body, ticket=element.text.strip())  # type: ignore[union-attr]
    return Answer(Outcome.MALFORMED, body, "ticketResponse without value")


def read_batch_answer(body: bytes) -> Answer:
    """`answerByTicketResponse`: Items (published), or a whole-answer error: 6 not ready, 17 expired."""
    try:
        root = load_xml(body)
    except AdapterError as err:
        return Answer(Outcome.MALFORMED, body, str(err)[:200], publish=True)
    response = next((e for e in root.iter() if local_name(e) == "answerByTicketResponse"), None)
    if response is None:
        fault = any(local_name(e) == "Fault" for e in root.iter())
        return Answer(Outcome.PARTNER_ERROR if fault else Outcome.MALFORMED, body,
                      "SOAP fault" if fault else "no answerByTicketResponse", publish=not fault)
    for child in response:
        if local_name(child).lower() == "error":
            code = (child.get("ErrorTypeID") or "").strip()
            outcome = {NOT_READY: Outcome.NOT_READY, EXPIRED: Outcome.EXPIRED}.get(code, Outcome.PARTNER_ERROR)
            return Answer(outcome, body, f"error {code}")
    if any(local_name(e) == "Item" for e in response.iter()):
        return Answer(Outcome.ANSWERED, body, publish=True)
    return Answer(Outcome.MALFORMED, body, "answer without Item", publish=True)


class RussianPostClient:
    def __init__(self, session: aiohttp.ClientSession, credentials: PartnerCredentials, clock: Clock,
                 limits: RussianPostLimits = RUSSIAN_POST) -> None:
        self._session, self._credentials, self._clock, self.limits = session, credentials, clock, limits

    async def get_ticket(self, barcodes: list[str]) -> Answer:
        if not 1 <= len(barcodes) <= self.limits.barcodes_per_ticket:
            raise ValueError(f"a ticket takes 1 to {self.limits.barcodes_per_ticket} barcodes, not {len(barcodes)}")
        return await self._call("getTicket", ticket_request(barcodes, self._credentials.login, self._credentials.password),
                                read_ticket_answer)

    async def get_answer(self, ticket: Ticket) -> Answer:
        if self._clock.now() < ticket.next_ask_at:
            raise TooSoon(f"ticket {ticket.ticket} may be asked at {ticket.next_ask_at}, not {self._clock.now()}")
        return await self._call("getResponseByTicket",
                                answer_request(ticket.ticket, self._credentials.login, self._credentials.password),
                                read_batch_answer)

    async def _call(self, action: str, request: bytes, read) -> Answer:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action}
        try:
            async with self._session.post(self._credentials.url, data=request, headers=headers) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            return Answer(Outcome.UNREACHABLE, detail=type(err).__name__)
        if status == 200 or (status == 500 and b"Fault" in body):  # SOAP 1.1 sends faults with 500
            return read(body)
        return Answer(Outcome.RATE_LIMITED if status == 429 else Outcome.HTTP_ERROR, body, f"HTTP {status}")
