"""The `hub-subject` header (docs/architecture.md#the-hub-subject-header).

Formats that do not name their parcel (Russian Post cash-on-delivery events, Boxberry status
lists, AliExpress orders and tracking results, an SPSR invoice without its number) get it
from the publisher, as `scheme:VALUE` in the record header; adapters read it as
`AdapterOptions.subject`.
"""

from __future__ import annotations

from adapters.base import AdapterError, AdapterOptions
from schemas import DeadLetterReason, Identifier, Level
from schemas.identifiers import InvalidIdentifier


def subject_header(options: AdapterOptions, *, missing: str | None, parcel: bool = True) -> Identifier | None:
    """The header as an identifier.

    Absent or empty: None, or `missing_subject` with the message `missing` when the format
    cannot do without it. Not `scheme:VALUE`: `bad_value`. With `parcel`, it must name a
    parcel (`bad_value` for an order or shop number).
    """
    if not options.subject:
        if missing is not None:
            raise AdapterError(DeadLetterReason.MISSING_SUBJECT, missing)
        return None
    try:
        identifier = Identifier.parse(options.subject.strip())
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"hub-subject: {err}"[:200]) from err
    if parcel and identifier.level is not Level.PARCEL:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"hub-subject {identifier} is not a parcel identifier")
    return identifier
