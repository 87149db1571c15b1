"""Wildberries `supplierStatus` and `wbStatus` values → canonical status and milestone.

Source: docs/partners/wildberries.md#status-model, from the official WB OpenAPI docs ("orders-fbs",
`POST /api/v3/orders/status`, Markdown copy find_string id 53949388094). Both the
description text and the response-schema enums are covered: the enums add
`postponed_delivery` (no description anywhere) and lack `sent_to_carrier`,
`canceled_by_carrier` and `cancel_carrier`, which the text documents.

Judgements: `canceled_by_client` ("the buyer cancelled on receipt") is a refusal, so the
parcel is returning; `declined_by_client` (within the first hour, before assembly) is a
plain cancellation; `defect` is a cancellation for a defect in the goods (the seller's);
`postponed_delivery` implies only that the parcel is still on its way.
"""

from adapters._shared.code_table import CodeMapping
from schemas import Milestone as M
from schemas import Party, Reason
from schemas import Status as S

# The seller-side status, changed by the seller's own actions.
SUPPLIER_STATUSES: dict[str, CodeMapping] = {
    "new": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="Новое сборочное задание"),
    "confirm": CodeMapping(S.INFO_RECEIVED, M.INFORMATIONAL, description="На сборке"),
    "complete": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="В доставке"),
    "cancel": CodeMapping(S.CANCELLED, M.CANCELLED, Reason.SENDER_REQUEST, description="Отменено продавцом"),
    "cancel_carrier": CodeMapping(S.CANCELLED, M.CANCELLED, Reason.OTHER, Party.CARRIER, "Отменено перевозчиком"),
    # DBS (the seller delivers itself), `POST /api/marketplace/v3/dbs/orders/status/info`
    # (docs/partners/wildberries.md#dbs-status-answer).
    "deliver": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="В доставке (DBS: продавец везёт сам)"),
    "receive": CodeMapping(S.DELIVERED, M.DELIVERED, description="Получено покупателем"),
    "reject": CodeMapping(
        S.RETURNING, M.RETURN_STARTED, Reason.ADDRESSEE_REFUSED, description="Отказ покупателя при получении"
    ),
    "cancel_missed_call": CodeMapping(
        S.CANCELLED, M.CANCELLED, Reason.ADDRESSEE_ABSENT, description="Отмена по причине недозвона"
    ),
}

# The Wildberries system status.
WB_STATUSES: dict[str, CodeMapping] = {
    "waiting": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="сборочное задание в работе"),
    "sorted": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="сборочное задание отсортировано"),
    "sold": CodeMapping(S.DELIVERED, M.DELIVERED, description="заказ получен покупателем"),
    "canceled": CodeMapping(S.CANCELLED, M.CANCELLED, description="отмена сборочного задания"),
    "canceled_by_client": CodeMapping(
        S.RETURNING, M.RETURN_STARTED, Reason.ADDRESSEE_REFUSED, description="покупатель отменил заказ при получении"
    ),
    "declined_by_client": CodeMapping(
        S.CANCELLED, M.CANCELLED, description="покупатель отменил заказ в первый час, до сборки"
    ),
    "defect": CodeMapping(
        S.CANCELLED, M.CANCELLED, Reason.DAMAGED, Party.SENDER, "отмена заказа по причине брака"
    ),
    "ready_for_pickup": CodeMapping(
        S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="заказ прибыл на ПВЗ"
    ),
    "accepted_by_carrier": CodeMapping(
        S.IN_TRANSIT, M.HANDED_OVER, description="продавец передал заказ в службу доставки в своей стране"
    ),
    "sent_to_carrier": CodeMapping(
        S.IN_TRANSIT, M.DEPARTED_FACILITY, description="заказ отправлен на склад службы доставки в стране продавца"
    ),
    "canceled_by_carrier": CodeMapping(
        S.CANCELLED, M.CANCELLED, Reason.OTHER, Party.CARRIER, "заказ отменён перевозчиком"
    ),
    "postponed_delivery": CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="доставка перенесена (без описания)"),
    "canceled_by_missed_call": CodeMapping(
        S.CANCELLED, M.CANCELLED, Reason.ADDRESSEE_ABSENT, description="отмена по причине недозвона (DBS)"
    ),
}

# `waiting` says only that WB has nothing newer than the seller's own step, so with it the
# supplierStatus decides; every other wbStatus is newer than the seller's step and decides.
DEFERS_TO_SUPPLIER: frozenset[str] = frozenset({"waiting"})

# The cross-border status history (`POST /api/v3/orders/status/history`) writes its codes in
# capitals (`SORTED`, the docs' example) and says they are the task's statuses: read through
# the wbStatus table, then the supplierStatus one, case-folded.
def history_code(code: str) -> CodeMapping | None:
    key = code.strip().lower()
    return WB_STATUSES.get(key) or SUPPLIER_STATUSES.get(key)


# GET /api/v3/orders/new lists tasks in the `new` supplier status.
NEW_ORDER_CODE = "new"
