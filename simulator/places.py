"""Where simulated parcels go: Russian cities with their post offices, CDEK and Boxberry
sites and time zones, and the Chinese first-mile places Cainiao reports.

Postcodes follow Russian Post's regional prefixes (the first three digits name the region),
so a batch time written without offset is local to the zone of the office that wrote it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    zone: str
    delivery_office: tuple[str, str]  # (postcode, description)
    sorting_centre: tuple[str, str]
    boxberry_point: str  # Boxberry's Comment: "City (postcode, pickup point address)"
    weight: int = 1


CITIES: tuple[City, ...] = (
    City("Москва", "Europe/Moscow", ("117485", "Москва 485"), ("140980", "Москва АСЦ"),
         "Москва (115478, Москва г, Каширское ш, д.24, строение 7)", 6),
    City("Санкт-Петербург", "Europe/Moscow", ("190000", "Санкт-Петербург Почтамт"), ("196999", "Санкт-Петербург МСЦ"),
         "Санкт-Петербург (191025, Санкт-Петербург г, Невский пр-кт, д.88)", 3),
    City("Казань", "Europe/Moscow", ("420111", "Казань 111"), ("420300", "Казань МСЦ"),
         "Казань (420021, Казань г, Татарстан ул, д.20)", 2),
    City("Краснодар", "Europe/Moscow", ("350000", "Краснодар Почтамт"), ("350960", "Краснодар МСЦ"),
         "Краснодар (350015, Краснодар г, Красная ул, д.176)", 2),
    City("Самара", "Europe/Samara", ("443099", "Самара 99"), ("443960", "Самара МСЦ"),
         "Самара (443010, Самара г, Молодогвардейская ул, д.75)", 1),
    City("Екатеринбург", "Asia/Yekaterinburg", ("620014", "Екатеринбург 14"), ("620960", "Екатеринбург МСЦ"),
         "Екатеринбург (620014, Екатеринбург г, Малышева ул, д.36)", 2),
    City("Омск", "Asia/Omsk", ("644099", "Омск 99"), ("644960", "Омск МСЦ"),
         "Омск (644043, Омск г, Ленина ул, д.20)", 1),
    City("Новосибирск", "Asia/Novosibirsk", ("630099", "Новосибирск 99"), ("630960", "Новосибирск МСЦ"),
         "Новосибирск (630099, Новосибирск г, Красный пр-кт, д.25)", 2),
    City("Красноярск", "Asia/Krasnoyarsk", ("660049", "Красноярск 49"), ("660960", "Красноярск МСЦ"),
         "Красноярск (660049, Красноярск г, Мира пр-кт, д.10)", 1),
    City("Владивосток", "Asia/Vladivostok", ("690091", "Владивосток 91"), ("690960", "Владивосток МСЦ"),
         "Владивосток (690091, Владивосток г, Светланская ул, д.41)", 1),
)

MOSCOW = CITIES[0]
# Russian Post's international exchange office, where imports clear customs.
EXCHANGE_OFFICE = ("104001", "Москва ММПО", "Europe/Moscow")
# Ozon and overseas-warehouse sellers ship from these cities.
SELLER_CITIES: tuple[City, ...] = tuple(c for c in CITIES if c.name in ("Москва", "Санкт-Петербург", "Казань"))

# Cainiao first-mile places (the sorting-centre names of the captures in
# docs/partners/cainiao.md#capture-event-sequence).
CN_SORTING_CENTRES: tuple[str, ...] = ("Shatian Town", "Fenggang Town", "Huangjiang Town")


def pick_city(rng: random.Random, cities: tuple[City, ...] = CITIES) -> City:
    return rng.choices(cities, weights=[c.weight for c in cities])[0]
