"""Ozon posting `status` and `substatus` values and push `message_type`s → canonical status.

Source: docs/partners/ozon.md#posting-status (status) and docs/partners/ozon.md#posting-substatus
(substatus), from the Ozon Seller API docs for `/v3/posting/fbs/get` (Markdown copy,
find_string id 70587630037) and the Go SDK `diPhantxm/ozon-api-client` `ozon/common.go`; push
types from docs/partners/ozon.md#push-notifications (`ozon/notifications/enums.go`). Push
`new_state`/`old_state` carry substatus-style values, so pushes read through `SUBSTATUSES` too.

Judgements: Ozon's hand-over stages before its driver or sorting centre has the posting
(packaging, carriage batching, "being transferred") are `info_received`; arbitration,
registration errors and "not accepted at the sorting centre" are exceptions with an
`informational` milestone (no canonical step says "dispute"); "returned to warehouse" is
the start of a return, not its end (the seller has not got it back).
"""

from adapters._shared.code_table import CodeMapping
from schemas import Milestone as M
from schemas import Party, Reason
from schemas import Status as S

_ARBITRATION = CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.MARKETPLACE, "арбитраж")
_CLIENT_ARBITRATION = CodeMapping(
    S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.MARKETPLACE, "клиентский арбитраж доставки"
)
_NOT_ACCEPTED = CodeMapping(
    S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.SENDER, "не принят на сортировочном центре"
)

# docs/partners/ozon.md#posting-status: posting `status`.
STATUSES: dict[str, CodeMapping] = {
    "awaiting_registration": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="ожидает регистрации"),
    "acceptance_in_progress": CodeMapping(S.IN_TRANSIT, M.WAREHOUSE_INBOUND, description="идёт приёмка"),
    "awaiting_approve": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="ожидает подтверждения"),
    "awaiting_packaging": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="ожидает упаковки"),
    "awaiting_deliver": CodeMapping(S.INFO_RECEIVED, M.INFORMATIONAL, description="ожидает отгрузки"),
    "awaiting_verification": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="создано"),
    "arbitration": _ARBITRATION,
    "client_arbitration": _CLIENT_ARBITRATION,
    "delivering": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="доставляется"),
    "driver_pickup": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="у водителя"),
    "delivered": CodeMapping(S.DELIVERED, M.DELIVERED, description="доставлено"),
    "cancelled": CodeMapping(S.CANCELLED, M.CANCELLED, description="отменено"),
    "cancelled_from_split_pending": CodeMapping(
        S.CANCELLED, M.CANCELLED, description="отменён из-за разделения отправления"
    ),
    "not_accepted": _NOT_ACCEPTED,
    "sent_by_seller": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="отправлено продавцом"),
}

