"""Hub-native events → canonical status (docs/hub-native-format.md, schemas/hub_native.schema.json).

A hub-native event names its milestone directly, so the mapping is total by construction:
every accepted event is a Milestone value, and its status follows from this table. Only
`informational` and `unknown` are not events an operator can send (an operator sends facts).
On the way back (`"direction": "return"`) forward statuses become `returning`, and a
delivery is the parcel reaching its sender again.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Milestone as M
from schemas import Reason
from schemas import Status as S


@dataclass(frozen=True)
class EventMapping:
    status: S
    # The reason the event itself states, used when the message names none.
    reason: Reason | None = None


EVENTS: dict[M, EventMapping] = {
    M.ORDER_PLACED: EventMapping(S.INFO_RECEIVED),
    M.ACCEPTED: EventMapping(S.IN_TRANSIT),
    M.WAREHOUSE_INBOUND: EventMapping(S.IN_TRANSIT),
    M.WAREHOUSE_STORED: EventMapping(S.IN_TRANSIT),
    M.WAREHOUSE_OUTBOUND: EventMapping(S.IN_TRANSIT),
    M.CERTIFIED: EventMapping(S.IN_TRANSIT),
    M.EXPORT_CUSTOMS_STARTED: EventMapping(S.IN_TRANSIT),
    M.EXPORT_CUSTOMS_CLEARED: EventMapping(S.IN_TRANSIT),
    M.DEPARTED_ORIGIN: EventMapping(S.IN_TRANSIT),
    M.ARRIVED_DESTINATION_COUNTRY: EventMapping(S.IN_TRANSIT),
    M.IMPORT_CUSTOMS_STARTED: EventMapping(S.IN_TRANSIT),
    M.IMPORT_CUSTOMS_CLEARED: EventMapping(S.IN_TRANSIT),
    M.CUSTOMS_HELD: EventMapping(S.EXCEPTION, Reason.CUSTOMS_HOLD),
    M.DUTY_PAID: EventMapping(S.IN_TRANSIT),
    M.ARRIVED_AT_FACILITY: EventMapping(S.IN_TRANSIT),
    M.DEPARTED_FACILITY: EventMapping(S.IN_TRANSIT),
    M.HANDED_OVER: EventMapping(S.IN_TRANSIT),
    M.OUT_FOR_DELIVERY: EventMapping(S.OUT_FOR_DELIVERY),
    M.ARRIVED_AT_PICKUP_POINT: EventMapping(S.AVAILABLE_FOR_PICKUP),
    M.STORAGE_EXPIRING: EventMapping(S.AVAILABLE_FOR_PICKUP),
    M.DELIVERY_ATTEMPT_FAILED: EventMapping(S.ATTEMPT_FAILED),
    M.DELIVERED: EventMapping(S.DELIVERED),
    M.COD_COLLECTED: EventMapping(S.DELIVERED),
    M.RETURN_STARTED: EventMapping(S.RETURNING),
    M.RETURNED_TO_SENDER: EventMapping(S.RETURNED),
    M.CANCELLED: EventMapping(S.CANCELLED),
    M.LOST: EventMapping(S.EXCEPTION, Reason.LOST),
    M.DAMAGED: EventMapping(S.EXCEPTION, Reason.DAMAGED),
}

# The event names the format accepts: exactly the keys above, as strings.
EVENT_NAMES: frozenset[str] = frozenset(m.value for m in EVENTS)

RETURN_STATUS: dict[S, S] = {
    S.INFO_RECEIVED: S.RETURNING,
    S.IN_TRANSIT: S.RETURNING,
    S.OUT_FOR_DELIVERY: S.RETURNING,
    S.AVAILABLE_FOR_PICKUP: S.RETURNING,
    S.ATTEMPT_FAILED: S.RETURNING,
    S.DELIVERED: S.RETURNED,
}
RETURN_MILESTONE: dict[M, M] = {
    M.ORDER_PLACED: M.RETURN_STARTED,
    M.DELIVERED: M.RETURNED_TO_SENDER,
}
