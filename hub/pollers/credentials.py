"""The pollers' credentials: the `[pollers.<partner>]` tables of the secrets file (HUB_GATEWAY_SECRETS, TOML).

The webhook gateway reads its own tables from the same file. An error names the partner and
the key, never a value; `repr` never prints a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hub.secrets_file import read_secrets_file

# Where each partner's API lives unless the table gives `url` (a stand-in, a proxy).
DEFAULT_URLS = {
    "russian_post": "https://tracking.russianpost.ru/fc",
    "wildberries": "https://marketplace-api.wildberries.ru",
    "boxberry": "https://api.boxberry.ru/json.php",
}
POLLED_PARTNERS = tuple(DEFAULT_URLS)
# The keys each partner's table must give.
REQUIRED = {"russian_post": ("login", "password"), "wildberries": ("token",), "boxberry": ("token",)}


class CredentialsError(ValueError):
    """The secrets file cannot be used for a poller; names the partner and key, not the secret."""


@dataclass(frozen=True)
class PartnerCredentials:
    partner: str
    url: str
    login: str = ""
    password: str = ""
    token: str = ""

    def __repr__(self) -> str:  # never print a secret, whatever prints this
        return f"PartnerCredentials(partner={self.partner!r}, url={self.url!r})"

    __str__ = __repr__


def load_credentials(path: Path | None, partner: str) -> PartnerCredentials:
    if path is None:
        raise CredentialsError("HUB_GATEWAY_SECRETS is not set: it names the secrets file with a [pollers.<partner>] table")
    document = read_secrets_file(path, CredentialsError)
    table = document.get("pollers", {}).get(partner) if isinstance(document.get("pollers"), dict) else None
    if not isinstance(table, dict):
        raise CredentialsError(f"{path}: no [pollers.{partner}] table")
    values = {}
    for key in ("url", *REQUIRED[partner]):
        value = table.get(key)
        if value is None and key == "url":
            continue
        if not isinstance(value, str) or not value.strip():
            raise CredentialsError(f"{path}: [pollers.{partner}] {key} must be a non-empty string")
        values[key] = value.strip()
    return PartnerCredentials(partner=partner, url=values.pop("url", DEFAULT_URLS[partner]), **values)
