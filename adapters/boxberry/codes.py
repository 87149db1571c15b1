"""Boxberry status names → canonical status and milestone.

Source: docs/partners/boxberry.md#status-names. Boxberry has no status codes: a status is its Russian `Name`.
Meanings from the FsDelivery aggregator SDK README (its numeric codes are its own);
alternate names from the AdvantShop Boxberry module's name → status mapping, which also
shows Boxberry compares names case-insensitively. Names are matched after trimming,
collapsing spaces, case-folding and reading ё as е.

Alternates are mapped by their own words where they say something different:
"Поступил в город для передачи курьеру" (arrived in the city, to be handed to a courier) is
an arrival, while "Передано на курьерскую доставку" is the hand-over to the courier.
"Заказ создан в личном кабинете" was seen in a Yandex-delivery context, not Boxberry's
(docs/partners/boxberry.md#status-names); it is kept, meaning what it says.
"""

from __future__ import annotations

from adapters._shared.code_table import CodeMapping, keyed, text_key
from schemas import Milestone as M
from schemas import Status as S

_ORDER_PLACED = CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="order registered in Boxberry (shop registry uploaded)")
_ACCEPTED = CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="labelled and accepted at a Boxberry warehouse")
_TO_DESTINATION = CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="dispatched to the destination city")
_AT_PICKUP_POINT = CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="at the pickup point, ready for collection")
_DELIVERED = CodeMapping(S.DELIVERED, M.DELIVERED, description="handed to the recipient")
_RETURN_PREPARING = CodeMapping(S.RETURNING, M.RETURN_STARTED, description="being prepared for return to the shop")
_RETURN_SENT = CodeMapping(S.RETURNING, M.DEPARTED_FACILITY, description="return dispatched towards the shop")
_RETURNED = CodeMapping(S.RETURNED, M.RETURNED_TO_SENDER, description="returned to the shop")

STATUS_NAMES: dict[str, CodeMapping] = {
    "Загружен реестр ИМ": _ORDER_PLACED,
    "Заказ создан в личном кабинете": _ORDER_PLACED,
    "Принято к доставке": _ACCEPTED,
    "Заказ передан на доставку": _ACCEPTED,
    # Handed to sorting inside the accepting warehouse: nothing moved.
    "Передано на сортировку": CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="being prepared for dispatch to the destination city"),
    "Отправлен на сортировочный терминал": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="in transit to a sorting terminal"),
    "Отправлено в город назначения": _TO_DESTINATION,
    "В пути в город получателя": _TO_DESTINATION,
    "Передан на доставку до пункта выдачи": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="sent to the pickup point"),
    "Передано на курьерскую доставку": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="handed to a courier"),
    "Поступил в город для передачи курьеру": CodeMapping(
        S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived in the city, to be handed to a courier"
    ),
    "Поступило в пункт выдачи": _AT_PICKUP_POINT,
    "Доступен к получению в Пункте выдачи": _AT_PICKUP_POINT,
    "Выдано": _DELIVERED,
    "Успешно Выдан": _DELIVERED,
    # Back from the courier undelivered; a retry or a return follows.
    "Возвращено с курьерской доставки": CodeMapping(S.ATTEMPT_FAILED, M.DELIVERY_ATTEMPT_FAILED, description="returned from courier delivery"),
    "Готовится к возврату": _RETURN_PREPARING,
    # AdvantShop lists this name under both "preparing return" and "returned from courier"
    # (and comments both out as a duplicate); either way the parcel is on its way back.
    "Заказ передан на возврат в Интернет-магазин": _RETURN_PREPARING,
    "Отправлено в пункт приема": _RETURN_SENT,
    "Заказ в пути в Интернет-магазин": _RETURN_SENT,
    "Возвращено в пункт приема": CodeMapping(S.RETURNING, M.ARRIVED_AT_FACILITY, description="return at the Boxberry return warehouse"),
    "Возвращено в ИМ": _RETURNED,
    "Заказ возвращен в Интернет-магазин": _RETURNED,
}


# How Boxberry names compare: trimmed, single-spaced, case-folded, ё read as е.
name_key = text_key

STATUS_BY_KEY: dict[str, CodeMapping] = keyed(STATUS_NAMES)
