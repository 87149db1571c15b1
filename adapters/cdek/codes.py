"""CDEK order status codes and additional-status (reason) codes → canonical values.

Sources (docs/partners/cdek.md#order-status-codes and docs/partners/cdek.md#additional-status-codes):
- Order statuses: CDEK "Приложение 1. Статусы заказов" (https://api-docs.cdek.ru/29923975.html,
  now https://apidoc.cdek.ru/#tag/common/Prilozheniya/Prilozhenie-1.-Statusy-zakazov), read
  through a Python constants file that cites both pages (two stored versions; the newer one
  also documents the warehouse-entry, international, customs and postamat codes), cross-checked
  with the official PHP SDK `cdek-it/sdk2.0` `src/Constants.php`, which spells two codes
  differently (`RECEIVED_AT_SENDER_WAREHOUSE`, `ARRIVED_AT_RECIPIENT_CITY`): both spellings
  are kept. The older naming comes from the npm `cdek` typings (`src/types/api/webhook.d.ts`).
- Legacy numeric webhook `status_code`: https://api-docs.cdek.ru/29924139.html via the same
  constants file. Statuses added later all arrive with the generic number 1000, so a number
  only stands in for a code when `code` is absent.
- Additional status (`status_reason_code` in webhooks, `reason_code` in the order read model):
  three independent clients agree (PHP enum, C# `OrderAdditionalStatus`, JS map).

A reason's party is the one its text names ("повреждение упаковки, у перевозчика" → carrier,
"при приемке от отправителя" → sender); where the text names none it is the usual party of
the reason (`REASON_PARTY`).
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters._shared.code_table import CodeMapping, text_key
from schemas import Milestone as M
from schemas import Party, Reason
from schemas import Status as S

_DOCUMENTED: dict[str, CodeMapping] = {
    "ACCEPTED": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="Принят"),
    "CREATED": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="Создан"),
    "REMOVED": CodeMapping(S.CANCELLED, M.CANCELLED, description="Удален"),
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="Принят на склад отправителя"),
    "READY_FOR_SHIPMENT_IN_SENDER_CITY": CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="Выдан на отправку в г. отправителе"),
    # Re-received in the sender city's warehouse: not a return to the sender.
    "RETURNED_TO_SENDER_CITY_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Возвращен на склад отправителя"),
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="Сдан перевозчику в г. отправителе"),
    "SENT_TO_TRANSIT_CITY": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="Отправлен в г. транзит"),
    "ACCEPTED_IN_TRANSIT_CITY": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Встречен в г. транзите"),
    "ACCEPTED_AT_TRANSIT_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Принят на склад транзита"),
    "RETURNED_TO_TRANSIT_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Возвращен на склад транзита"),
    "READY_FOR_SHIPMENT_IN_TRANSIT_CITY": CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="Выдан на отправку в г. транзите"),
    "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="Сдан перевозчику в г. транзите"),
    # The way back to the sender city ("груз в пути" back): the return leg.
    "SENT_TO_SENDER_CITY": CodeMapping(S.RETURNING, M.RETURN_STARTED, description="Отправлен в г. отправитель"),
    "SENT_TO_RECIPIENT_CITY": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="Отправлен в г. получатель"),
    "ACCEPTED_IN_SENDER_CITY": CodeMapping(S.RETURNING, M.ARRIVED_AT_FACILITY, description="Встречен в г. отправителе"),
    "ACCEPTED_IN_RECIPIENT_CITY": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Встречен в г. получателе"),
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Принят на склад доставки"),
    "ACCEPTED_AT_PICK_UP_POINT": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="Принят на склад до востребования"),
    "TAKEN_BY_COURIER": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="Выдан на доставку"),
    # Delivery failed and a retry is pending: not a return to the sender.
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE": CodeMapping(S.ATTEMPT_FAILED, M.DELIVERY_ATTEMPT_FAILED, description="Возвращен на склад доставки"),
    "DELIVERED": CodeMapping(S.DELIVERED, M.DELIVERED, description="Вручен"),
    # Refused, going back to the shop; an additional status, when sent, names the real reason.
    "NOT_DELIVERED": CodeMapping(S.RETURNING, M.RETURN_STARTED, Reason.ADDRESSEE_REFUSED, description="Не вручен"),
    # The order's data is invalid; nothing moved, so the timeline keeps its status.
    "INVALID": CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.SENDER, description="Некорректный заказ"),
    # Warehouse entries ("Поступил ...": an intake is registered) from the newer docs.
    "ENTERED_TO_TRANSIT_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Поступил в город транзита"),
    "ENTERED_TO_RECIPIENT_CITY_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="Поступил на склад доставки"),
    "ENTERED_TO_PICK_UP_POINT": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="Поступил на склад до востребования"),
    # International orders.
    "IN_CUSTOMS_INTERNATIONAL": CodeMapping(S.IN_TRANSIT, M.EXPORT_CUSTOMS_STARTED, description="Таможенное оформление в стране отправления"),
    "SHIPPED_TO_DESTINATION": CodeMapping(S.IN_TRANSIT, M.DEPARTED_ORIGIN, description="Отправлено в страну назначения"),
    "PASSED_TO_TRANSIT_CARRIER": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="Передано транзитному перевозчику"),
    "IN_CUSTOMS_LOCAL": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED, description="Таможенное оформление в стране назначения"),
    "CUSTOMS_COMPLETE": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED, description="Таможенное оформление завершено"),
    # Postamats.
    "POSTOMAT_POSTED": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="Заложен в постамат"),
    "POSTOMAT_SEIZED": CodeMapping(S.RETURNING, M.RETURN_STARTED, Reason.STORAGE_EXPIRED, description="Изъят из постамата курьером"),
    "POSTOMAT_RECEIVED": CodeMapping(S.DELIVERED, M.DELIVERED, description="Изъят из постамата клиентом"),
}

# Other spellings of the same statuses: the official SDK's and the older naming (npm typings).
ALIASES: dict[str, str] = {
    # Official PHP SDK `src/Constants.php`.
    "RECEIVED_AT_SENDER_WAREHOUSE": "RECEIVED_AT_SHIPMENT_WAREHOUSE",
    "ARRIVED_AT_RECIPIENT_CITY": "ACCEPTED_IN_RECIPIENT_CITY",
    # Older naming.
    "RETURNED_TO_SENDER_WAREHOUSE": "RETURNED_TO_SENDER_CITY_WAREHOUSE",
    "PASSED_TO_CARRIER_AT_SENDING_OFFICE": "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
    "SEND_TO_TRANSIT_OFFICE": "SENT_TO_TRANSIT_CITY",
    "MET_AT_TRANSIT_OFFICE": "ACCEPTED_IN_TRANSIT_CITY",
    "ACCEPTED_TO_OFFICE_TRANSIT_WAREHOUSE": "ACCEPTED_AT_TRANSIT_WAREHOUSE",
    "READY_TO_SHIP_IN_TRANSIT_OFFICE": "READY_FOR_SHIPMENT_IN_TRANSIT_CITY",
    "PASSED_TO_CARRIER_AT_TRANSIT_OFFICE": "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY",
    "SEND_TO_SENDING_OFFICE": "SENT_TO_SENDER_CITY",
    "SEND_TO_RECIPIENT_OFFICE": "SENT_TO_RECIPIENT_CITY",
    "MET_AT_SENDING_OFFICE": "ACCEPTED_IN_SENDER_CITY",
    "MET_AT_RECIPIENT_OFFICE": "ACCEPTED_IN_RECIPIENT_CITY",
    "ACCEPTED_AT_DELIVERY_WAREHOUSE": "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
    "ACCEPTED_AT_WAREHOUSE_ON_DEMAND": "ACCEPTED_AT_PICK_UP_POINT",
    "ISSUED_FOR_DELIVERY": "TAKEN_BY_COURIER",
    "RETURNED_TO_DELIVERY_WAREHOUSE": "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE",
    "READY_TO_SHIP_AT_SENDING_OFFICE": "READY_FOR_SHIPMENT_IN_SENDER_CITY",
    "ENTERED_TO_OFFICE_TRANSIT_WAREHOUSE": "ENTERED_TO_TRANSIT_WAREHOUSE",
    "ENTERED_TO_DELIVERY_WAREHOUSE": "ENTERED_TO_RECIPIENT_CITY_WAREHOUSE",
    "ENTERED_TO_WAREHOUSE_ON_DEMAND": "ENTERED_TO_PICK_UP_POINT",
}

# The webhook's legacy numeric `status_code` → the string code (docs/partners/cdek.md#main-status-table,
# second column).
LEGACY_NUMERIC: dict[str, str] = {
    "1": "CREATED", "2": "REMOVED", "3": "RECEIVED_AT_SHIPMENT_WAREHOUSE",
    "4": "DELIVERED", "5": "NOT_DELIVERED", "6": "READY_FOR_SHIPMENT_IN_SENDER_CITY",
    "7": "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY", "8": "SENT_TO_RECIPIENT_CITY",
    "9": "ACCEPTED_IN_RECIPIENT_CITY", "10": "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
    "11": "TAKEN_BY_COURIER", "12": "ACCEPTED_AT_PICK_UP_POINT",
    "13": "ACCEPTED_AT_TRANSIT_WAREHOUSE", "16": "RETURNED_TO_SENDER_CITY_WAREHOUSE",
    "17": "RETURNED_TO_TRANSIT_WAREHOUSE", "18": "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE",
    "19": "READY_FOR_SHIPMENT_IN_TRANSIT_CITY", "20": "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY",
    "21": "SENT_TO_TRANSIT_CITY", "22": "ACCEPTED_IN_TRANSIT_CITY",
    "27": "SENT_TO_SENDER_CITY", "28": "ACCEPTED_IN_SENDER_CITY",
}

STATUS_CODES: dict[str, CodeMapping] = {
    **_DOCUMENTED,
    **{alias: _DOCUMENTED[code] for alias, code in ALIASES.items()},
}


@dataclass(frozen=True)
class ReasonMapping:
    """An additional status: the reason it gives (None: it gives none), who is at fault."""

    reason: Reason | None
    party: Party | None
    description: str
    # A few additional statuses say more than the main code (26 "Утерян"): they replace it.
    overrides: tuple[S, M] | None = None


_R = Reason
_P = Party
_REFUSED = "Возврат, отказ от получения: "

REASON_CODES: dict[str, ReasonMapping] = {
    "1": ReasonMapping(_R.ADDRESS_PROBLEM, _P.SENDER, "Возврат, неверный адрес"),
    "2": ReasonMapping(_R.ADDRESSEE_ABSENT, _P.CONSIGNEE, "Возврат, не дозвонились"),
    "3": ReasonMapping(_R.ADDRESS_PROBLEM, _P.SENDER, "Возврат, адресат не проживает"),
    "4": ReasonMapping(_R.OTHER, _P.SENDER, "Возврат, не должен выполняться: вес отличается от заявленного более, чем на X г."),
    "5": ReasonMapping(_R.OTHER, _P.SENDER, "Возврат, не должен выполняться: фактически нет отправления (на бумаге есть)"),
    "6": ReasonMapping(_R.OTHER, _P.SENDER, "Возврат, не должен выполняться: дубль номера заказа в одном акте приема-передачи"),
    "7": ReasonMapping(_R.ADDRESS_PROBLEM, _P.SENDER, "Возврат, не должен выполняться: не доставляем в данный город/регион"),
    "8": ReasonMapping(_R.DAMAGED, _P.SENDER, "Возврат, повреждение упаковки, при приемке от отправителя"),
    "9": ReasonMapping(_R.DAMAGED, _P.CARRIER, "Возврат, повреждение упаковки, у перевозчика"),
    "10": ReasonMapping(_R.DAMAGED, _P.CARRIER, "Возврат, повреждение упаковки, на нашем складе/доставке у курьера"),
    "11": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.CONSIGNEE, _REFUSED + "Без объяснения"),
    "12": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.SENDER, _REFUSED + "Претензия к качеству товара"),
    "13": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.SENDER, _REFUSED + "Недовложение"),
    "14": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.SENDER, _REFUSED + "Пересорт"),
    "15": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.CONSIGNEE, _REFUSED + "Не устроили сроки"),
    "16": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.CONSIGNEE, _REFUSED + "Уже купил"),
    "17": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.CONSIGNEE, _REFUSED + "Передумал"),
    "18": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.SENDER, _REFUSED + "Ошибка оформления"),
    "19": ReasonMapping(_R.DAMAGED, _P.CARRIER, _REFUSED + "Повреждение упаковки, у получателя"),
    # Partial delivery accompanies a delivery: it is no failure, so it gives no reason.
    "20": ReasonMapping(None, None, "Частичная доставка"),
    "21": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.CONSIGNEE, _REFUSED + "Нет денег"),
    "22": ReasonMapping(_R.ADDRESSEE_REFUSED, _P.CONSIGNEE, _REFUSED + "Товар не подошел/не понравился"),
    "23": ReasonMapping(_R.STORAGE_EXPIRED, _P.CONSIGNEE, "Возврат, истек срок хранения"),
    "24": ReasonMapping(_R.CUSTOMS_REFUSED, _P.CUSTOMS, "Возврат, не прошел таможню"),
    "25": ReasonMapping(_R.CUSTOMS_REFUSED, _P.SENDER, "Возврат, не должен выполняться: является коммерческим грузом"),
    "26": ReasonMapping(_R.LOST, _P.CARRIER, "Утерян", overrides=(S.EXCEPTION, M.LOST)),
    "27": ReasonMapping(_R.STORAGE_EXPIRED, _P.CONSIGNEE, "Не востребован, утилизация"),
    "31": ReasonMapping(_R.SENDER_REQUEST, _P.SENDER, "Возврат, по запросу отправителя"),
    # The payer is the contract party; in the shop-pays set-up this table serves, the shop. [I]
    "32": ReasonMapping(_R.SENDER_REQUEST, _P.SENDER, "Возврат, по запросу плательщика"),
    # СНТ: Kazakhstan's electronic consignment note for goods, the sender's document.
    "33": ReasonMapping(_R.DOCUMENTS_MISSING, _P.SENDER, "Возврат, СНТ не получено"),
}

# CDEK's own currency numbering (docs/partners/cdek.md#cdek-currency-numbers, SDK
# `src/Constraints/Currencies.php`), for amounts whose currency arrives as a number rather than
# ISO 4217 letters.
CDEK_CURRENCIES: dict[str, str] = {
    "1": "RUB", "2": "KZT", "3": "USD", "4": "EUR", "5": "GBP", "6": "CNY", "7": "BYN",
    "8": "UAH", "9": "KGS", "10": "AMD", "11": "TRY", "12": "THB", "13": "KRW", "14": "AED",
    "15": "UZS", "16": "MNT", "17": "PLN", "18": "AZN", "19": "GEL", "55": "JPY",
}

# `related_entities[].type` values that name the same parcel under another CDEK order: a
# return order made for an undelivered forward order, and that forward order (SDK Constants
# RELATION_RETURN_ORDER / RELATION_DIRECT_ORDER). Client returns, reverse orders, print forms
# and delivery agreements are other things and never link.
LINKING_RELATIONS = frozenset({"return_order", "direct_order"})


# What CDEK writes as the `city` of a status that happened at no known office (seen on
# ACCEPTED and CREATED in real answers, docs/partners/cdek.md#placeholder-office): not a place.
PLACEHOLDER_CITIES = frozenset({text_key("Офис СДЭК")})

# Webhook types that tell something about a parcel besides its status (docs/partners/cdek.md#promise-and-problem-webhooks).
ORDER_MODIFIED = "ORDER_MODIFIED"
DELIV_AGREEMENT = "DELIV_AGREEMENT"
DELIV_PROBLEM = "DELIV_PROBLEM"
# ORDER_MODIFIED's kinds: only a new planned delivery date is a tracking fact (a promise);
# a changed sum or mode is the contract's business, ignored with that reason.
PLANNED_DELIVERY_DATE_CHANGED = "PLANED_DELIVERY_DATE_CHANGED"  # sic, CDEK's spelling
NOTICES: dict[str, CodeMapping] = {
    # A new promise or an agreed slot changes no status: informational, carrying the promise.
    PLANNED_DELIVERY_DATE_CHANGED: CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="planned delivery date changed"),
    DELIV_AGREEMENT: CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="delivery date and window agreed"),
}


def _problem(reason: Reason, party: Party, description: str) -> CodeMapping:
    return CodeMapping(S.EXCEPTION, M.INFORMATIONAL, reason, party, description)


# DELIV_PROBLEM `code`: CDEK "Приложение 4. Проблемы доставки", read through a C# client's enum
# (`DeliveryProblemType`, docs/partners/cdek.md#delivery-problem-codes). A problem is reported
# while the parcel waits for delivery: an `exception` that changes no milestone, with its reason
# and party. An unknown code falls back to DELIVERY_PROBLEM (still counted as unknown).
DELIVERY_PROBLEM = _problem(Reason.OTHER, Party.CARRIER, "delivery problem")
DELIVERY_PROBLEMS: dict[str, CodeMapping] = {
    "1": _problem(Reason.ADDRESS_PROBLEM, Party.SENDER, "Телефон неверный"),
    "9": _problem(Reason.DELAYED, Party.SENDER, "Груз не готов"),
    "11": _problem(Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE, "Отказ от оплаты"),
    "13": _problem(Reason.ADDRESSEE_ABSENT, Party.CONSIGNEE, "Контактное лицо отсутствует"),
    "17": _problem(Reason.ADDRESSEE_ABSENT, Party.CONSIGNEE, "Организация не работает"),
    "19": _problem(Reason.ADDRESS_PROBLEM, Party.CONSIGNEE, "Смена адреса"),
    "35": _problem(Reason.DELAYED, Party.CARRIER, "Не успеваю"),
    "36": _problem(Reason.OTHER, Party.CONSIGNEE, "Самозабор"),
    "37": _problem(Reason.DELAYED, Party.CARRIER, "Постамат переполнен"),
    "38": _problem(Reason.DELAYED, Party.CARRIER, "Постамат не работает"),
    "39": _problem(Reason.OTHER, Party.CARRIER, "Груз не влез в ячейку постамата"),
    "40": _problem(Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE, "Отказ от получения"),
    "41": _problem(Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE, "Отказ от заявки"),
    "42": _problem(Reason.ADDRESS_PROBLEM, Party.CONSIGNEE, "Требуется пропуск"),
    "43": _problem(Reason.ADDRESS_PROBLEM, Party.CONSIGNEE, "Платный въезд"),
    "44": _problem(Reason.ADDRESS_PROBLEM, Party.CONSIGNEE, "Закрытая территория"),
    "45": _problem(Reason.DOCUMENTS_MISSING, Party.CONSIGNEE, "Нет документа удостоверяющего личность"),
    "46": _problem(Reason.ADDRESS_PROBLEM, Party.CONSIGNEE, "Смена города"),
    "47": _problem(Reason.ADDRESS_PROBLEM, Party.SENDER, "Адрес не существует"),
    "48": _problem(Reason.ADDRESS_PROBLEM, Party.SENDER, "Доставка в А/Я"),
    "49": _problem(Reason.PROHIBITED_CONTENTS, Party.SENDER, "Опасный груз"),
    "52": _problem(Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE, "Отказ с адреса"),
    "53": _problem(Reason.DELAYED, Party.CONSIGNEE, "Изменение интервала по согласованию с клиентом"),
    "54": _problem(Reason.DELAYED, Party.CARRIER, "Постаматное приложение не работает"),
    "55": _problem(Reason.LOST, Party.CARRIER, "Груз не найден"),
    "56": _problem(Reason.OTHER, Party.CARRIER, "Передача на ПВЗ"),
    "57": _problem(Reason.DELAYED, Party.CARRIER, "Не могу доставить на ПВЗ"),
}


def canonical_code(code: str | None, legacy_numeric: str | None) -> str | None:
    """The documented spelling of a status, from the string code or else the legacy number."""
    if code:
        return ALIASES.get(code, code)
    if legacy_numeric:
        return LEGACY_NUMERIC.get(str(legacy_numeric).strip())
    return None
