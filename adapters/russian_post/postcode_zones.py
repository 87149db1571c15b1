"""Russian postcode prefix → the IANA zone of the office, for batch times written without offset.

A Russian postcode's first three digits name the federal subject (region) of the office.
Sources:
- prefix → region: the list "Почтовое деление России" of the Russian Wikipedia (first three
  digits of the index per federal subject), read through its stored copies
  (https://xn--h1ajim.xn--p1ai/Почтовое_деление_России and a translated copy at
  perceptiotr.com), cross-checked with the third-party table `utils/Region.js` of
  ujin-slav/b2b_server. Where they differ the Wikipedia ranges win (Region.js lists Tuva
  under Irkutsk, Crimea as 290 and Sevastopol as 990); Moscow is 101–135, which holds
  Russian Post's own 131000 and the Moscow sorting offices of
  docs/partners/russian-post.md#batch-example.
- region → zone: the IANA tz database `zone1970.tab` comments (tzdata 2026), e.g.
  "MSK+04 - Novosibirsk", "MSK+01 - Samara, Udmurtia", "MSK+05 - Irkutsk, Buryatia".
  Zones rather than fixed offsets, because several regions moved their clocks in 2016
  (Novosibirsk, Tomsk, Altai, Astrakhan, Saratov, Ulyanovsk) and Volgograd in 2018 and
  2020: a 2015 time in Novosibirsk is +06, a 2024 one +07.

Left out on purpose (their offices get the assumed zone and `offset_assumed`): prefixes of
regions that span several zones (678: Yakutia outside Yakutsk, four zones), Baikonur (468,
in Kazakhstan), and prefixes no source assigns. A foreign office's 6-digit postcode (China
uses 6 digits too) would be read as Russian: the batch format names no country, so this
cannot be told apart; the single-access format carries offsets and never needs this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrefixRange:
    first: int  # first three digits, inclusive
    last: int
    region: str
    zone: str


_MOSCOW = "Europe/Moscow"
_YEKATERINBURG = "Asia/Yekaterinburg"

POSTCODE_ZONES: tuple[PrefixRange, ...] = (
    PrefixRange(101, 135, "Москва", _MOSCOW),
    PrefixRange(140, 144, "Московская область", _MOSCOW),
    PrefixRange(150, 152, "Ярославская область", _MOSCOW),
    PrefixRange(153, 155, "Ивановская область", _MOSCOW),
    PrefixRange(156, 157, "Костромская область", _MOSCOW),
    PrefixRange(160, 162, "Вологодская область", _MOSCOW),
    PrefixRange(163, 165, "Архангельская область", _MOSCOW),
    PrefixRange(166, 166, "Ненецкий АО", _MOSCOW),
    PrefixRange(167, 169, "Республика Коми", _MOSCOW),
    PrefixRange(170, 172, "Тверская область", _MOSCOW),
    PrefixRange(173, 175, "Новгородская область", _MOSCOW),
    PrefixRange(180, 182, "Псковская область", _MOSCOW),
    PrefixRange(183, 184, "Мурманская область", _MOSCOW),
    PrefixRange(185, 186, "Республика Карелия", _MOSCOW),
    PrefixRange(187, 189, "Ленинградская область", _MOSCOW),
    PrefixRange(190, 199, "Санкт-Петербург", _MOSCOW),
    PrefixRange(214, 216, "Смоленская область", _MOSCOW),
    PrefixRange(236, 238, "Калининградская область", "Europe/Kaliningrad"),
    PrefixRange(241, 243, "Брянская область", _MOSCOW),
    PrefixRange(248, 249, "Калужская область", _MOSCOW),
    PrefixRange(295, 298, "Республика Крым", "Europe/Simferopol"),
    PrefixRange(299, 299, "Севастополь", "Europe/Simferopol"),
    PrefixRange(300, 301, "Тульская область", _MOSCOW),
    PrefixRange(302, 303, "Орловская область", _MOSCOW),
    PrefixRange(305, 307, "Курская область", _MOSCOW),
    PrefixRange(308, 309, "Белгородская область", _MOSCOW),
    PrefixRange(344, 347, "Ростовская область", _MOSCOW),
    PrefixRange(350, 354, "Краснодарский край", _MOSCOW),
    PrefixRange(355, 357, "Ставропольский край", _MOSCOW),
    PrefixRange(358, 359, "Республика Калмыкия", _MOSCOW),
    PrefixRange(360, 361, "Кабардино-Балкарская Республика", _MOSCOW),
    PrefixRange(362, 363, "Республика Северная Осетия", _MOSCOW),
    PrefixRange(364, 366, "Чеченская Республика", _MOSCOW),
    PrefixRange(367, 368, "Республика Дагестан", _MOSCOW),
    PrefixRange(369, 369, "Карачаево-Черкесская Республика", _MOSCOW),
    PrefixRange(385, 385, "Республика Адыгея", _MOSCOW),
    PrefixRange(386, 386, "Республика Ингушетия", _MOSCOW),
    PrefixRange(390, 391, "Рязанская область", _MOSCOW),
    PrefixRange(392, 393, "Тамбовская область", _MOSCOW),
    PrefixRange(394, 397, "Воронежская область", _MOSCOW),
    PrefixRange(398, 399, "Липецкая область", _MOSCOW),
    PrefixRange(400, 404, "Волгоградская область", "Europe/Volgograd"),
    PrefixRange(410, 413, "Саратовская область", "Europe/Saratov"),
    PrefixRange(414, 416, "Астраханская область", "Europe/Astrakhan"),
    PrefixRange(420, 423, "Республика Татарстан", _MOSCOW),
    PrefixRange(424, 425, "Республика Марий Эл", _MOSCOW),
    PrefixRange(426, 427, "Удмуртская Республика", "Europe/Samara"),
    PrefixRange(428, 429, "Чувашская Республика", _MOSCOW),
    PrefixRange(430, 431, "Республика Мордовия", _MOSCOW),
    PrefixRange(432, 433, "Ульяновская область", "Europe/Ulyanovsk"),
    PrefixRange(440, 442, "Пензенская область", _MOSCOW),
    PrefixRange(443, 446, "Самарская область", "Europe/Samara"),
    PrefixRange(450, 453, "Республика Башкортостан", _YEKATERINBURG),
    PrefixRange(454, 457, "Челябинская область", _YEKATERINBURG),
    PrefixRange(460, 462, "Оренбургская область", _YEKATERINBURG),
    PrefixRange(600, 602, "Владимирская область", _MOSCOW),
    PrefixRange(603, 607, "Нижегородская область", _MOSCOW),
    PrefixRange(610, 613, "Кировская область", "Europe/Kirov"),
    PrefixRange(614, 619, "Пермский край", _YEKATERINBURG),
    PrefixRange(620, 624, "Свердловская область", _YEKATERINBURG),
    PrefixRange(625, 627, "Тюменская область", _YEKATERINBURG),
    PrefixRange(628, 628, "Ханты-Мансийский АО", _YEKATERINBURG),
    PrefixRange(629, 629, "Ямало-Ненецкий АО", _YEKATERINBURG),
    PrefixRange(630, 633, "Новосибирская область", "Asia/Novosibirsk"),
    PrefixRange(634, 636, "Томская область", "Asia/Tomsk"),
    PrefixRange(640, 641, "Курганская область", _YEKATERINBURG),
    PrefixRange(644, 646, "Омская область", "Asia/Omsk"),
    PrefixRange(647, 648, "Красноярский край (Таймыр, Эвенкия)", "Asia/Krasnoyarsk"),
    PrefixRange(649, 649, "Республика Алтай", "Asia/Barnaul"),
    PrefixRange(650, 654, "Кемеровская область", "Asia/Novokuznetsk"),
    PrefixRange(655, 655, "Республика Хакасия", "Asia/Krasnoyarsk"),
    PrefixRange(656, 659, "Алтайский край", "Asia/Barnaul"),
    PrefixRange(660, 663, "Красноярский край", "Asia/Krasnoyarsk"),
    PrefixRange(664, 666, "Иркутская область", "Asia/Irkutsk"),
    PrefixRange(667, 668, "Республика Тыва", "Asia/Krasnoyarsk"),
    PrefixRange(669, 669, "Иркутская область (Усть-Ордынский округ)", "Asia/Irkutsk"),
    PrefixRange(670, 671, "Республика Бурятия", "Asia/Irkutsk"),
    PrefixRange(672, 674, "Забайкальский край", "Asia/Chita"),
    PrefixRange(675, 676, "Амурская область", "Asia/Yakutsk"),
    PrefixRange(677, 677, "Республика Саха (Якутск)", "Asia/Yakutsk"),
    PrefixRange(679, 679, "Еврейская АО", "Asia/Vladivostok"),
    PrefixRange(680, 682, "Хабаровский край", "Asia/Vladivostok"),
    PrefixRange(683, 684, "Камчатский край", "Asia/Kamchatka"),
    PrefixRange(685, 686, "Магаданская область", "Asia/Magadan"),
    PrefixRange(687, 687, "Забайкальский край (Агинский округ)", "Asia/Chita"),
    PrefixRange(688, 688, "Камчатский край (Корякский округ)", "Asia/Kamchatka"),
    PrefixRange(689, 689, "Чукотский АО", "Asia/Anadyr"),
    PrefixRange(690, 692, "Приморский край", "Asia/Vladivostok"),
    PrefixRange(693, 694, "Сахалинская область", "Asia/Sakhalin"),
)

_BY_PREFIX: dict[int, PrefixRange] = {
    prefix: entry for entry in POSTCODE_ZONES for prefix in range(entry.first, entry.last + 1)
}


def zone_for_postcode(postcode: str | None) -> str | None:
    """The IANA zone of the office with this 6-digit postcode, or None when not derivable."""
    if postcode is None or len(postcode) != 6 or not postcode.isascii() or not postcode.isdigit():
        return None
    entry = _BY_PREFIX.get(int(postcode[:3]))
    return entry.zone if entry else None
