"""Cainiao global tracking `detail.json` (docs/partners/cainiao.md), shaped like the two real captures:
`module[0]` with the parcel's `mailNo`, `detailList` newest first, `latestTrace` repeating the
newest entry, `time` in epoch milliseconds, `timeStr` that instant in UTC+8 whatever
`timeZone` says, and `group` on the newest entry of each node. A polled history."""

from __future__ import annotations

import random
from datetime import datetime

from simulator.clock import CHINA, wall
from simulator.formats import dump_json, message, snapshots, unknown_codes
from simulator.model import Message, Step, Track

_ICONS = "https://img.alicdn.com/imgextra/"
_GROUP_ICONS = {
    "transit": (_ICONS + "i4/O1CN01MZ8JBd1yVWTLbfuHQ_!!6000000006584-2-tps-48-48.png",
                _ICONS + "i1/O1CN01fPAIee1a5pTIgKnuB_!!6000000003279-2-tps-48-48.png"),
    "linehaul": (_ICONS + "i2/O1CN01l8BIMq1EODph4KRRA_!!6000000000341-2-tps-48-48.png",
                 _ICONS + "i2/O1CN0105wJp023L3Uvas9vZ_!!6000000007238-2-tps-48-48.png"),
    "customs": (_ICONS + "i3/O1CN01J7ktUO1P3Zkm5WUx2_!!6000000001785-2-tps-48-48.png",
                _ICONS + "i2/O1CN0109QPvs1bB9hESPre0_!!6000000003426-2-tps-48-50.png"),
    "warehouse": (_ICONS + "i4/O1CN01mBYeeD1x5aQN6r5Xc_!!6000000006392-2-tps-48-48.png",
                  _ICONS + "i1/O1CN01zIP37V1cPBRLw5fvI_!!6000000003592-2-tps-48-50.png"),
}
# nodeCode → (nodeDesc, icon set), from the captures.
_NODES = {
    "AE_GROUP_WH_PROCESSING": ("Store processing the order", "warehouse"),
    "AE_GROUP_PU_PROCESSING": ("In transit", "transit"),
    "AE_GROUP_SC_PROCESSING": ("In transit", "transit"),
    "AE_GROUP_LH_PROCESSING": ("In transit", "linehaul"),
    "AE_GROUP_LH_ARRIVE": ("In transit", "linehaul"),
    "AE_GROUP_EX_CLEARING_CUSTOMS": ("At customs", "customs"),
    "AE_GROUP_IM_CLEARING_CUSTOMS": ("At customs", "customs"),
    "AE_GROUP_DES_PROCESSING": ("In transit", "transit"),
}
# actionCode → (desc, standerdDesc, timeZone, nodeCode), wording from the captures
# (docs/partners/cainiao.md#capture-event-sequence).
ACTIONS: dict[str, tuple[str, str, str, str | None]] = {
    "GWMS_ACCEPT": (
        "Order received successfully",
        "Shipment information received by warehouse electronically", "GMT+0800", "AE_GROUP_WH_PROCESSING",
    ),
    "GWMS_PACKAGE": (
        "Package finished", "Package ready for shipping from warehouse", "", "AE_GROUP_WH_PROCESSING",
    ),
    "GWMS_OUTBOUND": (
        "Leave the warehouse", "Package shipped out from warehouse", "GMT+0800", "AE_GROUP_WH_PROCESSING",
    ),
    "PU_PICKUP_SUCCESS": (
        "Accepted by carrier", "Received by logistics company", "GMT+8", "AE_GROUP_PU_PROCESSING",
    ),
    "SC_INBOUND_SUCCESS": (
        "Inbound in sorting center", "[{place}] Processing at sorting center", "GMT+8", "AE_GROUP_SC_PROCESSING",
    ),
    "SC_OUTBOUND_SUCCESS": (
        "Outbound in sorting center", "[{place}] Departed from sorting center", "GMT+8", "AE_GROUP_SC_PROCESSING",
    ),
    "LH_HO_IN_SUCCESS": (
        "Arrived at departure transport hub", "Arrived at departure transport hub", "GMT+8", "AE_GROUP_LH_PROCESSING",
    ),
    "CC_EX_START": (
        "Export customs clearance started", "Export customs clearance started", "GMT+8", "AE_GROUP_EX_CLEARING_CUSTOMS",
    ),
    "CC_EX_SUCCESS": (
        "Export clearance success", "Export customs clearance complete", "GMT+8", "AE_GROUP_EX_CLEARING_CUSTOMS",
    ),
    "LH_HO_AIRLINE": (
        "Leaving from departure country/region",
        "Leaving from departure country/region", "GMT+8", "AE_GROUP_LH_PROCESSING",
    ),
    "LH_DEPART": (
        "Left from departure country/region",
        "Departed from departure country/region", "GMT+8", "AE_GROUP_LH_PROCESSING",
    ),
    "LH_ARRIVE": (
        "Arrived at linehual office", "Arrived at linehaul office", "GMT+3", "AE_GROUP_LH_ARRIVE",
    ),
    "CC_IM_START": (
        "Import clearance start", "Import customs clearance started", "GMT+3", "AE_GROUP_IM_CLEARING_CUSTOMS",
    ),
    "CC_HO_IN_SUCCESS": (
        "Arrived at customs", "Arrived at customs", "GMT+3", "AE_GROUP_IM_CLEARING_CUSTOMS",
    ),
    "CC_IM_SUCCESS": (
        "Import customs clearance complete",
        "Import customs clearance complete", "GMT+3", "AE_GROUP_IM_CLEARING_CUSTOMS",
    ),
    "GTMS_ACCEPT": (
        "Received by local  delivery company", "Received by local delivery company", "GMT+3", "AE_GROUP_DES_PROCESSING",
    ),
    # Undocumented codes (not in docs/partners/cainiao.md#actioncode-table) the unknown-code fault injects.
    "LH_HUB_TRANSFER": (
        "Transferred between line-haul hubs", "Carrier update", "GMT+8", None,
    ),
    "GTMS_LOCKER_DEPOSIT": (
        "Deposited to partner locker", "Carrier update", "GMT+3", None,
    ),
}
UNDOCUMENTED: tuple[str, ...] = ("LH_HUB_TRANSFER", "GTMS_LOCKER_DEPOSIT")

