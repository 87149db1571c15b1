"""Every Cainiao actionCode docs/partners/cainiao.md#actioncode-table lists is in the table and maps to a real
status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cainiao.codes import ACTION_CODES
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/cainiao.md#actioncode-table, group by group (observed codes included).
DOCUMENTED = {
    # Dispatch / origin
    "CONSIGN", "OM_CONSIGN", "GTMS_ASN", "LAST_MILE_ASN_NOTIFY",
    # Global warehouse
    "GWMS_ACCEPT", "GWMS_REJECT", "GWMS_PICK", "GWMS_PACKAGE", "GWMS_OUTBOUND", "GWMS_HANDOVER",
    "GWMS_EXCEPTION", "GWMS_CANCEL", "WMS_CONFIRMED",
    # Pickup
    "PU_PICKUP_SUCCESS", "PU_PICKUP_FAILURE", "PU_SIGN_IN_SUCCESS", "PU_SIGN_IN_FAILURE",
    # Origin warehouse
    "CW_INBOUND", "CW_OUTBOUND",
    # Sorting centre
    "SC_INBOUND_SUCCESS", "SC_INBOUND_FAILURE", "SC_OUTBOUND_SUCCESS", "SC_OUTBOUND_FAILURE",
    "SC_HO_OUT_SUCCESS", "SC_HO_OUT_FAILURE", "SC_SIGN_IN_SUCCESS", "SC_SIGN_IN_FAILURE",
    # Transit hub
    "TD_TRANS_ARRIVE", "TD_TRANS_DEPART",
    # Export customs
    "CC_EX_START", "CC_EX_SUCCESS", "CC_EX_FAILURE",
    # Line-haul
    "LH_HO_IN_SUCCESS", "LH_HO_IN_FAILURE", "LH_POST_COLLECTION", "LH_HO_AIRLINE", "LH_HO_AIRLINE_FAILURE",
    "LH_DEPART", "LH_ARRIVE", "LH_ARRIVE_FAILURE", "LH_HO_OUT_SUCCESS", "LH_HO_OUT_FAILURE", "LH_OTHER",
    # Transit-country customs
    "CC_TRANS_START", "CC_TRANS_SUCCESS", "CC_TRANS_FAILURE",
    # Import customs
    "CC_IM_START", "CC_IM_PROCESS", "CC_IM_SUCCESS", "CC_IM_FAILURE", "CC_HO_IN_SUCCESS", "CC_HO_IN_FAILURE",
    "CC_HO_OUT_SUCCESS", "CC_HO_OUT_FAILURE", "CUS_DECLARE", "CUS_SUCCESS", "CUS_FAILURE", "CUS_TAX",
    "CIQ_SUCCESS", "CIQ_FAILURE", "CUSTOMS_ARRIVED_IN_AREA_CALLBACK",
    # Destination delivery
    "GTMS_ACCEPT", "GTMS_SC_ARRIVE", "GTMS_SC_ARRIVE_FAILURE", "GTMS_DO_ARRIVE", "GTMS_DO_DEPART",
    "GTMS_DELIVERING", "GTMS_DEL_FAILURE", "GTMS_RE_DELIVERING", "GTMS_RELABEL", "GTMS_SIGNED",
    "GTMS_SIGN_FAILURE", "GTMS_WAIT_SELF_PICK", "GTMS_STA_SIGNED", "GTMS_STA_SIGN_FAILURE", "GTMS_STATION_IN",
    "GTMS_STATION_OUT", "GTMS_FAILURE", "GTMS_OTHER",
    # Re-routing
    "GTMS_STA_WAIT_CUST_CHANGE_ADDRESS", "GTMS_STA_CUST_TO_DOOR", "GTMS_STA_CHANGE", "GTMS_STA_CN_TO_DOOR",
    "GTMS_STA_CN_CHANGE", "GTMS_STA_CNCP_TO_DOOR", "GTMS_STA_CNCP_CHANGE", "TRANSIT_PORT_REROUTE_CALLBACK",
    # Pickup point
    "GSTA_SIGN", "GSTA_SIGN_FAIL", "STA_SIGN", "STA_SIGN_FAIL", "GSTAHUB_INBOUND", "GSTAHUB_INBOUND_FAIL",
    "GSTA_INBOUND", "GSTA_INBOUND_FAIL", "GSTA_BUYER_SIGN", "GSTA_BUYER_SIGN_FAIL", "GSTA_OTHER",
    # Domestic CN
    "GOT", "REJECT", "DEPARTURE", "ARRIVAL", "SENT_SCAN", "SIGNED", "FAILED",
    # Returns
    "RT_INBOUND", "RETURNED", "RT_OUTBOUND", "RT_DESTROY", "RT_HO_OUT", "RT_WH_HO_IN", "RT_WH_HO_IN_FAIL",
    "RT_WH_INBOUND", "RT_WH_INBOUND_FAILURE", "RT_WH_OUTBOUND", "RT_WH_HO_OUT", "RT_WH_DESTROY",
    "RT_TRANSWH_HO_IN", "RT_TRANSWH_INBOUND", "RT_TRANSWH_OUTBOUND", "RT_TMS_ACCEPT",
    # Suspected newer generic codes
    "COMMON_INTRANSIT", "COMMON_ACCEPT", "COMMON_DEPART", "COMMON_SIGNED",
    # Other sources (J-NET sample)
    "VISIBLE_UNKOWN",
}


def test_every_documented_code_is_mapped() -> None:
    assert DOCUMENTED <= ACTION_CODES.keys(), sorted(DOCUMENTED - ACTION_CODES.keys())
    for code, mapping in ACTION_CODES.items():
        assert mapping.status is not Status.UNKNOWN, code
        assert mapping.milestone is not Milestone.UNKNOWN, code
    print(f"cainiao: {len(ACTION_CODES)} actionCodes mapped "
          f"({len(DOCUMENTED)} listed in docs/partners/cainiao.md#actioncode-table)")


def test_every_code_in_the_captures_is_mapped() -> None:
    seen = set()
    for path in (Path(__file__).parent / "cases").glob("cainiao_*.json"):
        for module in json.loads(path.read_bytes())["module"]:
            seen.update(trace["actionCode"] for trace in module["detailList"])
    assert len(seen) >= 19
    assert seen <= ACTION_CODES.keys()


def test_a_domestic_signature_is_never_the_buyers_receipt() -> None:
    # The domestic Chinese leg is a cross-border parcel's first mile (see the table's docstring).
    assert ACTION_CODES["SIGNED"].status is Status.IN_TRANSIT
