"""The closed vocabularies of the canonical event (docs/architecture.md#vocabularies).

An addition goes into that page's lists and here together; a partner code that fits
none of them maps to `unknown`, never to a guess.
"""

from enum import StrEnum


class Status(StrEnum):
    """The coarse state of a parcel, what a buyer or an operator asks first."""

    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    ATTEMPT_FAILED = "attempt_failed"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class Milestone(StrEnum):
    """The finer step behind a status; `informational` is a real code that changes nothing."""

    ORDER_PLACED = "order_placed"
    ACCEPTED = "accepted"
    WAREHOUSE_INBOUND = "warehouse_inbound"
    WAREHOUSE_STORED = "warehouse_stored"
    WAREHOUSE_OUTBOUND = "warehouse_outbound"
    CERTIFIED = "certified"
    EXPORT_CUSTOMS_STARTED = "export_customs_started"
    EXPORT_CUSTOMS_CLEARED = "export_customs_cleared"
    DEPARTED_ORIGIN = "departed_origin"
    ARRIVED_DESTINATION_COUNTRY = "arrived_destination_country"
    IMPORT_CUSTOMS_STARTED = "import_customs_started"
    IMPORT_CUSTOMS_CLEARED = "import_customs_cleared"
    CUSTOMS_HELD = "customs_held"
    DUTY_PAID = "duty_paid"
    ARRIVED_AT_FACILITY = "arrived_at_facility"
    DEPARTED_FACILITY = "departed_facility"
    HANDED_OVER = "handed_over"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVED_AT_PICKUP_POINT = "arrived_at_pickup_point"
    STORAGE_EXPIRING = "storage_expiring"
    DELIVERY_ATTEMPT_FAILED = "delivery_attempt_failed"
    DELIVERED = "delivered"
    COD_COLLECTED = "cod_collected"
    RETURN_STARTED = "return_started"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"
    LOST = "lost"
    DAMAGED = "damaged"
    INFORMATIONAL = "informational"
    UNKNOWN = "unknown"


class Leg(StrEnum):
    """A stretch of the journey; it follows from the milestone and the partner's kind and country."""

    FIRST_MILE = "first_mile"
    ORIGIN_WAREHOUSE = "origin_warehouse"
    EXPORT_CUSTOMS = "export_customs"
    LINE_HAUL = "line_haul"
    IMPORT_CUSTOMS = "import_customs"
    DESTINATION_WAREHOUSE = "destination_warehouse"
    LAST_MILE = "last_mile"
    PICKUP_POINT = "pickup_point"
    RETURN = "return"


class PartnerKind(StrEnum):
    MARKETPLACE = "marketplace"
    LOGISTICS_PLATFORM = "logistics_platform"
    POST = "post"
    COURIER = "courier"
    WAREHOUSE = "warehouse"
    PICKUP_POINT = "pickup_point"


class Party(StrEnum):
    """Who is at fault for a reason (karrio-style), so operations know whom to chase."""

    CARRIER = "carrier"
    CUSTOMS = "customs"
    CONSIGNEE = "consignee"
    SENDER = "sender"
    MARKETPLACE = "marketplace"
    PLATFORM = "platform"


class Reason(StrEnum):
    """Why a parcel is in an exception, failed an attempt or went back."""

    ADDRESSEE_ABSENT = "addressee_absent"
    ADDRESSEE_REFUSED = "addressee_refused"
    ADDRESS_PROBLEM = "address_problem"
    STORAGE_EXPIRED = "storage_expired"
    CUSTOMS_HOLD = "customs_hold"
    CUSTOMS_REFUSED = "customs_refused"
    DUTY_UNPAID = "duty_unpaid"
    DOCUMENTS_MISSING = "documents_missing"
    PROHIBITED_CONTENTS = "prohibited_contents"
    DAMAGED = "damaged"
    LOST = "lost"
    DELAYED = "delayed"
    MISROUTED = "misrouted"
    SENDER_REQUEST = "sender_request"
    FORCE_MAJEURE = "force_majeure"
    OTHER = "other"


# The party usually at fault for each reason; an adapter may name another when its
# partner's code says so (a CDEK damage "at the carrier" versus "at the sender").
REASON_PARTY: dict[Reason, Party] = {
    Reason.ADDRESSEE_ABSENT: Party.CONSIGNEE,
    Reason.ADDRESSEE_REFUSED: Party.CONSIGNEE,
    Reason.ADDRESS_PROBLEM: Party.SENDER,
    Reason.STORAGE_EXPIRED: Party.CONSIGNEE,
    Reason.CUSTOMS_HOLD: Party.CUSTOMS,
    Reason.CUSTOMS_REFUSED: Party.CUSTOMS,
    Reason.DUTY_UNPAID: Party.CONSIGNEE,
    Reason.DOCUMENTS_MISSING: Party.SENDER,
    Reason.PROHIBITED_CONTENTS: Party.SENDER,
    Reason.DAMAGED: Party.CARRIER,
    Reason.LOST: Party.CARRIER,
    Reason.DELAYED: Party.CARRIER,
    Reason.MISROUTED: Party.CARRIER,
    Reason.SENDER_REQUEST: Party.SENDER,
    Reason.FORCE_MAJEURE: Party.CARRIER,
    Reason.OTHER: Party.CARRIER,
}