# docs/partners/ozon.md#posting-substatus: posting `substatus` / `previous_substatus`, and push
# `new_state` / `old_state`.
SUBSTATUSES: dict[str, CodeMapping] = {
    "posting_acceptance_in_progress": CodeMapping(S.IN_TRANSIT, M.WAREHOUSE_INBOUND, description="идёт приёмка"),
    "posting_in_arbitration": _ARBITRATION,
    "posting_created": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="создано"),
    # A carriage is the seller's hand-over batch: batching changes nothing for the parcel.
    "posting_in_carriage": CodeMapping(S.INFO_RECEIVED, M.INFORMATIONAL, description="в перевозке"),
    "posting_not_in_carriage": CodeMapping(
        S.INFO_RECEIVED, M.INFORMATIONAL, description="не добавлено в перевозку"
    ),
    "posting_registered": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="зарегистрировано"),
    "posting_transferring_to_delivery": CodeMapping(
        S.INFO_RECEIVED, M.INFORMATIONAL, description="передаётся в доставку / курьеру"
    ),
    # Cross-border: customs needs the buyer's passport data before the posting can go.
    "posting_awaiting_passport_data": CodeMapping(
        S.EXCEPTION, M.INFORMATIONAL, Reason.DOCUMENTS_MISSING, Party.CONSIGNEE, "ожидает паспортных данных"
    ),
    "posting_awaiting_registration": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="ожидает регистрации"),
    "posting_registration_error": CodeMapping(
        S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.MARKETPLACE, "ошибка регистрации"
    ),
    "posting_split_pending": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="создано (ожидает разделения)"),
    "posting_canceled": CodeMapping(S.CANCELLED, M.CANCELLED, description="отменено"),
    "posting_in_client_arbitration": _CLIENT_ARBITRATION,
    "posting_delivered": CodeMapping(S.DELIVERED, M.DELIVERED, description="доставлено"),
    "posting_received": CodeMapping(S.DELIVERED, M.DELIVERED, description="получено"),
    "posting_conditionally_delivered": CodeMapping(S.DELIVERED, M.DELIVERED, description="условно доставлено"),
    "posting_in_courier_service": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="курьер в пути"),
    "posting_in_pickup_point": CodeMapping(
        S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="в пункте выдачи"
    ),
    "posting_on_way_to_city": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="в пути в ваш город"),
    "posting_on_way_to_pickup_point": CodeMapping(
        S.IN_TRANSIT, M.DEPARTED_FACILITY, description="в пути в пункт выдачи"
    ),
    "posting_returned_to_warehouse": CodeMapping(S.RETURNING, M.RETURN_STARTED, description="возвращено на склад"),
    "posting_transferred_to_courier_service": CodeMapping(
        S.IN_TRANSIT, M.HANDED_OVER, description="передаётся в службу доставки"
    ),
    "posting_driver_pick_up": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="у водителя"),
    "posting_not_in_sort_center": _NOT_ACCEPTED,
    "ship_failed": CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.SENDER, "сборка не удалась"),
}

# docs/partners/ozon.md#push-notifications: push types that carry no state of their own map here;
# TYPE_STATE_CHANGED and the `new_state` of TYPE_POSTING_CANCELLED read through SUBSTATUSES.
PUSH_TYPES: dict[str, CodeMapping] = {
    "TYPE_NEW_POSTING": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="новое отправление"),
    "TYPE_POSTING_CANCELLED": CodeMapping(S.CANCELLED, M.CANCELLED, description="отправление отменено"),
    # A new promise to the buyer (kept as `promised_delivery`); the parcel's state is unchanged.
    "TYPE_DELIVERY_DATE_CHANGED": CodeMapping(
        S.INFO_RECEIVED, M.INFORMATIONAL, description="изменилась дата доставки"
    ),
}
STATE_CHANGED = "TYPE_STATE_CHANGED"
# FBO pushes (Ozon's own warehouse, docs/partners/ozon.md#fbo-pushes) name the same posting facts under
# other field names; each reads as its FBS twin.
FBO_TWINS: dict[str, str] = {
    "TYPE_FBO_POSTING_NEW": "TYPE_NEW_POSTING",
    "TYPE_FBO_POSTING_CANCELLED": "TYPE_POSTING_CANCELLED",
    "TYPE_FBO_POSTING_STATE_CHANGED": STATE_CHANGED,
}
PING = "TYPE_PING"
# The seller's hand-over deadline moved: no parcel state and no promise to the buyer.
CUTOFF_DATE_CHANGED = "TYPE_CUTOFF_DATE_CHANGED"

# docs/partners/ozon.md#push-notifications: push types that are not about a posting's logistics.
NON_LOGISTICS_PUSH_TYPES: frozenset[str] = frozenset(
    {
        "TYPE_CREATE_OR_UPDATE_ITEM",
        # Catalogue pushes Ozon documents (TYPE_CREATE_ITEM and TYPE_UPDATE_ITEM retired in 2023,
        # still documented and still seen).
        "TYPE_CREATE_ITEM",
        "TYPE_UPDATE_ITEM",
        "TYPE_DESCRIPTION_CATEGORY_TREE_CHANGED",
        "TYPE_FBO_STOCKS_CHANGED",
        "TYPE_PRICE_INDEX_CHANGED",
        "TYPE_STOCKS_CHANGED",
        "TYPE_NEW_MESSAGE",
        "TYPE_UPDATE_MESSAGE",
        "TYPE_MESSAGE_READ",
        "TYPE_CHAT_CLOSED",
    }
)
