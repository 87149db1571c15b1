"""Partner payloads through pydantic: tolerant models, and their errors in one line."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters._shared.items import BadItem
from adapters.base import AdapterError
from schemas import DeadLetterReason

T = TypeVar("T", bound=BaseModel)


class Tolerant(BaseModel):
    """A partner's object as the adapter reads it: fields it does not know are ignored, and a
    JSON number where text is expected is read as its text (identifiers, codes, amounts)."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


def first_error(err: ValidationError) -> str:
    """The first thing pydantic found wrong, as `location: message`."""
    first = err.errors()[0]
    return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"[:300]


def validated(model: type[T], data: Any, reason: DeadLetterReason = DeadLetterReason.SCHEMA_MISMATCH) -> T:
    """`data` read as `model`; a payload that does not fit is an `AdapterError` with `reason`."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise AdapterError(reason, first_error(err)) from err


def validated_item(model: type[T], item: object, not_object: str = "not an object") -> T:
    """One item of a list (a JSON object) read as `model`; one that does not fit is a `BadItem`,
    and the rest of the list is kept (adapters._shared.items)."""
    if not isinstance(item, dict):
        raise BadItem(not_object)
    try:
        return model.model_validate(item)
    except ValidationError as err:
        raise BadItem(first_error(err)) from err
