"""Russian Post tracking (docs/partners/russian-post.md) in its three formats, shaped like the fixtures:
- single access `getOperationHistory` (SOAP 1.2, `historyRecord`s with offsets): a polled
  history of one item; a renumbered item (8.26) shows both barcodes in one history;
- batch `answerByTicket` (local times without offset, one `Item` per barcode): a daily answer
  for every batch-polled item that moved that day, sometimes with an item Russian Post does
  not know ("Сообщение не найдено", error 12), which makes the answer partial;
- cash on delivery `PostalOrderEventsForMail`: money-order events that do not name their
  parcel, so the publisher names it in the hub-subject header.
Step codes are `OperType.OperAttr` ("8.2"; "9.0" for a type without attributes)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from simulator.clock import MOSCOW, hours, iso_offset, wall
from simulator.formats import message, snapshots, unknown_codes, xml
from simulator.model import Expected, Message, Step, Track
from simulator.numbers import Numbers

# docs/partners/russian-post.md#operation-codes: names of the operation types and attributes the simulator uses.
TYPE_NAMES: dict[str, str] = {
    "1": "Прием", "2": "Вручение", "3": "Возврат", "5": "Невручение", "8": "Обработка",
    "9": "Импорт международной почты", "10": "Экспорт международной почты", "11": "Прием на таможню",
    "12": "Неудачная попытка вручения", "14": "Таможенное оформление",
    # Undocumented types (the docs list 1–52) that the unknown-code fault injects.
    "60": "Передача партнёру", "61": "Уточнение маршрута",
}
ATTRIBUTE_NAMES: dict[str, str] = {
    "1.1": "Единичный", "2.1": "Вручение адресату", "2.2": "Вручение отправителю", "2.8": "Адресату курьером",
    "3.1": "Истек срок хранения", "3.7": "Отказ в выпуске таможней", "5.1": "Утрачено",
    "8.1": "Покинуло место приёма", "8.2": "Прибыло в место вручения", "8.3": "Прибыло в сортировочный центр",
    "8.4": "Покинуло сортировочный центр", "8.5": "Прибыло в место международного обмена",
    "8.6": "Покинуло место международного обмена", "8.15": "Передано курьеру (водителю)",
    "8.24": "Направлено извещение", "8.26": "Зарегистрировано с новым номером",
    "8.28": "Истекает срок хранения (осталось 5 дней)", "8.40": "Истек срок хранения",
    "12.1": "Временное отсутствие адресата", "14.1": "Выпущено таможней", "14.4": "Отказ в выпуске",
    "14.8": "Выпуск приостановлен", "14.13": "Выпуск разрешен. Таможенные платежи уплачены",
    "60.1": "Постамат партнёра", "61.2": "Автоматически",
}
UNDOCUMENTED: tuple[str, ...] = ("60.1", "61.2")
COD_EVENT_NAMES = {"1": "Приём", "3": "Оплата"}

_SINGLE_NS = {
    "xmlns:ns2": "http://russianpost.org/sms-info/data",
    "xmlns:ns3": "http://russianpost.org/operationhistory/data",
    "xmlns:ns4": "http://schemas.xmlsoap.org/soap/envelope/",
    "xmlns:ns5": "http://www.russianpost.org/custom-duty-info/data",
    "xmlns:ns6": "http://www.russianpost.org/RTM/DataExchangeESPP/Data",
    "xmlns:ns7": "http://russianpost.org/operationhistory",
}
_RUSSIA = ("643", "RU", "RUS", "Российская Федерация", "Russian Federation")
_CHINA = ("156", "CN", "CHN", "Китай", "China")


def split_code(code: str) -> tuple[str, str]:
    oper_type, _, attr = code.partition(".")
    return oper_type, attr or "0"


# --- single access ------------------------------------------------------------------


def single_messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    for at, known in snapshots(track, rng, chance=0.55, lag_hours=(0.5, 8)):
        payload = _history(track.info, known)
        out.append(message(track, at, payload, "xml", unknown=unknown_codes(known), links=track.links, steps=known))
    return out


def _history(info: dict, steps: list[Step]) -> bytes:
    records = [_record(info, step) for step in steps]
    envelope = (
        "S:Envelope", {"xmlns:S": "http://www.w3.org/2003/05/soap-envelope"}, [
            ("S:Body", [
                ("ns7:getOperationHistoryResponse", _SINGLE_NS, [
                    ("ns3:OperationHistoryData", records),
                ]),
            ]),
        ],
    )
    return (xml(envelope) + "\n").encode("utf-8")


def _country(tag: str, country: tuple[str, str, str, str, str]) -> tuple:
    number, alpha2, alpha3, name_ru, name_en = country
    return (tag, [("ns3:Id", number), ("ns3:Code2A", alpha2), ("ns3:Code3A", alpha3),
                  ("ns3:NameRU", name_ru), ("ns3:NameEN", name_en)])


def _record(info: dict, step: Step) -> tuple:
    postcode, description, zone = step.data["office"]
    address = []
    if info.get("destination"):
        postcode_to, description_to = info["destination"]
        address.append(("ns3:DestinationAddress", [("ns3:Index", postcode_to), ("ns3:Description", description_to)]))
    address.append(("ns3:OperationAddress", [("ns3:Index", postcode), ("ns3:Description", description)]))
    address.append(_country("ns3:MailDirect", _RUSSIA))
    if info.get("international"):
        address.append(_country("ns3:CountryFrom", _CHINA))
    address.append(_country("ns3:CountryOper", _RUSSIA))
    children: list[tuple] = [("ns3:AddressParameters", address)]
    if step.data.get("finance") or step.data.get("duty"):
        finance = [
            ("ns3:Payment", str(info.get("cod_kopecks", 0))),
            ("ns3:Value", str(info.get("value_kopecks", 0))),
            ("ns3:MassRate", str(info.get("mass_rate", 0) if step.data.get("finance") else 0)),
            ("ns3:InsrRate", str(info.get("insurance", 0) if step.data.get("finance") else 0)),
            ("ns3:AirRate", "0"),
            ("ns3:Rate", "0"),
        ]
        if step.data.get("duty"):
            finance.append(("ns3:CustomDuty", str(step.data["duty"])))
        children.append(("ns3:FinanceParameters", finance))
    barcode = step.data.get("barcode", info["barcode"])
    mail_type, mail_ctg = info["mail_type"], info["mail_ctg"]
    children.append(("ns3:ItemParameters", [
        ("ns3:Barcode", barcode),
        ("ns3:ValidRuType", "true" if len(barcode) == 14 else "false"),
        ("ns3:ValidEnType", "true" if len(barcode) == 13 else "false"),
        ("ns3:MailRank", [("ns3:Id", "0"), ("ns3:Name", "Без разряда")]),
        ("ns3:PostMark", [("ns3:Id", "0"), ("ns3:Name", "Без отметки")]),
        ("ns3:MailType", [("ns3:Id", mail_type[0]), ("ns3:Name", mail_type[1])]),
        ("ns3:MailCtg", [("ns3:Id", mail_ctg[0]), ("ns3:Name", mail_ctg[1])]),
        ("ns3:Mass", str(info["mass"])),
    ]))
    oper_type, attr = split_code(step.code)
    children.append(("ns3:OperationParameters", [
        ("ns3:OperType", [("ns3:Id", oper_type), ("ns3:Name", TYPE_NAMES[oper_type])]),
        ("ns3:OperAttr", [("ns3:Id", attr), ("ns3:Name", ATTRIBUTE_NAMES.get(step.code, ""))]),
        ("ns3:OperDate", iso_offset(step.at, zone, millis=True)),
    ]))
    children.append(("ns3:UserParameters", [
        ("ns3:SendCtg", [("ns3:Id", "1"), ("ns3:Name", "Население")]),
        ("ns3:Sndr", info["sender"]),
        ("ns3:Rcpn", info["recipient"]),
    ]))
    return ("ns3:historyRecord", children)


# --- batch access -------------------------------------------------------------------


def batch_messages(tracks: list[Track], rng: random.Random, numbers: Numbers) -> list[Message]:
    """One answer per simulated day, at 06:00 Moscow, for every batch item that moved that day."""
    by_day: dict[str, list[Track]] = {}
    for track in tracks:
        days: list[str] = []
        for step in track.steps:
            day = _answer_time(step.at).isoformat()
            if day not in days:
                days.append(day)
        for day in days:
            by_day.setdefault(day, []).append(track)
    out = []
    for day in sorted(by_day):
        answered = datetime.fromisoformat(day)
        items = []
        unknown: list[str] = []
        carried: list[Step] = []
        for track in by_day[day]:
            known = [s for s in track.steps if s.at < answered]
            unknown.extend(unknown_codes(known))
            carried.extend(known)
            items.append(("ns3:Item", {"Barcode": track.info["barcode"]}, [_operation(s) for s in known]))
        outcome = "normalised"
        if rng.random() < 0.3:
            # An item polled before Russian Post has it (a seller's number not yet posted).
            items.append(("ns3:Item", {"Barcode": numbers.s10("R", "CN")}, [
                ("ns3:Error", {"ErrorTypeID": "12", "ErrorName": "Сообщение не найдено"}, None),
            ]))
            outcome = "partial"
        payload = _batch(items, answered)
        shipments = tuple(s for t in by_day[day] for s in t.shipments)
        out.append(Message(
            at=answered, partner="russian_post", payload=payload, extension="xml",
            expected=Expected(outcome, None, tuple(unknown)), shipments=shipments, steps=tuple(carried),
        ))
    return out


def _answer_time(at: datetime) -> datetime:
    """The next 06:00 Moscow (03:00 UTC) after `at`: when the day's batch answer is fetched."""
    answer = at.replace(hour=3, minute=0, second=0, microsecond=0)
    return answer if answer > at else answer + timedelta(days=1)


