"""Contracts: the terms settlements are computed under, loaded from TOML and validated.

A file holds contracts (each versioned and effective-dated) and an FX table. A bad file is
refused with one line naming the contract and the field. Every worker settles under the
same terms because they are published to the compacted `hub.contracts` topic, keyed by
contract id and version, with the file's hash.
"""

from __future__ import annotations

import hashlib
import tomllib
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from schemas import Leg, Status
from schemas.money import Rounding

_strict = ConfigDict(frozen=True, extra="forbid")


class VatMode(StrEnum):
    INCLUDED = "included"  # the fee includes VAT; vat is the part of it
    EXCLUDED = "excluded"  # VAT is charged on top of the fee
    NONE = "none"


class ContractError(ValueError):
    """A contracts file that cannot be used; the message is one line."""


class Filters(BaseModel):
    model_config = _strict

    marketplace: tuple[str, ...] = ()
    carrier: tuple[str, ...] = ()
    leg: tuple[Leg, ...] = ()
    # origin-destination-city, `*` for any part: "CN-RU-*", "CN-RU-Москва".
    corridor: tuple[str, ...] = ()


class _ContractBase(BaseModel):
    model_config = _strict

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")]
    version: Annotated[int, Field(ge=1)]
    effective_from: date
    timezone: str = "Europe/Moscow"
    rounding: Rounding = Rounding.HALF_UP
    vat: VatMode = VatMode.NONE
    vat_rate: Decimal = Decimal("0")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "RUB"
    rate: Annotated[Decimal, Field(ge=0, le=1)]
    description: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ShipmentShare(_ContractBase):
    """The payee earns `rate` of the order value a shipment carries when it reaches `trigger`."""

    kind: Literal["shipment_share"]
    payer: str
    payee: str
    trigger: Status = Status.DELIVERED
    reverse_on: tuple[Status, ...] = (Status.RETURNED,)
    filters: Filters = Filters()


class PeriodTurnoverFee(_ContractBase):
    """Each payer owes `rate` of its quarter's turnover when its annual revenue exceeds `threshold_minor`."""

    kind: Literal["period_turnover_fee"]
    payers: tuple[str, ...]
    payee: str
    threshold_minor: Annotated[int, Field(ge=0)]
    # "declared": the figures in `declared_annual_revenue_minor`; "trailing": the four
    # quarters ending with the closing one, from the hub's own turnover.
    revenue_basis: Literal["declared", "trailing"] = "declared"
    declared_annual_revenue_minor: dict[str, int] = {}


Contract = Annotated[ShipmentShare | PeriodTurnoverFee, Field(discriminator="kind")]
CONTRACT = TypeAdapter(Contract)


class FxRate(BaseModel):
    model_config = _strict

    date: date
    base: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    quote: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    rate: Annotated[Decimal, Field(gt=0)]


class ContractSet(BaseModel):
    """What one contracts file holds, with its hash; the unit published to hub.contracts."""

    model_config = _strict

    file_hash: str
    contracts: tuple[Contract, ...]
    fx: tuple[FxRate, ...] = ()
    # "id:version" → hash of the file that published it, when versions came from several files.
    version_hashes: dict[str, str] = {}

    def hash_for(self, contract: ShipmentShare | PeriodTurnoverFee) -> str:
        return self.version_hashes.get(f"{contract.id}:{contract.version}", self.file_hash)

    def fx_rate(self, base: str, quote: str, on: date) -> Decimal | None:
        """The rate in effect on `on`: the latest one dated on or before it."""
        if base == quote:
            return Decimal(1)
        rates = [r for r in self.fx if r.base == base and r.quote == quote and r.date <= on]
        return max(rates, key=lambda r: r.date).rate if rates else None


def load_contracts(path: Path) -> ContractSet:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ContractError(f"{path}: {err.strerror}") from err
    return parse_contracts(raw, str(path))


def parse_contracts(raw: bytes, source: str = "contracts") -> ContractSet:
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ContractError(f"{source}: not valid TOML: {err}") from err
    contracts = []
    for index, item in enumerate(document.get("contracts", [])):
        name = item.get("id", f"#{index + 1}") if isinstance(item, dict) else f"#{index + 1}"
        try:
            contracts.append(CONTRACT.validate_python(item))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"] if p not in ("shipment_share", "period_turnover_fee"))
            raise ContractError(f"{source}: contract {name}: {field or 'kind'}: {first['msg']}") from None
    if not contracts:
        raise ContractError(f"{source}: no [[contracts]] in the file")
    seen = set()
    for contract in contracts:
        if (contract.id, contract.version) in seen:
            raise ContractError(f"{source}: contract {contract.id}: version: {contract.version} appears twice")
        seen.add((contract.id, contract.version))
    try:
        fx = tuple(FxRate.model_validate(r) for r in document.get("fx", []))
    except ValidationError as err:
        first = err.errors()[0]
        raise ContractError(f"{source}: fx: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    return ContractSet(file_hash=hashlib.sha256(raw).hexdigest()[:16], contracts=tuple(contracts), fx=fx)


def check_publishable(published: dict[tuple[str, int], str], incoming: ContractSet, today: date) -> None:
    """Refuse a version that would apply retroactively, or another file under an existing version.

    `published` maps (contract id, version) to the file hash already on hub.contracts.
    """
    for contract in incoming.contracts:
        key = (contract.id, contract.version)
        if key in published:
            if published[key] != incoming.file_hash:
                raise ContractError(
                    f"contract {contract.id}: version {contract.version} was published from another file; publish a new version"
                )
            continue
        if contract.effective_from < today and any(k[0] == contract.id for k in published):
            raise ContractError(
                f"contract {contract.id}: version {contract.version} would apply retroactively from {contract.effective_from}"
            )


def effective_version(contracts: list, contract_id: str, on: datetime):
    """The version of `contract_id` in effect at `on` (in the contract's own zone), or None."""
    candidates = [c for c in contracts if c.id == contract_id and c.effective_from <= on.astimezone(c.zone).date()]
    return max(candidates, key=lambda c: c.version) if candidates else None
