"""The gateway's partner file (HUB_GATEWAY_SECRETS, TOML): tokens, secrets, rates and sources per partner.

Read once at start-up. An error names the partner and the key, never a secret's value.
The file's shape is in docs/gateway.md#the-secrets-file; deploy/gateway-secrets.example.toml
is an example.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from hub.secrets_file import read_secrets_file

# Partners that push over a route of their own; every other entry is a hub-native partner.
OZON, CDEK, ALIEXPRESS = "ozon", "cdek", "aliexpress"
# Tables of the same file that other hub processes read: the pollers' credentials (docs/pollers.md).
OTHER_READERS = frozenset({"pollers"})
DEFAULT_RATE = 100.0  # requests per second, per partner
DEFAULT_BURST = 200


class PartnerFileError(ValueError):
    """The partner file cannot be used; the message names the partner and key, not the secret."""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class PartnerAccess:
    partner: str
    rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST
    # Ozon and CDEK: the secret part of the path, /ingest/<partner>/<token>.
    token: bytes | None = None
    # AliExpress: the app key and secret of the HMAC in the Authorization header.
    app_key: bytes | None = None
    app_secret: bytes | None = None
    # Hub-native: Standard Webhooks secrets (decoded from whsec_<base64>); several while rotating.
    webhook_secrets: tuple[bytes, ...] = ()
    # When given, only these networks may call (Ozon publishes its own).
    allow_from: tuple[Network, ...] = field(default=())

    def __repr__(self) -> str:  # never print a secret, whatever prints this
        return f"PartnerAccess(partner={self.partner!r}, rate={self.rate}, burst={self.burst})"

    def source_allowed(self, address: str | None) -> bool:
        if not self.allow_from:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in self.allow_from)


def load_partner_access(path: Path, known_partners: set[str], native_partners: set[str]) -> dict[str, PartnerAccess]:
    """partner id → access, from the TOML file at `path`."""
    document = read_secrets_file(path, PartnerFileError)
    access = {}
    for partner, table in document.items():
        if partner in OTHER_READERS:
            continue
        if partner not in known_partners:
            raise PartnerFileError(f"{path}: unknown partner [{partner}]")
        if not isinstance(table, dict):
            raise PartnerFileError(f"{path}: [{partner}] must be a table")
        access[partner] = _partner(path, partner, table, native=partner in native_partners)
    return access


def _partner(path: Path, partner: str, table: dict, *, native: bool) -> PartnerAccess:
    def where(key: str) -> str:
        return f"{path}: [{partner}] {key}"

    def text(key: str) -> bytes:
        value = table.get(key)
        if not isinstance(value, str) or not value:
            raise PartnerFileError(f"{where(key)} must be a non-empty string")
        return value.encode()

    expected = {"rate", "burst", "allow_from"}
    common = {
        "partner": partner,
        "rate": _number(where("rate"), table.get("rate", DEFAULT_RATE)),
        "burst": int(_number(where("burst"), table.get("burst", DEFAULT_BURST))),
        "allow_from": _networks(where("allow_from"), table.get("allow_from", [])),
    }
    if partner in (OZON, CDEK):
        expected |= {"token"}
        result = PartnerAccess(**common, token=text("token"))
    elif partner == ALIEXPRESS:
        expected |= {"app_key", "app_secret"}
        result = PartnerAccess(**common, app_key=text("app_key"), app_secret=text("app_secret"))
    elif native:
        expected |= {"secrets"}
        secrets = table.get("secrets")
        if not isinstance(secrets, list) or not secrets or not all(isinstance(s, str) for s in secrets):
            raise PartnerFileError(f"{where('secrets')} must be a non-empty list of whsec_<base64> strings")
        result = PartnerAccess(**common, webhook_secrets=tuple(_webhook_secret(where("secrets"), s) for s in secrets))
    else:
        raise PartnerFileError(f"{path}: [{partner}] does not push: the gateway has no route for it")
    unknown = sorted(set(table) - expected)
    if unknown:
        raise PartnerFileError(f"{where(unknown[0])} is not a setting (expected {', '.join(sorted(expected))})")
    return result


def _number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise PartnerFileError(f"{where} must be a positive number")
    return float(value)


def _networks(where: str, values: object) -> tuple[Network, ...]:
    if not isinstance(values, list):
        raise PartnerFileError(f"{where} must be a list of networks such as 195.34.21.0/24")
    try:
        return tuple(ipaddress.ip_network(v, strict=False) for v in values)
    except (TypeError, ValueError) as err:
        raise PartnerFileError(f"{where}: {err}") from None


def _webhook_secret(where: str, value: str) -> bytes:
    """The key of a Standard Webhooks secret, `whsec_` and base64."""
    encoded = value.removeprefix("whsec_")
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < 24:
        raise PartnerFileError(f"{where}: each secret must be whsec_ and at least 24 bytes in base64")
    return key
