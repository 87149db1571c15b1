"""CDEK order status codes → canonical status and milestone.

Source: PARTNERS.md §3.2, from CDEK's "Приложение 1. Статусы заказов"
(https://api-docs.cdek.ru/29923975.html) and the webhook numeric codes
(https://api-docs.cdek.ru/29924139.html), cross-checked with the official PHP SDK
`cdek-it/sdk2.0` `src/Constants.php`. Where the SDK and the docs spell a code
differently both spellings are kept. The older and international names [U] come from the
npm `cdek` typings (`src/types/api/webhook.d.ts`).
"""

from adapters.code_table import CodeMapping
from schemas import Milestone as M
from schemas import Reason, Status as S

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
    # Refused: the order goes back to the shop (terminal for the forward order).
    "NOT_DELIVERED": CodeMapping(S.RETURNING, M.RETURN_STARTED, Reason.ADDRESSEE_REFUSED, description="Не вручен"),
    "INVALID": CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, description="Некорректный заказ"),
    # [U] international and postamat codes, npm `cdek` typings.
    "ENTERED_TO_OFFICE_TRANSIT_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY),
    "ENTERED_TO_DELIVERY_WAREHOUSE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY),
    "ENTERED_TO_WAREHOUSE_ON_DEMAND": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
    "IN_CUSTOMS_INTERNATIONAL": CodeMapping(S.IN_TRANSIT, M.EXPORT_CUSTOMS_STARTED),
    "SHIPPED_TO_DESTINATION": CodeMapping(S.IN_TRANSIT, M.DEPARTED_ORIGIN),
    "PASSED_TO_TRANSIT_CARRIER": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER),
    "IN_CUSTOMS_LOCAL": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED),
    "CUSTOMS_COMPLETE": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED),
    "POSTOMAT_POSTED": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
    "POSTOMAT_SEIZED": CodeMapping(S.RETURNING, M.RETURN_STARTED, Reason.STORAGE_EXPIRED),
    "POSTOMAT_RECEIVED": CodeMapping(S.DELIVERED, M.DELIVERED),
}

# Other spellings of the same statuses: the official SDK's, and the older naming [U].
ALIASES: dict[str, str] = {
    "RECEIVED_AT_SENDER_WAREHOUSE": "RECEIVED_AT_SHIPMENT_WAREHOUSE",
    "ARRIVED_AT_RECIPIENT_CITY": "ACCEPTED_IN_RECIPIENT_CITY",
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
}

# The webhook's legacy numeric `status_code` → the string code (§3.2, second column).
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


def canonical_code(code: str | None, legacy_numeric: str | None) -> str | None:
    """The documented spelling of a status, from the string code or else the legacy number."""
    if code:
        return ALIASES.get(code, code)
    if legacy_numeric:
        return LEGACY_NUMERIC.get(str(legacy_numeric).strip())
    return None
