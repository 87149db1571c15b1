"""Cainiao `actionCode` → canonical status and milestone; the identifier schemes a `mailNo` may take.

Source: docs/partners/cainiao.md#actioncode-source, a compilation by a third-party app
(`com.michlind.packagetracker`, docs/ACTION_CODES.md) of the enum in the AliExpress TOP API
`aliexpress.logistics.redefining.querytrackingresult`
(https://developer.alibaba.com/docs/api.htm?scopeId=12782&apiId=30120), whose list "ends
with 等 (etc.)": it is not exhaustive. Codes marked "observed" were seen in the real
captures of docs/partners/cainiao.md#captures (repo `dir01/parcels`), not in the enum. The same vocabulary is the
Cainiao global tracking JSON's `actionCode` and (by that source's claim) the `status` of
AliExpress `querytrackingresult` details: the AliExpress adapter reads those through this
table (`adapters/aliexpress/codes.py`, DETAIL_CODES), since the codes are Cainiao's.

Judgements made here, beyond the source's one-line meanings:
- a `*_FAILURE`/`*_FAIL` scan without a clearer consequence is an `exception` with an
  `informational` milestone and reason `other`; customs failures are `customs_held`,
  delivery/sign failures `delivery_attempt_failed`;
- the "Domestic (China)" codes (GOT … SIGNED) are the first mile of a cross-border parcel,
  so their "signed" is a hand-over at the consolidation point, never the buyer's receipt;
- a parcel "destroyed" has no canonical status of its own: `exception`, informational.

Identifiers: docs/partners/cainiao.md#identifiers.
"""

from __future__ import annotations

from adapters._shared.code_table import CodeMapping
from schemas import Milestone as M
from schemas import Party, Reason, Scheme
from schemas import Status as S


def _fail(description: str) -> CodeMapping:
    return CodeMapping(S.EXCEPTION, M.INFORMATIONAL, Reason.OTHER, description=description)


def _customs_fail(description: str) -> CodeMapping:
    return CodeMapping(S.EXCEPTION, M.CUSTOMS_HELD, Reason.CUSTOMS_HOLD, description=description)


def _attempt_fail(description: str) -> CodeMapping:
    return CodeMapping(S.ATTEMPT_FAILED, M.DELIVERY_ATTEMPT_FAILED, description=description)


def _info(status: S, description: str) -> CodeMapping:
    return CodeMapping(status, M.INFORMATIONAL, description=description)


