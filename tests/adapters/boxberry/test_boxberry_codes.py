"""Mapping coverage: every Boxberry status name docs/partners/boxberry.md#status-names lists is in
the table and maps to a real value."""

from __future__ import annotations

import pytest

from adapters.boxberry.codes import STATUS_BY_KEY, STATUS_NAMES, name_key
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/boxberry.md#status-names: the Name column and the alternates column.
DOCUMENTED_NAMES = [
    "Загружен реестр ИМ", "Заказ создан в личном кабинете",
    "Принято к доставке", "Заказ передан на доставку",
    "Передано на сортировку",
    "Отправлен на сортировочный терминал",
    "Отправлено в город назначения", "В пути в город получателя",
    "Передан на доставку до пункта выдачи",
    "Передано на курьерскую доставку", "Поступил в город для передачи курьеру",
    "Поступило в пункт выдачи", "Доступен к получению в Пункте выдачи",
    "Выдано", "Успешно Выдан",
    "Возвращено с курьерской доставки",
    "Готовится к возврату", "Заказ передан на возврат в Интернет-магазин",
    "Отправлено в пункт приема", "Заказ в пути в Интернет-магазин",
    "Возвращено в пункт приема",
    "Возвращено в ИМ", "Заказ возвращен в Интернет-магазин",
]


def test_every_documented_name_is_mapped() -> None:
    assert set(STATUS_NAMES) == set(DOCUMENTED_NAMES)
    for name in DOCUMENTED_NAMES:
        mapping = STATUS_BY_KEY[name_key(name)]
        assert mapping.status is not Status.UNKNOWN, name
        assert mapping.milestone is not Milestone.UNKNOWN, name
    print(f"boxberry status table: {len(STATUS_NAMES)} names")


def test_names_compare_like_boxberry_does() -> None:
    assert name_key("  УСПЕШНО   выдан ") == name_key("Успешно Выдан")
    assert name_key("Заказ в пути в Интернет-магазин") != name_key("Заказ возвращен в Интернет-магазин")
    assert len(STATUS_BY_KEY) == len(STATUS_NAMES)  # no two names collapse into one key
