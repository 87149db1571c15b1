"""A stand-in for Russian Post batch access (SOAP 1.1), from the specification (docs/partners/russian-post.md#batch-access).

`getTicket` issues a ticket `YYYYMMDDHHmmsslllNAME`; `getResponseByTicket` answers error 6
until `ready_after` (15 minutes) of the clock has passed since the ticket, the `Item`s once
ready, and error 17 once `kept_for` (32 hours) has passed. An answer asked sooner than 15
minutes after the ticket, or sooner than 15 minutes after the previous ask, is a violation;
so is a ticket of more than 3000 barcodes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from adapters._shared.safe_xml import load_xml, local_name
from hub.pollers.clock import Clock
from hub.pollers.limits import RUSSIAN_POST
from hub.pollers.standins.serving import Recorded, Served

RESPONSE = (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    '<ns2:{name} xmlns:ns2="http://fclient.russianpost.org/postserver" xmlns:ns3="http://fclient.russianpost.org">'
    "{inner}</ns2:{name}></S:Body></S:Envelope>"
)
# (OperTypeID, OperCtgID, OperName, DateOper, IndexOper) of one operation.
Operation = tuple[str, str, str, str, str]


def error(code: int, name: str) -> str:
    return f"<error ErrorTypeID=\"{code}\" ErrorName={quoteattr(name)}/>"


class RussianPostStandIn(Served):
    def __init__(self, clock: Clock, operations: dict[str, list[Operation]], *, login: str = "login",
                 password: str = "password", ready_after: float = RUSSIAN_POST.first_answer_after,
                 kept_for: float = RUSSIAN_POST.ticket_kept) -> None:
        app = web.Application()
        app.router.add_post("/fc", self._handle)
        super().__init__(app)
        self.clock, self.operations = clock, operations
        self.login, self.password, self.ready_after, self.kept_for = login, password, ready_after, kept_for
        self.recorded = Recorded()
        self.tickets: dict[str, tuple[float, list[str]]] = {}  # ticket → (issued at, barcodes)
        self.last_ask: dict[str, float] = {}

    @property
    def endpoint(self) -> str:
        return self.url + "/fc"

    async def _handle(self, request: web.Request) -> web.Response:
        root = load_xml(await request.read())
        call = next((e for e in root.iter() if local_name(e) in ("ticketRequest", "answerByTicketRequest")), None)
        if call is None:
            return self._soap("ticketResponse", error(2, "Неверный формат запроса"))
        fields = {local_name(e): (e.text or "").strip() for e in call}
        if fields.get("login") != self.login or fields.get("password") != self.password:
            return self._soap(f"{'ticket' if local_name(call) == 'ticketRequest' else 'answerByTicket'}Response",
                              error(3, "Ошибка авторизации"))
        if local_name(call) == "ticketRequest":
            return self._ticket([e.get("Barcode", "") for e in call.iter() if local_name(e) == "Item"])
        return self._answer(fields.get("ticket", ""))

    def _ticket(self, barcodes: list[str]) -> web.Response:
        now = self.clock.now()
        self.recorded.requests.append((now, "getTicket", ",".join(barcodes)))
        if len(barcodes) > RUSSIAN_POST.barcodes_per_ticket:
            self.recorded.violations.append(f"ticket of {len(barcodes)} barcodes")
        moment = datetime.fromtimestamp(now, UTC)
        ticket = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}{self.login.upper()}"
        while ticket in self.tickets:
            ticket += "X"
        self.tickets[ticket] = (now, barcodes)
        return self._soap("ticketResponse", f"<value>{escape(ticket)}</value>")

    def _answer(self, ticket: str) -> web.Response:
        now = self.clock.now()
        self.recorded.requests.append((now, "getResponseByTicket", ticket))
        if ticket not in self.tickets:
            return self._soap("answerByTicketResponse", error(2, "Тикет не найден"))
        issued_at, barcodes = self.tickets[ticket]
        if now < issued_at + RUSSIAN_POST.first_answer_after:
            self.recorded.violations.append(f"{ticket} asked {now - issued_at:.0f} s after it was issued")
        last = self.last_ask.get(ticket)
        if last is not None and now < last + RUSSIAN_POST.answer_spacing:
            self.recorded.violations.append(f"{ticket} asked again {now - last:.0f} s after the previous ask")
        self.last_ask[ticket] = now
        if now >= issued_at + self.kept_for:
            return self._soap("answerByTicketResponse", error(17, "Срок хранения ответа по тикету истек"))
        if now < issued_at + self.ready_after:
            return self._soap("answerByTicketResponse", error(6, "Ответ для выбранного тикета еще не готов"))
        prepared = datetime.fromtimestamp(now, UTC).strftime("%d.%m.%Y %H:%M:%S")
        items = "".join(self._item(b) for b in barcodes)
        value = f'<value FileName="" FileTypeID="2" FileNumber="1" RecipientID="1" DatePreparation="{prepared}">{items}</value>'
        return self._soap("answerByTicketResponse", value)

    def _item(self, barcode: str) -> str:
        operations = self.operations.get(barcode)
        if not operations:
            return f"<ns3:Item Barcode={quoteattr(barcode)}><ns3:Error ErrorTypeID=\"12\" ErrorName=\"Сообщение не найдено\"/></ns3:Item>"
        rows = "".join(
            f"<ns3:Operation OperTypeID={quoteattr(t)} OperCtgID={quoteattr(c)} OperName={quoteattr(n)}"
            f" DateOper={quoteattr(d)} IndexOper={quoteattr(i)}/>" for t, c, n, d, i in operations
        )
        return f"<ns3:Item Barcode={quoteattr(barcode)}>{rows}</ns3:Item>"

    @staticmethod
    def _soap(name: str, inner: str) -> web.Response:
        return web.Response(body=RESPONSE.format(name=name, inner=inner).encode(), content_type="text/xml", charset="utf-8")