def _operation(step: Step) -> tuple:
    oper_type, attr = split_code(step.code)
    postcode, _description, zone = step.data["office"]
    return ("ns3:Operation", {
        "OperTypeID": oper_type, "OperCtgID": attr, "OperName": TYPE_NAMES[oper_type],
        "DateOper": wall(step.at, zone, "%d.%m.%Y %H:%M:%S"), "IndexOper": postcode,
    }, None)


def _batch(items: list[tuple], answered: datetime) -> bytes:
    envelope = (
        "S:Envelope", {"xmlns:S": "http://schemas.xmlsoap.org/soap/envelope/"}, [
            ("S:Body", [
                ("ns2:answerByTicketResponse", {
                    "xmlns:ns2": "http://fclient.russianpost.org/postserver",
                    "xmlns:ns3": "http://fclient.russianpost.org",
                }, [
                    ("value", {
                        "FileName": "", "FileTypeID": "2", "FileNumber": "1", "RecipientID": "1",
                        "DatePreparation": wall(answered, MOSCOW, "%d.%m.%Y %H:%M:%S"),
                    }, items),
                ]),
            ]),
        ],
    )
    return (xml(envelope) + "\n").encode("utf-8")


# --- cash on delivery ---------------------------------------------------------------


def cod_messages(track: Track, rng: random.Random) -> list[Message]:
    """The money order's events, fetched once after the money reached the sender."""
    polled = track.steps[-1].at + hours(rng, 2, 30)
    events = []
    for step in track.steps:
        postcode, _description, zone = step.data["office"]
        events.append(("PostalOrderEvent", {
            "Number": track.info["money_order"],
            "EventDateTime": iso_offset(step.at, zone, millis=True),
            "EventType": step.code,
            "EventName": COD_EVENT_NAMES[step.code],
            "IndexTo": track.info["index_to"],
            "IndexEvent": postcode,
            "SumPaymentForward": str(track.info["sum"]),
            "CountryEventCode": "RU",
            "CountryToCode": "RU",
        }, None))
    envelope = (
        "S:Envelope", {"xmlns:S": "http://www.w3.org/2003/05/soap-envelope"}, [
            ("S:Body", [
                ("ns7:PostalOrderEventsForMailResponse", _SINGLE_NS, [
                    ("ns6:PostalOrderEventsForMaiOutput", events),
                ]),
            ]),
        ],
    )
    payload = (xml(envelope) + "\n").encode("utf-8")
    return [message(track, polled, payload, "xml", subject=track.info["subject"], steps=track.steps)]
