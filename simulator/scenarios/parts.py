"""What several journeys share: names and products, money, a Russian Post track, a CDEK order."""

from __future__ import annotations

import random
from decimal import Decimal

from simulator import flows
from simulator.clock import Clock
from simulator.model import Track
from simulator.places import City
from simulator.world import Shipment, World

SENDERS = ("ИВАНОВА О П", "ПЕТРОВ А С", "СМИРНОВ Д В", "КУЗНЕЦОВА Е А", "ВАСИЛЬЕВ И И", "ПОПОВА М Н")


RECIPIENTS = ("СЕМЕНОВ К Л", "ФЕДОРОВА А В", "МОРОЗОВ П Р", "ВОЛКОВА Т С", "АЛЕКСЕЕВ Н О", "ЛЕБЕДЕВА Ю М")


PRODUCTS = ("Наушники беспроводные", "Чехол для телефона", "Кроссовки беговые", "Набор отверток",
            "Светодиодная лента 5 м", "Рюкзак городской", "Кофемолка ручная", "Настольная лампа")


def money(rng: random.Random, low: int, high: int) -> tuple[int, str]:
    """A price in minor units and as the decimal string partners write."""
    minor = rng.randrange(low * 100, high * 100)
    if rng.random() < 0.5:
        minor -= minor % 100  # whole units are common
    return minor, f"{Decimal(minor) / 100:.2f}"


def shares(total: int, parts: int) -> list[int]:
    """Largest remainder with equal weights: the first parcels take the remainder's units."""
    base, remainder = divmod(total, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]


def russian_post_track(w: World, shipment: Shipment, barcode: str, city: City, *, international: bool,
                        polling: str, value_kopecks: int, cod_kopecks: int = 0, sender: str | None = None) -> Track:
    rng = w.rng
    mass = rng.randint(80, 4500)
    return w.track(
        "russian_post", polling, barcode, shipment, barcode=barcode, international=international,
        destination=city.delivery_office, value_kopecks=value_kopecks, cod_kopecks=cod_kopecks,
        mass=mass, mass_rate=rng.randrange(9000, 60000, 100), insurance=value_kopecks // 100,
        mail_type=("4", "Посылка") if mass > 2000 else ("5", "Мелкий пакет"),
        mail_ctg=(("4", "С объявленной ценностью и наложенным платежом") if cod_kopecks
                  else ("2", "С объявленной ценностью")),
        sender=sender or rng.choice(SENDERS), recipient=rng.choice(RECIPIENTS),
    )


def import_outcome(rng: random.Random) -> str:
    return rng.choices(
        ("delivered", "courier", "customs_hold", "customs_refused", "storage_expired", "lost"), (70, 8, 8, 4, 5, 5)
    )[0]


def cdek_order(w: World, shipment: Shipment, clock: Clock, origin: City, city: City, outcome: str,
                courier: bool, shop_number: str) -> str:
    """A CDEK order, and the return order with its `related_entities` when it is not delivered."""
    rng = w.rng
    number, uuid = w.numbers.cdek(), w.numbers.uuid()
    shipment.identify("cdek", number)
    shipment.identify("cdek_uuid", uuid)
    order = w.track("cdek", "cdek_order", number, shipment, uuid=uuid, cdek_number=number, number=shop_number,
                    is_return=False, print_form=rng.random() < 0.5)
    result = flows.cdek(order, clock, origin, city, outcome, courier=courier)
    if result == "returned":
        back_number, back_uuid = w.numbers.cdek(), w.numbers.uuid()
        shipment.identify("cdek", back_number)
        shipment.identify("cdek_uuid", back_uuid)
        back = w.track("cdek", "cdek_order", back_number, shipment, links=True, uuid=back_uuid,
                       cdek_number=back_number, number=f"R-{shop_number}", is_return=True, direct_uuid=uuid)
        flows.cdek_return(back, clock, origin, city)
        shipment.finish("returned", back.steps[-1].at)
    else:
        shipment.finish(result, order.steps[-1].at)
    return result


def cdek_outcome(rng: random.Random) -> tuple[str, bool]:
    outcome = rng.choices(("delivered", "courier_failed", "storage_expired", "refused", "lost"), (76, 7, 7, 5, 5))[0]
    courier = outcome in ("courier_failed", "refused") or (outcome == "delivered" and rng.random() < 0.25)
    return outcome, courier
