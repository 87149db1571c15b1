"""The postcode-prefix → zone table on known offices (batch times carry no offset,
docs/partners/russian-post.md#timestamps)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.russian_post.postcode_zones import POSTCODE_ZONES, zone_for_postcode

pytestmark = pytest.mark.unit

IN_2024 = datetime(2024, 6, 1, 12, 0)


@pytest.mark.parametrize(
    ("postcode", "office", "hours"),
    [
        ("101000", "Москва Почтамт", 3),
        ("190000", "Санкт-Петербург Почтамт", 3),
        ("630000", "Новосибирск Почтамт", 7),
        ("690000", "Владивосток Почтамт", 10),
        ("236000", "Калининград Почтамт", 2),
        ("450000", "Уфа Почтамт", 5),
        ("443000", "Самара Почтамт", 4),
        ("620000", "Екатеринбург Почтамт", 5),
        ("644000", "Омск Почтамт", 6),
        ("660000", "Красноярск Почтамт", 7),
        ("663300", "Норильск Почтамт (the single access example's destination)", 7),
        ("664000", "Иркутск Почтамт", 8),
        ("672000", "Чита Почтамт", 9),
        ("677000", "Якутск Почтамт", 9),
        ("683000", "Петропавловск-Камчатский Почтамт", 12),
        ("685000", "Магадан Почтамт", 11),
        ("689000", "Анадырь Почтамт", 12),
        ("693000", "Южно-Сахалинск Почтамт", 11),
        ("295000", "Симферополь Почтамт", 3),
        ("400000", "Волгоград Почтамт", 3),
        ("414000", "Астрахань Почтамт", 4),
    ],
)
def test_known_offices(postcode: str, office: str, hours: int) -> None:
    zone = zone_for_postcode(postcode)
    assert zone is not None, office
    assert ZoneInfo(zone).utcoffset(IN_2024).total_seconds() == hours * 3600, office


def test_zones_not_fixed_offsets_novosibirsk_moved_in_2016() -> None:
    zone = ZoneInfo(zone_for_postcode("630000") or "")
    assert zone.utcoffset(datetime(2015, 9, 1)).total_seconds() == 6 * 3600
    assert zone.utcoffset(datetime(2017, 9, 1)).total_seconds() == 7 * 3600


@pytest.mark.parametrize("postcode", [None, "", "800855", "678170", "468320", "12345", "1010001", "abcdef", "١٠١٠٠٠"])
def test_not_derivable(postcode: str | None) -> None:
    # 800: unassigned; 678: Yakutia outside Yakutsk spans four zones; 468: Baikonur.
    assert zone_for_postcode(postcode) is None


def test_ranges_do_not_overlap_and_name_real_zones() -> None:
    covered: set[int] = set()
    for entry in POSTCODE_ZONES:
        assert 100 <= entry.first <= entry.last <= 999
        span = set(range(entry.first, entry.last + 1))
        assert not covered & span, entry
        covered |= span
        ZoneInfo(entry.zone)