ACTION_CODES: dict[str, CodeMapping] = {
    # Dispatch / origin
    "CONSIGN": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="shipment declared"),
    "OM_CONSIGN": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="merchant dispatched"),
    "GTMS_ASN": _info(S.INFO_RECEIVED, "electronic advance notice received"),
    "LAST_MILE_ASN_NOTIFY": _info(S.INFO_RECEIVED, "last-mile ASN (observed)"),
    # Global warehouse
    "GWMS_ACCEPT": CodeMapping(S.INFO_RECEIVED, M.ORDER_PLACED, description="order accepted by warehouse"),
    "GWMS_REJECT": _fail("warehouse rejected the order"),
    "GWMS_PICK": _info(S.INFO_RECEIVED, "picking complete"),
    "GWMS_PACKAGE": _info(S.INFO_RECEIVED, "packed"),
    "GWMS_OUTBOUND": CodeMapping(S.IN_TRANSIT, M.WAREHOUSE_OUTBOUND, description="outbound from warehouse"),
    "GWMS_HANDOVER": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="warehouse handed over"),
    "GWMS_EXCEPTION": _fail("warehouse exception"),
    "GWMS_CANCEL": CodeMapping(S.CANCELLED, M.CANCELLED, description="warehouse order cancelled"),
    "WMS_CONFIRMED": _info(S.IN_TRANSIT, "carrier update: package left the warehouse (observed)"),
    # Pickup
    "PU_PICKUP_SUCCESS": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="received by logistics company"),
    "PU_PICKUP_FAILURE": _fail("pickup failed"),
    "PU_SIGN_IN_SUCCESS": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="signed in at pickup"),
    "PU_SIGN_IN_FAILURE": _fail("pickup sign-in failed"),
    # Origin warehouse (observed, not in the official enum)
    "CW_INBOUND": CodeMapping(S.IN_TRANSIT, M.WAREHOUSE_INBOUND, description="arrived at warehouse"),
    "CW_OUTBOUND": CodeMapping(S.IN_TRANSIT, M.WAREHOUSE_OUTBOUND, description="departed warehouse"),
    # Sorting centre
    "SC_INBOUND_SUCCESS": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="processing at sorting center"),
    "SC_INBOUND_FAILURE": _fail("sorting center inbound failed"),
    "SC_OUTBOUND_SUCCESS": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="departed sorting center"),
    "SC_OUTBOUND_FAILURE": _fail("sorting center outbound failed"),
    "SC_HO_OUT_SUCCESS": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="sorting center handed to line-haul"),
    "SC_HO_OUT_FAILURE": _fail("sorting center hand-over failed"),
    "SC_SIGN_IN_SUCCESS": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="sorting center sign-in"),
    "SC_SIGN_IN_FAILURE": _fail("sorting center sign-in failed"),
    # Transit hub
    "TD_TRANS_ARRIVE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived at transit hub"),
    "TD_TRANS_DEPART": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="left transit hub"),
    # Export customs
    "CC_EX_START": CodeMapping(S.IN_TRANSIT, M.EXPORT_CUSTOMS_STARTED, description="export customs clearance started"),
    "CC_EX_SUCCESS": CodeMapping(
        S.IN_TRANSIT, M.EXPORT_CUSTOMS_CLEARED, description="export customs clearance complete"
    ),
    "CC_EX_FAILURE": _customs_fail("export customs clearance failed"),
    # Line-haul
    "LH_HO_IN_SUCCESS": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived at departure hub"),
    "LH_HO_IN_FAILURE": _fail("line-haul hand-over in failed"),
    # The enum's one-liner says "post collection hand-over failed", but every real trace shows the
    # normal hand-over of an inbound parcel to the destination post ("Accepted for
    # transportation by postal service", group AE_GROUP_LH_PROCESSING): docs/partners/cainiao.md#real-traces.
    "LH_POST_COLLECTION": CodeMapping(
        S.IN_TRANSIT, M.HANDED_OVER, description="accepted for transportation by the destination postal service"
    ),
    "LH_HO_AIRLINE": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="handed to airline"),
    "LH_HO_AIRLINE_FAILURE": _fail("aviation security failed"),
    "LH_DEPART": CodeMapping(S.IN_TRANSIT, M.DEPARTED_ORIGIN, description="departed origin country"),
    "LH_ARRIVE": CodeMapping(
        S.IN_TRANSIT, M.ARRIVED_DESTINATION_COUNTRY, description="arrived at destination line-haul office"
    ),
    "LH_ARRIVE_FAILURE": _fail("line-haul arrival failed"),
    "LH_HO_OUT_SUCCESS": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="line-haul handed over"),
    "LH_HO_OUT_FAILURE": _fail("line-haul hand-over out failed"),
    "LH_OTHER": _info(S.IN_TRANSIT, "other line-haul event"),
    # Transit-country customs
    "CC_TRANS_START": _info(S.IN_TRANSIT, "transit-country clearance started"),
    "CC_TRANS_SUCCESS": _info(S.IN_TRANSIT, "transit-country clearance complete"),
    "CC_TRANS_FAILURE": _customs_fail("transit-country clearance failed"),
    # Import customs
    "CC_IM_START": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED, description="import customs clearance started"),
    "CC_IM_PROCESS": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED, description="import clearance in progress"),
    "CC_IM_SUCCESS": CodeMapping(
        S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED, description="import customs clearance complete"
    ),
    "CC_IM_FAILURE": _customs_fail("import customs clearance failed"),
    "CC_HO_IN_SUCCESS": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived at customs"),
    "CC_HO_IN_FAILURE": _fail("customs hand-over in failed"),
    "CC_HO_OUT_SUCCESS": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="departed from customs"),
    "CC_HO_OUT_FAILURE": _fail("customs hand-over out failed"),
    "CUS_DECLARE": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED, description="customs declaration submitted"),
    "CUS_SUCCESS": CodeMapping(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED, description="customs review passed"),
    "CUS_FAILURE": _customs_fail("customs review failed"),
    "CUS_TAX": CodeMapping(S.EXCEPTION, M.CUSTOMS_HELD, Reason.DUTY_UNPAID, description="duties due"),
    "CIQ_SUCCESS": _info(S.IN_TRANSIT, "inspection and quarantine passed"),
    "CIQ_FAILURE": _customs_fail("inspection and quarantine failed"),
    "CUSTOMS_ARRIVED_IN_AREA_CALLBACK": _info(S.IN_TRANSIT, "at the customs bonded warehouse (observed)"),
    # Destination delivery
    "GTMS_ACCEPT": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="received by local delivery company"),
    "GTMS_SC_ARRIVE": CodeMapping(
        S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived at destination sorting center"
    ),
    "GTMS_SC_ARRIVE_FAILURE": _fail("destination sorting center arrival failed"),
    "GTMS_DO_ARRIVE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived at delivery station"),
    # Real traces: "Out for delivery", group AE_GROUP_DELIVERING (docs/partners/cainiao.md#real-traces).
    "GTMS_DO_DEPART": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="left the delivery station: out for delivery"),
    # Real trace: "Shipment departed from facility", group AE_GROUP_DES_PROCESSING (docs/partners/cainiao.md#real-traces).
    "GTMS_OE_DEPART": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="departed a facility in the destination country"),
    "GTMS_DELIVERING": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="out for delivery"),
    "GTMS_DEL_FAILURE": _attempt_fail("delivery failed"),
    "GTMS_RE_DELIVERING": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="re-delivery attempt"),
    "GTMS_RELABEL": _info(S.IN_TRANSIT, "relabelled"),
    "GTMS_SIGNED": CodeMapping(S.DELIVERED, M.DELIVERED, description="delivered"),
    "GTMS_SIGN_FAILURE": _attempt_fail("signature failed"),
    "GTMS_WAIT_SELF_PICK": CodeMapping(
        S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="awaiting self-pickup"
    ),
    "GTMS_STA_SIGNED": CodeMapping(S.DELIVERED, M.DELIVERED, description="signed at pickup station"),
    "GTMS_STA_SIGN_FAILURE": _attempt_fail("pickup station sign failed"),
    "GTMS_STATION_IN": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="arrived at delivery node"),
    "GTMS_STATION_OUT": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="left delivery node"),
    "GTMS_FAILURE": _fail("delivery exception"),
    "GTMS_OTHER": _info(S.IN_TRANSIT, "other delivery event"),
    # Re-routing
    "GTMS_STA_WAIT_CUST_CHANGE_ADDRESS": CodeMapping(
        S.EXCEPTION, M.INFORMATIONAL, Reason.ADDRESS_PROBLEM, Party.CONSIGNEE,
        description="awaiting the buyer's new address",
    ),
    "GTMS_STA_CUST_TO_DOOR": _info(S.IN_TRANSIT, "buyer changed to door delivery"),
    "GTMS_STA_CHANGE": _info(S.IN_TRANSIT, "buyer changed pickup point"),
    "GTMS_STA_CN_TO_DOOR": _info(S.IN_TRANSIT, "system changed to door delivery"),
    "GTMS_STA_CN_CHANGE": _info(S.IN_TRANSIT, "system changed pickup point"),
    "GTMS_STA_CNCP_TO_DOOR": _info(S.IN_TRANSIT, "carrier changed to door delivery"),
    "GTMS_STA_CNCP_CHANGE": _info(S.IN_TRANSIT, "carrier changed pickup point"),
    "TRANSIT_PORT_REROUTE_CALLBACK": _info(S.IN_TRANSIT, "transit port reroute (observed)"),
    # Pickup point
    "GSTA_SIGN": CodeMapping(S.DELIVERED, M.DELIVERED, description="signed at pickup point"),
    "GSTA_SIGN_FAIL": _attempt_fail("sign at pickup point failed"),
    "STA_SIGN": CodeMapping(S.DELIVERED, M.DELIVERED, description="signed at pickup point"),
    "STA_SIGN_FAIL": _attempt_fail("sign at pickup point failed"),
    "GSTAHUB_INBOUND": CodeMapping(
        S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="pickup distribution center inbound"
    ),
    "GSTAHUB_INBOUND_FAIL": _fail("pickup distribution center inbound failed"),
    "GSTA_INBOUND": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="at pickup point"),
    "GSTA_INBOUND_FAIL": _fail("pickup point inbound failed"),
    "GSTA_BUYER_SIGN": CodeMapping(S.DELIVERED, M.DELIVERED, description="buyer signed at pickup point"),
    "GSTA_BUYER_SIGN_FAIL": _attempt_fail("buyer sign at pickup point failed"),
    "GSTA_OTHER": _info(S.IN_TRANSIT, "other pickup point event"),
    # Domestic China: the first mile of a cross-border parcel (see the module docstring).
    "GOT": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="domestic pickup"),
    "REJECT": _fail("domestic pickup failed"),
    "DEPARTURE": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="domestic departure"),
    "ARRIVAL": CodeMapping(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY, description="domestic arrival"),
    "SENT_SCAN": _info(S.IN_TRANSIT, "domestic delivery scan"),
    "SIGNED": CodeMapping(S.IN_TRANSIT, M.HANDED_OVER, description="domestic leg signed for"),
    "FAILED": _fail("domestic delivery failed"),
    # Returns
    "RT_INBOUND": CodeMapping(S.RETURNING, M.ARRIVED_AT_FACILITY, description="return at overseas carrier warehouse"),
    "RETURNED": CodeMapping(S.RETURNED, M.RETURNED_TO_SENDER, description="returned to seller"),
    "RT_OUTBOUND": CodeMapping(S.RETURNING, M.DEPARTED_FACILITY, description="return outbound"),
    "RT_DESTROY": _fail("destroyed by overseas carrier"),
    "RT_HO_OUT": CodeMapping(S.RETURNING, M.HANDED_OVER, description="return handed out"),
    "RT_WH_HO_IN": CodeMapping(S.RETURNING, M.ARRIVED_AT_FACILITY, description="return warehouse received"),
    "RT_WH_HO_IN_FAIL": _fail("return warehouse receive failed"),
    "RT_WH_INBOUND": CodeMapping(S.RETURNING, M.WAREHOUSE_INBOUND, description="return warehouse inbound"),
    "RT_WH_INBOUND_FAILURE": _fail("return warehouse inbound failed"),
    "RT_WH_OUTBOUND": CodeMapping(S.RETURNING, M.WAREHOUSE_OUTBOUND, description="return warehouse outbound"),
    "RT_WH_HO_OUT": CodeMapping(S.RETURNING, M.HANDED_OVER, description="return warehouse handed out"),
    "RT_WH_DESTROY": _fail("destroyed in return warehouse"),
    "RT_TRANSWH_HO_IN": CodeMapping(
        S.RETURNING, M.ARRIVED_AT_FACILITY, description="return transit warehouse received"
    ),
    "RT_TRANSWH_INBOUND": CodeMapping(S.RETURNING, M.WAREHOUSE_INBOUND, description="return transit warehouse inbound"),
    "RT_TRANSWH_OUTBOUND": CodeMapping(
        S.RETURNING, M.WAREHOUSE_OUTBOUND, description="return transit warehouse outbound"
    ),
    "RT_TMS_ACCEPT": CodeMapping(S.RETURNING, M.ACCEPTED, description="domestic carrier accepted the return"),
    # Suspected newer generic codes; COMMON_INTRANSIT is put on pre-shipment notices.
    "COMMON_INTRANSIT": _info(S.IN_TRANSIT, "generic in transit"),
    "COMMON_ACCEPT": CodeMapping(S.IN_TRANSIT, M.ACCEPTED, description="generic accepted"),
    "COMMON_DEPART": CodeMapping(S.IN_TRANSIT, M.DEPARTED_FACILITY, description="generic departed"),
    "COMMON_SIGNED": CodeMapping(S.DELIVERED, M.DELIVERED, description="generic delivered"),
    # Same source, locker API (`cainiao.endpoint.locker.top.order.tracking`).
    "POSTMAN_POST": CodeMapping(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT, description="deposited in locker"),
    # Older J-NET shape (docs/partners/cainiao.md#the-older-j-net-shape); the name says only that the event is visible.
    "VISIBLE_UNKOWN": _info(S.IN_TRANSIT, "visible event of unknown kind (sic)"),
}

