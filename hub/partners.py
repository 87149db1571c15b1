"""The partner registry: partner id → topic, adapter and kind.

Several partners may share an adapter: each overseas warehouse operator and pickup-point
network is its own partner with its own topic, all speaking the hub-native format.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import PartnerKind


@dataclass(frozen=True)
class Partner:
    id: str
    adapter: str
    kind: PartnerKind
    country: str | None = None
    description: str = ""


PARTNERS: dict[str, Partner] = {
    p.id: p
    for p in (
        Partner("cdek", "cdek", PartnerKind.COURIER, "RU", "CDEK express courier, API v2 webhooks"),
        Partner("russian_post", "russian_post", PartnerKind.POST, "RU", "Russian Post tracking API (three formats)"),
        Partner("boxberry", "boxberry", PartnerKind.PICKUP_POINT, "RU", "Boxberry status lists"),
        Partner("spsr", "spsr", PartnerKind.COURIER, "RU", "SPSR Express invoice info (XML)"),
        Partner("ozon", "ozon", PartnerKind.MARKETPLACE, "RU", "Ozon Seller API pushes and postings"),
        Partner("wildberries", "wildberries", PartnerKind.MARKETPLACE, "RU", "Wildberries marketplace API"),
        Partner("aliexpress", "aliexpress", PartnerKind.MARKETPLACE, "CN", "AliExpress open platform orders and tracking"),
        Partner("cainiao", "cainiao", PartnerKind.LOGISTICS_PLATFORM, "CN", "Cainiao global tracking"),
        Partner("wh_moscow", "hub_native", PartnerKind.WAREHOUSE, "RU", "an overseas warehouse operator in Moscow (hub-native)"),
        Partner("wh_guangzhou", "hub_native", PartnerKind.WAREHOUSE, "CN", "a consolidation warehouse in Guangzhou (hub-native)"),
        Partner("pvz_network", "hub_native", PartnerKind.PICKUP_POINT, "RU", "a pickup-point network (hub-native)"),
    )
}


class UnknownPartner(KeyError):
    def __str__(self) -> str:
        return f"unknown partner {self.args[0]!r}; known: {', '.join(sorted(PARTNERS))}"


def partner(partner_id: str) -> Partner:
    try:
        return PARTNERS[partner_id]
    except KeyError:
        raise UnknownPartner(partner_id) from None
