"""Dead-letter reasons, headers and per-message outcomes (docs/architecture.md#dead-letters)."""

from enum import StrEnum


class DeadLetterReason(StrEnum):
    """Why a message could not be turned into events. Closed: a new reason is a schema change."""

    NOT_JSON = "not_json"
    NOT_XML = "not_xml"
    UNSAFE_XML = "unsafe_xml"
    BAD_ENCODING = "bad_encoding"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    SCHEMA_MISMATCH = "schema_mismatch"
    BAD_VALUE = "bad_value"
    UNKNOWN_FORMAT = "unknown_format"
    MISSING_SUBJECT = "missing_subject"
    PARTNER_MISMATCH = "partner_mismatch"
    NO_CONTRACT = "no_contract"
    FX_MISSING = "fx_missing"
    INTERNAL_ERROR = "internal_error"


class DeadLetterHeader(StrEnum):
    """Record headers on `hub.deadletter`; the value and key are the original bytes."""

    REASON = "hub-dlq-reason"
    ERROR_TYPE = "hub-dlq-error-type"
    STAGE = "hub-dlq-stage"
    SOURCE_TOPIC = "hub-dlq-source-topic"
    SOURCE_PARTITION = "hub-dlq-source-partition"
    SOURCE_OFFSET = "hub-dlq-source-offset"
    PARTNER = "hub-dlq-partner"
    ADAPTER_VERSION = "hub-dlq-adapter-version"


class Outcome(StrEnum):
    """Exactly one per consumed partner message, and counted."""

    NORMALISED = "normalised"
    IGNORED = "ignored"  # not a tracking message: CDEK PRINT_FORM, Ozon TYPE_PING
    PARTIAL = "partial"  # good items kept, bad items counted
    DEAD_LETTERED = "dead_lettered"


# Record header naming the parcel of a format that does not name it itself.
SUBJECT_HEADER = "hub-subject"
# Record header naming the partner a publisher sent the record for (`hub publish --partner`,
# an ingestion gateway); on another partner's topic the record is dead-lettered `partner_mismatch`.
PARTNER_HEADER = "hub-partner"
# Record header on a dead letter sent back to its source topic after a fix.
REPLAYED_FROM_HEADER = "hub-replayed-from"