# The module's `status`/`statusDesc` by the newest node: `CLEAR_CUSTOMS` is in the captures,
# the others are the third-party list of docs/partners/cainiao.md#response-shape [U].
_MODULE_STATUS = {
    "AE_GROUP_WH_PROCESSING": ("WAIT_ACCEPT", "Processing "),
    "AE_GROUP_PU_PROCESSING": ("ACCEPTED", "Accepted "),
    "AE_GROUP_SC_PROCESSING": ("ACCEPTED", "Accepted "),
    "AE_GROUP_LH_PROCESSING": ("TRANSITING", "In transit "),
    "AE_GROUP_LH_ARRIVE": ("TRANSITING", "In transit "),
    "AE_GROUP_EX_CLEARING_CUSTOMS": ("CLEAR_CUSTOMS", "In customs "),
    "AE_GROUP_IM_CLEARING_CUSTOMS": ("CLEAR_CUSTOMS", "In customs "),
    "AE_GROUP_DES_PROCESSING": ("DELIVERING", "In transit "),
}
_CARRIERS = {
    "russian_post": {"cpName": "Russian Post", "phone": "8-800-100-00-00", "url": "https://www.pochta.ru/tracking"},
    "cdek": {"cpName": "CDEK", "phone": "8-800-250-04-05", "url": "https://www.cdek.ru/ru/tracking"},
    "spsr": {"cpName": "SPSR Express", "phone": "", "url": "https://www.spsr.ru"},
}


def messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    for at, known in snapshots(track, rng, chance=0.5, lag_hours=(0.5, 10)):
        out.append(message(track, at, _detail(track, known, at), "json", unknown=unknown_codes(known), steps=known))
    return out


def trace(step: Step) -> dict:
    desc, standard, zone, _node = ACTIONS[step.code]
    place = step.data.get("place", "")
    millis = int(step.at.timestamp() * 1000) + step.data.get("millis", 0)
    return {
        "time": millis,
        "timeStr": wall(step.at, CHINA, "%Y-%m-%d %H:%M:%S"),
        "desc": desc.format(place=place),
        "standerdDesc": standard.format(place=place),
        "descTitle": "Carrier note:",
        "timeZone": zone,
        "actionCode": step.code,
    }


def _detail(track: Track, known: list[Step], polled: datetime) -> bytes:
    newest_first = sorted(known, key=lambda s: s.at, reverse=True)
    details = []
    grouped: list[str] = []
    for step in newest_first:
        entry = trace(step)
        node = ACTIONS[step.code][3]
        if node is not None and node not in grouped:
            grouped.append(node)
            node_desc, icons = _NODES[node]
            entry["group"] = {"nodeCode": node, "nodeDesc": node_desc,
                              "currentIconUrl": _GROUP_ICONS[icons][0], "historyIconUrl": _GROUP_ICONS[icons][1]}
        details.append(entry)
    newest_node = next((ACTIONS[s.code][3] for s in newest_first if ACTIONS[s.code][3]), "AE_GROUP_PU_PROCESSING")
    status, status_desc = _MODULE_STATUS[newest_node]
    info = track.info
    in_russia = ("AE_GROUP_LH_ARRIVE", "AE_GROUP_IM_CLEARING_CUSTOMS", "AE_GROUP_DES_PROCESSING")
    arrived = any(ACTIONS[s.code][3] in in_russia for s in known)
    progress = 0.25 + 0.1666666666666666 * (1 if arrived else 0) + (0.1666666666666666 if status == "DELIVERING" else 0)
    days = max(1, (polled - known[0].at).days)
    eta = int(info["eta"].timestamp() * 1000)
    module = {
        "mailNo": info["mail_no"],
        "originCountry": "Mainland China",
        "destCountry": "Russia",
        "destCpInfo": _CARRIERS[info["carrier"]],
        "status": status,
        "statusDesc": status_desc,
        "mailNoSource": "AE",
        "processInfo": {
            "progressStatus": "NORMAL",
            "progressRate": progress,
            "type": "CROSS",
            "progressPointList": [
                {"pointName": "Mainland China", "light": True},
                {"pointName": "Russia", "light": True} if arrived else {"pointName": "Russia", "reload": True},
                {"pointName": "Destination city"},
                {"pointName": "Delivered"},
            ],
        },
        "globalEtaInfo": {"etaDesc": "Estimated delivery by", "deliveryMinTime": eta - 3 * 86_400_000,
                          "deliveryMaxTime": eta},
        "latestTrace": details[0],
        "detailList": details,
        "daysNumber": f"{days}\tday(s)",
    }
    return dump_json({"module": [module], "success": True}, indent=None, compact=True)
