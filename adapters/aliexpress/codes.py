"""AliExpress `order_status` and `logistics_status` → canonical status; tracking details' codes.

Source: docs/partners/aliexpress.md#order-status, from the TOP/IOP SDKs generated from
Alibaba's API metadata: Go `bububa/opentaobao` (`model/aedropshiper/AeopOrderInfo.go`), the
PHP TOP SDK docblock of `GlobalAeopTpOrderDetailDto` (order_status list; logistics_status
list), and the order-list filters (`FINISH`). The `querytrackingresult` details' `status`
takes Cainiao action codes (docs/partners/cainiao.md#actioncode-source says that table was
compiled from this API's reference), so details read through Cainiao's own table,
`adapters/cainiao/codes.py` (the one place AliExpress leans on another partner's package).

Judgements: the order statuses are the order's, but an order event is emitted per parcel
the order names (a named parcel has been shipped), so "shipped, awaiting receipt" is the
parcel handed over and "buyer confirmed receipt" is delivered. `FINISH` ("closed,
completed or cancelled") says nothing about the parcel by itself: the logistics status
decides with it (see DEFERS_TO_LOGISTICS); alone it changes nothing (informational).
Disputes, freezes and cancellation requests are exceptions with an informational milestone.
"""

from adapters._shared.code_table import CodeMapping
from adapters.cainiao.codes import ACTION_CODES
from schemas import Milestone as M
from schemas import Party, Reason
from schemas import Status as S

ORDER_STATUSES: dict[str, CodeMapping] = {
    "PLACE_ORDER_SUCCESS": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="awaiting buyer payment"),
    "IN_CANCEL": CodeMapping(
        S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.CONSIGNEE, "buyer requested cancellation"
    ),
    "WAIT_SELLER_SEND_GOODS": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="awaiting seller shipment"),
    "SELLER_PART_SEND_GOODS": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="partially shipped"),
    "WAIT_BUYER_ACCEPT_GOODS": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="shipped, awaiting buyer receipt"),
    "FUND_PROCESSING": CodeMapping(S.DELIVERED, M.DELIVERED, description="buyer confirmed receipt"),
    "IN_ISSUE": CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.MARKETPLACE, "in dispute"),
    "IN_FROZEN": CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, Party.MARKETPLACE, "frozen"),
    "WAIT_SELLER_EXAMINE_MONEY": CodeMapping(
        S.INFO_RECEIVED, M.INFORMATIONAL, description="awaiting seller confirmation of amount"
    ),
    "RISK_CONTROL": CodeMapping(S.INFO_RECEIVED, M.INFORMATIONAL, description="24-hour risk-control hold"),
    "FINISH": CodeMapping(S.INFO_RECEIVED, M.INFORMATIONAL, description="closed (completed or cancelled)"),
}

LOGISTICS_STATUSES: dict[str, CodeMapping] = {
    "NO_LOGISTICS": CodeMapping(S.INFO_RECEIVED, M.INFORMATIONAL, description="no logistics yet"),
    "WAIT_SELLER_SEND_GOODS": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="awaiting seller shipment"),
    "SELLER_SEND_PART_GOODS": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="seller shipped part"),
    "SELLER_SEND_GOODS": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="seller shipped"),
    "BUYER_ACCEPT_GOODS": CodeMapping(S.DELIVERED, M.DELIVERED, description="buyer accepted the goods"),
}

# Order statuses that say nothing about the parcel: with them the logistics status decides.
DEFERS_TO_LOGISTICS: frozenset[str] = frozenset({"FINISH"})

# The one order status whose time is the order's creation (`gmt_create`).
PLACED = "PLACE_ORDER_SUCCESS"

# The tracking-result details' `status` vocabulary.
DETAIL_CODES = ACTION_CODES