# `group.nodeCode` → the stage Cainiao itself states for an entry: the fallback for an
# `actionCode` the table lacks (still counted as an unknown code). Seen in real traces
# (docs/partners/cainiao.md#real-traces); a node code not listed here gives no fallback.
GROUP_NODES: dict[str, CodeMapping] = {
    "AE_GROUP_SC_PROCESSING": _info(S.IN_TRANSIT, "at the origin sorting centre"),
    "AE_GROUP_EX_CLEARING_CUSTOMS": _info(S.IN_TRANSIT, "at customs"),
    "AE_GROUP_LH_PROCESSING": _info(S.IN_TRANSIT, "in line-haul"),
    "AE_GROUP_LH_ARRIVE": CodeMapping(S.IN_TRANSIT, M.ARRIVED_DESTINATION_COUNTRY, description="arrived in the destination country"),
    "AE_GROUP_IM_CLEARING_CUSTOMS": _info(S.IN_TRANSIT, "at import customs"),
    "AE_GROUP_DES_PROCESSING": _info(S.IN_TRANSIT, "processed in the destination country"),
    "AE_GROUP_DELIVERING": CodeMapping(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY, description="out for delivery"),
    "AE_GROUP_DELIVERED": CodeMapping(S.DELIVERED, M.DELIVERED, description="delivered"),
    "AE_GROUP_SIGNED": CodeMapping(S.DELIVERED, M.DELIVERED, description="delivered"),
}

# A mailNo is an S10 number (a postal product: it links Cainiao to Russian Post) or one of
# Cainiao's own shapes (LP…, AE…, XX…Y); S10 first, as the stricter pattern.
MAIL_NO_SCHEMES: tuple[Scheme, ...] = (Scheme.S10, Scheme.CAINIAO)

# Schemes a cross-reference (`preMainCode:…` in a carrier note) may link to: carriers'
# parcel numbers, never a marketplace's own ids (ozon_posting, wb_task) nor free-form ones.
CROSS_REFERENCE_SCHEMES: frozenset[Scheme] = frozenset(
    {Scheme.S10, Scheme.RP, Scheme.CAINIAO, Scheme.BOXBERRY, Scheme.CDEK}
)
