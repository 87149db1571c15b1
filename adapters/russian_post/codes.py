"""Russian Post operation codes (OperType / OperAttr) and COD event types → canonical values.

Source: docs/partners/russian-post.md#operation-codes, the table transcribed from a C# Russian
Post module (`Statuses` dictionary keyed `s{OperType}_{OperAttr}`, 52 operation types) and
cross-checked with a Go enum and the a3mg RTM-0002 PHP port; the official page
https://tracking.pochta.ru/support/dictionaries/operation_codes loads it from a backend and
was not reachable. Names below are the table's, verbatim. COD event types:
docs/partners/russian-post.md#cod-event-types, from the tracking portal's
`event-type-descriptions.json`.

Every operation type has a default meaning; an attribute overrides it only where the
meaning changes (OperType 2: handed to the addressee is `delivered`, handed back to the
sender is `returned`). Attribute 0 or empty on a type that documents no attribute 0 means
the type's default (docs/partners/russian-post.md#operattr-by-opertype: "An attribute of 0 or
an empty one can still appear"); any other attribute the table lacks, and any type it lacks,
is `unknown`, never guessed.

Conflicts and judgement calls (marked [I] where the classification is an inference):
- 6.5 is "Продление срока хранения по заявлению отправителя" in the C# source but
  "Продление срока выпуска таможней" in the a3mg port; the C# meaning is kept.
- 5.9 is "reserved" (commented out) in the C# source; the a3mg meaning "Доставка по
  указанному адресу не осуществляется" is kept so that the code is not unknown.
- 8.43 reads "Истек срок хранения (осталось 2 дня)", self-contradictory; it sits among the
  "storage expiring" notices and is mapped as one.
- 31.21 "Доставлено" is the *carrier's* delivery of the mail to the next operator, not a
  delivery to the addressee: `handed_over`, not `delivered`.
- Holds that no milestone names (an address being clarified with the sender, an AML
  suspension, a technical examination) are `exception` with milestone `informational`, as
  CDEK's INVALID is: the timeline keeps its status; the reason says what is wrong.
- Customs types (11, 14, 39, 40) read as *import* customs: Russian Post's customs codes are
  about items entering Russia; 14.25/14.26 (departure refused/permitted) are export. [I]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from adapters._shared.code_table import UNMAPPED, CodeMapping
from schemas import Milestone as M
from schemas import Party as P
from schemas import Reason as R
from schemas import Status as S


@dataclass(frozen=True)
class OperationType:
    name: str
    default: CodeMapping
    # Documented attribute code → its name (docs/partners/russian-post.md#operattr-by-opertype).
    attributes: Mapping[int, str] = field(default_factory=dict)
    # Attribute code → mapping, only where the attribute changes the type's meaning.
    overrides: Mapping[int, CodeMapping] = field(default_factory=dict)

    def mapping_for(self, attribute: int) -> CodeMapping:
        return self.overrides.get(attribute, self.default)


def _m(status: S, milestone: M, reason: R | None = None, party: P | None = None) -> CodeMapping:
    return CodeMapping(status, milestone, reason, party)


_ATTEMPT = _m(S.ATTEMPT_FAILED, M.DELIVERY_ATTEMPT_FAILED)
_RETURN = _m(S.RETURNING, M.RETURN_STARTED)
_IN_TRANSIT_INFO = _m(S.IN_TRANSIT, M.INFORMATIONAL)
_PICKUP_INFO = _m(S.AVAILABLE_FOR_PICKUP, M.INFORMATIONAL)
_ARRIVED = _m(S.IN_TRANSIT, M.ARRIVED_AT_FACILITY)
_DEPARTED = _m(S.IN_TRANSIT, M.DEPARTED_FACILITY)
_EXPIRING = _m(S.AVAILABLE_FOR_PICKUP, M.STORAGE_EXPIRING)
_CUSTOMS_HOLD = _m(S.IN_TRANSIT, M.CUSTOMS_HELD, R.CUSTOMS_HOLD)


def _exc(milestone: M, reason: R, party: P | None = None) -> CodeMapping:
    return _m(S.EXCEPTION, milestone, reason, party)


def _customs_stop(reason: R, party: P | None = None) -> CodeMapping:
    return _m(S.EXCEPTION, M.CUSTOMS_HELD, reason, party)


def _because(base: CodeMapping, reason: R, party: P | None = None) -> CodeMapping:
    return replace(base, reason=reason, party=party)


# OperType 12 and 42 (first and second failed attempt) share their attributes.
_ATTEMPT_ATTRIBUTES = {
    1: "Временное отсутствие адресата", 2: "Доставка отложена по просьбе адресата", 3: "Неполный адрес",
    4: "Неправильный/нечитаемый/неполный адрес", 5: "Адресат выбыл", 6: "Адресат отказался от отправления",
    7: "Форс-мажор/непредвиденные обстоятельства", 8: "Иная", 9: "Адресат заберет отправление сам",
    10: "Адресат не доступен", 11: "Неудачная доставка", 12: "Истек срок хранения в почтомате",
    13: "По требованию отправителя", 14: "Отправление повреждено и/или без вложения",
    15: "В ожидании оплаты сбора", 16: "Адресат переехал", 17: "У адресата есть абонентский ящик",
    18: "Нет доставки на дом", 19: "Не отвечает таможенным требованиям",
    20: "Неполные/недостаточные/неверные документы", 21: "Невозможно связаться с клиентом",
    22: "Адресат бастует", 23: "Запрещенные вложения – отправление не доставлено",
    24: "Отказ в импорте – запрещенные вложения", 25: "Засыл отправления", 26: "За смертью получателя",
    27: "Национальный праздник", 28: "Утрата",
}
_ATTEMPT_OVERRIDES = {
    1: _because(_ATTEMPT, R.ADDRESSEE_ABSENT),
    2: _because(_ATTEMPT, R.DELAYED, P.CONSIGNEE),
    3: _because(_ATTEMPT, R.ADDRESS_PROBLEM),
    4: _because(_ATTEMPT, R.ADDRESS_PROBLEM),
    5: _because(_ATTEMPT, R.ADDRESS_PROBLEM, P.CONSIGNEE),
    6: _because(_ATTEMPT, R.ADDRESSEE_REFUSED),
    7: _because(_ATTEMPT, R.FORCE_MAJEURE),
    8: _because(_ATTEMPT, R.OTHER),
    9: _because(_ATTEMPT, R.OTHER, P.CONSIGNEE),
    10: _because(_ATTEMPT, R.ADDRESSEE_ABSENT),
    11: _because(_ATTEMPT, R.OTHER),
    12: _because(_ATTEMPT, R.STORAGE_EXPIRED),
    13: _because(_ATTEMPT, R.SENDER_REQUEST),
    14: _because(_ATTEMPT, R.DAMAGED),
    15: _because(_ATTEMPT, R.DUTY_UNPAID),
    16: _because(_ATTEMPT, R.ADDRESS_PROBLEM, P.CONSIGNEE),
    17: _because(_ATTEMPT, R.ADDRESS_PROBLEM),
    18: _because(_ATTEMPT, R.OTHER),
    19: _because(_ATTEMPT, R.CUSTOMS_REFUSED),
    20: _because(_ATTEMPT, R.DOCUMENTS_MISSING),
    21: _because(_ATTEMPT, R.ADDRESSEE_ABSENT),
    22: _because(_ATTEMPT, R.FORCE_MAJEURE, P.CONSIGNEE),
    23: _because(_ATTEMPT, R.PROHIBITED_CONTENTS),
    24: _because(_ATTEMPT, R.PROHIBITED_CONTENTS),
    25: _because(_ATTEMPT, R.MISROUTED),
    26: _because(_ATTEMPT, R.OTHER, P.CONSIGNEE),
    27: _because(_ATTEMPT, R.DELAYED),
    # "Утрата": the item is lost, not merely undelivered.
    28: _exc(M.LOST, R.LOST),
}

_TYPES: dict[int, OperationType] = {
    1: OperationType(
        "Прием", _m(S.IN_TRANSIT, M.ACCEPTED),
        {1: "Единичный", 2: "Партионный", 3: "Партионный электронно", 4: "Упрощенный единичный",
         5: "По ведомости в РЦ", 6: "По ведомости в СЦ", 7: "Упрощенный предзаполненный",
         8: "Упрощенный предоплаченный"},
    ),
    2: OperationType(
        "Вручение", _m(S.DELIVERED, M.DELIVERED),
        {1: "Вручение адресату", 2: "Вручение отправителю", 3: "Выдано адресату через почтомат",
         4: "Выдано отправителю через почтомат", 5: "Адресату электронно", 6: "Адресату почтальоном",
         7: "Отправителю почтальоном", 8: "Адресату курьером", 9: "Отправителю курьером",
         10: "Адресату с контролем ответа", 11: "Адресату с контролем ответа почтальоном",
         12: "Адресату с контролем ответа курьером", 13: "Вручение адресату по ПЭП",
         14: "Для передачи на оцифровку"},
        # Handed back to the sender: the return is complete (docs/partners/russian-post.md#reading-the-codes).
        {attr: _m(S.RETURNED, M.RETURNED_TO_SENDER) for attr in (2, 4, 7, 9)},
    ),
    3: OperationType(
        "Возврат", _RETURN,
        {1: "Истек срок хранения", 2: "Заявление отправителя", 3: "Отсутствие адресата по указанному адресу",
         4: "Отказ адресата", 5: "Смерть адресата", 6: "Невозможно прочесть адрес адресата",
         7: "Отказ в выпуске таможней",
         8: "Адресат, абонирующий абонементный почтовый шкаф, не указан или указан неправильно",
         9: "Иные обстоятельства", 10: "Неверный адрес", 11: "Несоответствие комплектности",
         12: "Запрещено САБ", 13: "Для проведения таможенных операций", 14: "Распоряжение ЭТП",
         15: "Частичный выкуп"},
        {1: _because(_RETURN, R.STORAGE_EXPIRED), 2: _because(_RETURN, R.SENDER_REQUEST),
         3: _because(_RETURN, R.ADDRESSEE_ABSENT), 4: _because(_RETURN, R.ADDRESSEE_REFUSED),
         5: _because(_RETURN, R.OTHER, P.CONSIGNEE), 6: _because(_RETURN, R.ADDRESS_PROBLEM),
         7: _because(_RETURN, R.CUSTOMS_REFUSED), 8: _because(_RETURN, R.ADDRESS_PROBLEM),
         9: _because(_RETURN, R.OTHER), 10: _because(_RETURN, R.ADDRESS_PROBLEM),
         # Contents do not match what was declared: the sender's side. [I]
         11: _because(_RETURN, R.OTHER, P.SENDER), 12: _because(_RETURN, R.PROHIBITED_CONTENTS),
         13: _because(_RETURN, R.CUSTOMS_HOLD),
         # ЭТП: the electronic trading platform (marketplace) ordered the return.
         14: _because(_RETURN, R.SENDER_REQUEST, P.MARKETPLACE),
         15: _because(_RETURN, R.ADDRESSEE_REFUSED)},
    ),
    4: OperationType(
        "Досылка почты", _DEPARTED,
        {1: "По заявлению пользователя", 2: "Выбытие адресата по новому адресу", 3: "Засылка",
         4: "Запрещено САБ", 5: "Передача на временное хранение", 6: "Передача в невостребованные",
         7: "По техническим причинам"},
        {3: _because(_DEPARTED, R.MISROUTED),
         # Not allowed by air (САБ: aviation security): forwarded by other means.
         4: _because(_DEPARTED, R.PROHIBITED_CONTENTS),
         5: _exc(M.DEPARTED_FACILITY, R.OTHER),
         6: _exc(M.DEPARTED_FACILITY, R.STORAGE_EXPIRED)},
    ),
    5: OperationType(
        "Невручение", _exc(M.DELIVERY_ATTEMPT_FAILED, R.OTHER),
        {1: "Утрачено", 2: "Изъято", 3: "Засылка", 8: "Решение таможни",
         9: "Доставка по указанному адресу не осуществляется"},
        {1: _exc(M.LOST, R.LOST),
         # Seized: the parcel will not come back; the usual cause is its contents. [I]
         2: _exc(M.LOST, R.PROHIBITED_CONTENTS),
         3: _exc(M.ARRIVED_AT_FACILITY, R.MISROUTED),
         8: _customs_stop(R.CUSTOMS_REFUSED),
         9: _because(_ATTEMPT, R.ADDRESS_PROBLEM)},
    ),
    6: OperationType(
        "Хранение", _m(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
        {1: "До востребования", 2: "На абонементный ящик", 3: "Установленный срок хранения",
         4: "Продление срока хранения по заявлению адресата",
         5: "Продление срока хранения по заявлению отправителя"},
        {4: _PICKUP_INFO, 5: _PICKUP_INFO},
    ),
    7: OperationType(
        "Временное хранение", _exc(M.ARRIVED_AT_FACILITY, R.OTHER),
        {1: "Нероздано", 2: "Невостребовано", 3: "Содержимое запрещено к пересылке",
         4: "Ожидает результаты экспертизы"},
        {2: _exc(M.ARRIVED_AT_FACILITY, R.STORAGE_EXPIRED),
         3: _exc(M.ARRIVED_AT_FACILITY, R.PROHIBITED_CONTENTS)},
    ),
    8: OperationType(
        "Обработка", _ARRIVED,
        {0: "Сортировка", 1: "Покинуло место приёма", 2: "Прибыло в место вручения",
         3: "Прибыло в сортировочный центр", 4: "Покинуло сортировочный центр",
         5: "Прибыло в место международного обмена", 6: "Покинуло место международного обмена",
         7: "Прибыло в место транзита", 8: "Покинуло место транзита", 9: "Прибыло в почтомат",
         10: "Истекает срок хранения в почтомате", 11: "Переадресовано в почтомат",
         12: "Изъято из почтомата", 13: "Прибыло на территорию РФ",
         14: "Прибыло в Центр выдачи посылок", 15: "Передано курьеру (водителю)",
         16: "Доставлено для вручения электронно", 17: "Направлено в ЦГП", 18: "Передано почтальону",
         19: "Передача в кладовую хранения", 20: "Покинуло место возврата/досылки",
         21: "Уточнение адреса", 22: "Ожидает курьерской доставки", 23: "Продление срока хранения",
         24: "Направлено извещение", 25: "Доставлено извещение", 26: "Зарегистрировано с новым номером",
         27: "Истекает срок хранения (осталось 25 дней)", 28: "Истекает срок хранения (осталось 5 дней)",
         29: "Находится на техническом исследовании", 30: "Поступило в ЦГП", 31: "Покинуло ЦГП",
         32: "Направлено в УКД", 33: "Истекает срок хранения (осталось 23 дня)", 34: "До ввод данных",
         35: "Истекает срок хранения (осталось 10 дней)", 36: "Зарегистрировано заявление на возврат",
         37: "Зарегистрировано заявление отправителя на продление срока хранения",
         38: "Зарегистрировано заявление адресата на продление срока хранения", 39: "Сдано в ПВЗ",
         40: "Истек срок хранения", 41: "Возврат скомплектован",
         42: "Истекает срок хранения (остался 1 день)", 43: "Истек срок хранения (осталось 2 дня)",
         44: "Сдано в СЦ", 45: "Резерв", 46: "Резерв", 47: "Приостановлена обработка по 115-ФЗ",
         48: "Присвоено место адресного хранения", 49: "Направлено в пункт выдачи"},
        {1: _DEPARTED, 4: _DEPARTED, 6: _DEPARTED, 8: _DEPARTED, 17: _DEPARTED, 31: _DEPARTED,
         32: _DEPARTED, 49: _DEPARTED,
         # Redirected to a parcel locker: moving again.
         11: _DEPARTED,
         # docs/partners/russian-post.md#reading-the-codes: the pair 8/2 is what clients use as
         # "arrived at the pickup office".
         2: _m(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
         9: _m(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
         14: _m(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
         39: _m(S.AVAILABLE_FOR_PICKUP, M.ARRIVED_AT_PICKUP_POINT),
         10: _EXPIRING, 27: _EXPIRING, 28: _EXPIRING, 33: _EXPIRING, 35: _EXPIRING, 42: _EXPIRING,
         43: _EXPIRING,
         12: _ATTEMPT,
         13: _m(S.IN_TRANSIT, M.ARRIVED_DESTINATION_COUNTRY),
         15: _m(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY),
         16: _m(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY),
         18: _m(S.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY),
         19: _PICKUP_INFO, 23: _PICKUP_INFO, 24: _PICKUP_INFO, 25: _PICKUP_INFO, 37: _PICKUP_INFO,
         38: _PICKUP_INFO, 48: _PICKUP_INFO,
         # Forward or return leg is not said: informational rather than a guess either way.
         20: _IN_TRANSIT_INFO,
         21: _m(S.EXCEPTION, M.INFORMATIONAL, R.ADDRESS_PROBLEM),
         22: _IN_TRANSIT_INFO, 26: _IN_TRANSIT_INFO, 34: _IN_TRANSIT_INFO, 45: _IN_TRANSIT_INFO,
         46: _IN_TRANSIT_INFO,
         29: _m(S.EXCEPTION, M.INFORMATIONAL, R.OTHER),
         36: _m(S.RETURNING, M.INFORMATIONAL, R.SENDER_REQUEST),
         40: _because(_ATTEMPT, R.STORAGE_EXPIRED),
         41: _m(S.RETURNING, M.INFORMATIONAL),
         47: _m(S.EXCEPTION, M.INFORMATIONAL, R.OTHER)},
    ),
    9: OperationType("Импорт международной почты", _m(S.IN_TRANSIT, M.ARRIVED_DESTINATION_COUNTRY)),
    10: OperationType("Экспорт международной почты", _m(S.IN_TRANSIT, M.DEPARTED_ORIGIN)),
    11: OperationType("Прием на таможню", _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED)),
    12: OperationType("Неудачная попытка вручения", _ATTEMPT, _ATTEMPT_ATTRIBUTES, _ATTEMPT_OVERRIDES),
    13: OperationType("Регистрация отправки", _IN_TRANSIT_INFO),
    14: OperationType(
        "Таможенное оформление", _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED),
        {1: "Выпущено таможней", 2: "Возвращено таможней", 3: "Осмотрено таможней", 4: "Отказ в выпуске",
         5: "Направлено с таможенным уведомлением", 6: "Направлено с обязательной уплатой таможенных платежей",
         7: "Требуется досмотр", 8: "Выпуск приостановлен", 9: "Отказ в приеме на таможню",
         10: "Проведен осмотр с использованием ТСТК", 11: "ТК в рамках СУР", 12: "Досмотр завершен",
         13: "Выпуск разрешен. Таможенные платежи уплачены",
         14: "Отказ в выпуске. Таможенные платежи не уплачены", 15: "Таможенная декларация не прошла ФЛК",
         16: "Выпущено таможней. Средства зарезервированы", 17: "Отказ в выпуске по решению должностного лица",
         18: "Требуется предъявление в ТО", 19: "Отказ в автоматическом выпуске",
         20: "Отказ в выпуске. Товары не предъявлены", 21: "Требуются результаты осмотра",
         22: "Возврат разрешен", 23: "Отказ в выпуске возвращаемых товаров", 24: "Требуется рентген-контроль",
         25: "В убытии отказано", 26: "Убытие разрешено"},
        {1: _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED),
         2: _because(_RETURN, R.CUSTOMS_REFUSED),
         3: _IN_TRANSIT_INFO,
         4: _customs_stop(R.CUSTOMS_REFUSED),
         # Goes on with a customs notice: the addressee has to clear it himself.
         5: _customs_stop(R.CUSTOMS_HOLD, P.CONSIGNEE),
         6: _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED),
         7: _CUSTOMS_HOLD,
         8: _customs_stop(R.CUSTOMS_HOLD),
         9: _customs_stop(R.CUSTOMS_REFUSED),
         10: _IN_TRANSIT_INFO,
         11: _CUSTOMS_HOLD,
         12: _IN_TRANSIT_INFO,
         13: _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED),
         14: _customs_stop(R.DUTY_UNPAID),
         15: _customs_stop(R.DOCUMENTS_MISSING),
         16: _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED),
         17: _customs_stop(R.CUSTOMS_REFUSED),
         18: _customs_stop(R.CUSTOMS_HOLD),
         19: _CUSTOMS_HOLD,
         20: _customs_stop(R.CUSTOMS_REFUSED),
         21: _CUSTOMS_HOLD,
         22: _m(S.RETURNING, M.INFORMATIONAL),
         23: _customs_stop(R.CUSTOMS_REFUSED),
         24: _CUSTOMS_HOLD,
         25: _customs_stop(R.CUSTOMS_REFUSED),
         26: _m(S.IN_TRANSIT, M.EXPORT_CUSTOMS_CLEARED)},
    ),
    15: OperationType("Передача на временное хранение", _exc(M.DEPARTED_FACILITY, R.OTHER)),
    16: OperationType("Уничтожение", _exc(M.LOST, R.OTHER)),
    # An unclaimed item becomes the post's property.
    17: OperationType("Оформление в собственность", _exc(M.LOST, R.STORAGE_EXPIRED)),
    18: OperationType("Регистрация утраты", _exc(M.LOST, R.LOST)),
    19: OperationType("Таможенные платежи поступили", _m(S.IN_TRANSIT, M.DUTY_PAID)),
    # 20-22: Direct Mail.
    20: OperationType("Регистрация", _m(S.IN_TRANSIT, M.ACCEPTED)),
    21: OperationType(
        "Доставка", _m(S.DELIVERED, M.DELIVERED),
        {1: "Доставлено в почтовый ящик", 2: "Доставлено в руки адресату под роспись",
         3: "Доставлено на ресепшн или секретариат под роспись"},
    ),
    22: OperationType(
        "Недоставка", _ATTEMPT,
        {1: "Отсутствие п/я", 2: "Отсутствие улицы, дома, квартиры", 3: "Несоответствие индекса ОПС выдачи",
         4: "Неверный адрес/адрес не существует", 5: "Отказ в получении", 6: "Нет доступа по адресу",
         7: "Организация сменила адрес", 8: "Адресат выбыл", 9: "Отправление не поместилось в п/я"},
        {1: _because(_ATTEMPT, R.ADDRESS_PROBLEM), 2: _because(_ATTEMPT, R.ADDRESS_PROBLEM),
         3: _because(_ATTEMPT, R.ADDRESS_PROBLEM), 4: _because(_ATTEMPT, R.ADDRESS_PROBLEM),
         5: _because(_ATTEMPT, R.ADDRESSEE_REFUSED), 6: _because(_ATTEMPT, R.ADDRESSEE_ABSENT),
         7: _because(_ATTEMPT, R.ADDRESS_PROBLEM, P.CONSIGNEE),
         8: _because(_ATTEMPT, R.ADDRESS_PROBLEM, P.CONSIGNEE), 9: _because(_ATTEMPT, R.OTHER)},
    ),
    23: OperationType("Поступление на временное хранение", _exc(M.ARRIVED_AT_FACILITY, R.OTHER)),
    24: OperationType(
        "Продление срока выпуска таможней", _customs_stop(R.CUSTOMS_HOLD),
        {1: "Предъявить на ветеринарный контроль", 2: "Предъявить на фитосанитарный контроль",
         3: "Отбор проб и образцов", 4: "Прочее", 1019: "Запрещенные объекты",
         1020: "Имеются ограничения на импортируемые вложения", 1050: "Счет отсутствует",
         1051: "Счет некорректен", 1052: "Сертификат отсутствует или некорректен",
         1053: "Сертификат некорректен", 1054: "Таможенная декларация отсутствует или некорректна",
         1055: "CN 22/23 некорректна", 1056: "Вложения с высокой стоимостью - требуется ТД",
         1057: "Контакт с клиентом невозможен", 1058: "Ожидается передача в таможенный орган",
         1059: "Требуются данные НДС/Номер ввоза", 1060: "Требуется сертификат для возвращенных вложений",
         1061: "Требуется форма перевода для банка", 1062: "Некомплектная поставка",
         1063: "Передано в таможенный орган", 1064: "Задержано в таможенном органе без указания причины",
         1065: "Ожидается подтверждение стоимости от получателя",
         1070: "Имеются ограничения на экспортируемые вложения",
         1073: "Неполная или некорректная документация"},
        {1019: _customs_stop(R.PROHIBITED_CONTENTS), 1020: _customs_stop(R.PROHIBITED_CONTENTS),
         1070: _customs_stop(R.PROHIBITED_CONTENTS),
         **{attr: _customs_stop(R.DOCUMENTS_MISSING)
            for attr in (1050, 1051, 1052, 1053, 1054, 1055, 1056, 1059, 1060, 1061, 1073)},
         1057: _customs_stop(R.ADDRESSEE_ABSENT),
         1065: _customs_stop(R.DOCUMENTS_MISSING, P.CONSIGNEE)},
    ),
    25: OperationType("Вскрытие", _IN_TRANSIT_INFO),
    26: OperationType(
        "Отмена", _m(S.CANCELLED, M.CANCELLED),
        {1: "Требование отправителя", 2: "Ошибка оператора"},
        {1: _m(S.CANCELLED, M.CANCELLED, R.SENDER_REQUEST), 2: _m(S.CANCELLED, M.CANCELLED, R.OTHER)},
    ),
    27: OperationType("Получена электронная регистрация", _m(S.INFO_RECEIVED, M.ORDER_PLACED)),
    28: OperationType("Присвоение идентификатора", _m(S.INFO_RECEIVED, M.ORDER_PLACED)),
    29: OperationType("Регистрация прохождения в ММПО", _ARRIVED),
    30: OperationType("Отправка SRM", _IN_TRANSIT_INFO),
    31: OperationType(
        "Обработка перевозчиком", _IN_TRANSIT_INFO,
        {1: "Транспорт прибыл", 5: "Бронирование подтверждено", 6: "Включено в план погрузки",
         7: "Исключено из плана погрузки", 14: "Транспортный участок завершен", 21: "Доставлено",
         23: "Почта в месте назначения", 24: "Погружено на борт", 31: "В пути",
         40: "Почта поступила на склад перевозчика", 41: "Перегрузка", 42: "Передано другому перевозчику",
         43: "Получено от другого перевозчика", 48: "Погружено", 57: "Не погружено", 59: "Выгружено",
         74: "Принято к перевозке", 82: "Возвращено"},
        {1: _ARRIVED, 14: _ARRIVED, 23: _ARRIVED, 40: _ARRIVED, 59: _ARRIVED,
         24: _DEPARTED, 48: _DEPARTED,
         21: _m(S.IN_TRANSIT, M.HANDED_OVER), 42: _m(S.IN_TRANSIT, M.HANDED_OVER),
         43: _m(S.IN_TRANSIT, M.HANDED_OVER), 74: _m(S.IN_TRANSIT, M.HANDED_OVER),
         7: _because(_IN_TRANSIT_INFO, R.DELAYED), 57: _because(_IN_TRANSIT_INFO, R.DELAYED),
         82: _because(_IN_TRANSIT_INFO, R.DELAYED)},
    ),
    32: OperationType("Поступление АПО", _ARRIVED),
    33: OperationType(
        "Международная обработка", _IN_TRANSIT_INFO,
        {1: "Передано перевозчику", 2: "Получено назначенным оператором", 3: "Обработка назначенным оператором"},
        {1: _m(S.IN_TRANSIT, M.HANDED_OVER), 2: _m(S.IN_TRANSIT, M.ARRIVED_DESTINATION_COUNTRY)},
    ),
    34: OperationType("Электронное уведомление загружено", _IN_TRANSIT_INFO),
    35: OperationType(
        "Отказ в курьерской доставке", _ATTEMPT,
        {1: "Не подлежащий доставке вид почтового отправления", 2: "Превышение предельного веса, подлежащее доставке",
         3: "Превышение габаритных размеров, подлежащее доставке", 4: "Дефектное почтовое отправление",
         5: "Наличие Таможенного уведомления",
         6: "Отсутствие Соглашения об обмене почтовыми отправлениями с наложенным платежом",
         7: "Возвращенное почтовое отправление",
         8: "Превышение суммы наложенного платежа, подлежащей взиманию на дому",
         9: "Неверно оформленные бланки или их отсутствие"},
        {1: _because(_ATTEMPT, R.OTHER), 2: _because(_ATTEMPT, R.OTHER), 3: _because(_ATTEMPT, R.OTHER),
         4: _because(_ATTEMPT, R.DAMAGED), 5: _because(_ATTEMPT, R.CUSTOMS_HOLD),
         6: _because(_ATTEMPT, R.OTHER, P.SENDER), 7: _because(_ATTEMPT, R.OTHER),
         8: _because(_ATTEMPT, R.OTHER), 9: _because(_ATTEMPT, R.DOCUMENTS_MISSING)},
    ),
    36: OperationType(
        "Уточнение вида оплаты доставки", _IN_TRANSIT_INFO, {0: "Включена в тариф", 1: "Платная", 2: "Предоплаченная"}
    ),
    37: OperationType("Предварительное оформление", _m(S.INFO_RECEIVED, M.ORDER_PLACED)),
    38: OperationType(
        "Задержка для уточнений у отправителя", _m(S.EXCEPTION, M.INFORMATIONAL, R.OTHER, P.SENDER),
        {4: "Неправильный/нечитаемый/неполный адрес", 13: "По требованию отправителя", 25: "Засыл отправления"},
        {4: _m(S.EXCEPTION, M.INFORMATIONAL, R.ADDRESS_PROBLEM),
         13: _m(S.EXCEPTION, M.INFORMATIONAL, R.SENDER_REQUEST),
         25: _m(S.EXCEPTION, M.INFORMATIONAL, R.MISROUTED)},
    ),
    39: OperationType(
        "Таможенное декларирование", _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_STARTED),
        {1: "Регистрация", 2: 'Предварительное решение "выпуск разрешен"',
         3: "Отказ в выпуске товаров. Требуется предъявление таможенному органу без осмотра",
         4: "Отказ в выпуске товаров. Требуется предъявление таможенному органу с осмотром",
         5: "Отказ в регистрации", 6: "Отказ в выпуске. Товары не предъявлены",
         7: "Данные от торговой площадки получены", 8: "Выпуск разрешен", 9: "Отказ в выпуске"},
        {2: _IN_TRANSIT_INFO, 3: _customs_stop(R.CUSTOMS_HOLD), 4: _customs_stop(R.CUSTOMS_HOLD),
         5: _customs_stop(R.DOCUMENTS_MISSING), 6: _customs_stop(R.CUSTOMS_REFUSED), 7: _IN_TRANSIT_INFO,
         8: _m(S.IN_TRANSIT, M.IMPORT_CUSTOMS_CLEARED), 9: _customs_stop(R.CUSTOMS_REFUSED)},
    ),
    40: OperationType(
        "Таможенный контроль", _CUSTOMS_HOLD,
        {1: "Платежи уплачены", 2: "Уведомление о проведении контроля",
         3: "Отказ в выпуске по решению должностного лица"},
        {1: _m(S.IN_TRANSIT, M.DUTY_PAID), 3: _customs_stop(R.CUSTOMS_REFUSED)},
    ),
    41: OperationType(
        "Обработка таможенных платежей", _IN_TRANSIT_INFO,
        {1: "Сумма платежа удержана УО", 2: "Сумма платежа списана ФТС", 3: "Сумма платежа для удержания УО",
         4: "Сумма платежа удержана УО полностью", 5: "Сумма платежа рассчитана УО",
         6: "Сумма платежа удержана ФТС полностью"},
        {attr: _m(S.IN_TRANSIT, M.DUTY_PAID) for attr in (1, 2, 4, 6)},
    ),
    42: OperationType("Вторая неудачная попытка вручения", _ATTEMPT, _ATTEMPT_ATTRIBUTES, _ATTEMPT_OVERRIDES),
    43: OperationType("Вручение разрешено", _IN_TRANSIT_INFO),
    # The post refused to accept the item: it never entered the network; the sender may retry.
    44: OperationType("Отказ в приеме", _m(S.EXCEPTION, M.INFORMATIONAL, R.OTHER, P.SENDER)),
    45: OperationType("Отказ от отправки электронного уведомления получателем", _IN_TRANSIT_INFO),
    46: OperationType("Отмена присвоения идентификатора", _m(S.CANCELLED, M.CANCELLED)),
    47: OperationType("Подтверждение возможности приема", _m(S.INFO_RECEIVED, M.INFORMATIONAL)),
    48: OperationType("Частичное вручение", _m(S.DELIVERED, M.DELIVERED)),
    49: OperationType(
        "Отказ в продлении срока хранения", _PICKUP_INFO,
        {1: "Отправление уже вручено", 2: "Заявка на продление срока хранения получена повторно",
         3: "Заявка на продление срока хранения подана позже, чем за 24 часа окончания нормативного срока хранения",
         4: "Наличие дебиторской задолженности по корпоративному клиенту",
         5: "Наличие запрета со стороны Компании дистанционной торговли (интернет-магазина) "
            "на продление срока хранения",
         6: "ПВЗ закрыт"},
        # "Отправление уже вручено": the item was handed over already, so the status the code
        # implies is delivered (docs/partners/russian-post.md#operattr-by-opertype, 49.1); it stays
        # informational, so the timeline is unchanged.
        {1: _m(S.DELIVERED, M.INFORMATIONAL)},
    ),
    50: OperationType(
        "Неудачная доставка в АПС", _because(_ATTEMPT, R.OTHER, P.CARRIER),
        {1: "АПС отсутствует", 2: "АПС не работает", 3: "К АПС нет доступа", 4: "Курьер не успел",
         5: "Нет свободных ячеек в АПС", 6: "Курьер не смог совершить закладку",
         7: "Размер открывшейся ячейки меньше размера отправления"},
        {4: _because(_ATTEMPT, R.DELAYED)},
    ),
    51: OperationType(
        "Неудачная доставка в ПВЗ", _because(_ATTEMPT, R.OTHER, P.CARRIER),
        {1: "ПВЗ закрыт временно", 2: "ПВЗ закрыт постоянно", 3: "Отказ ПВЗ в приеме", 4: "Курьер не успел"},
        {4: _because(_ATTEMPT, R.DELAYED)},
    ),
    52: OperationType("Отказ в резервировании ячейки АПС", _IN_TRANSIT_INFO),
}

OPERATION_TYPES: Mapping[int, OperationType] = MappingProxyType(_TYPES)


@dataclass(frozen=True)
class CodEventType:
    name: str
    mapping: CodeMapping


# A COD money order exists only once the addressee has paid on delivery, so every COD event
# implies `delivered`; only the payment itself is a milestone, the rest is money movement.
COD_EVENT_TYPES: Mapping[int, CodEventType] = MappingProxyType({
    1: CodEventType("COD payment received at service point (Приём)", _m(S.DELIVERED, M.COD_COLLECTED)),
    2: CodEventType("After correction, COD payment was resent by collection point", _m(S.DELIVERED, M.INFORMATIONAL)),
    3: CodEventType("Money issued to the consignee (Оплата)", _m(S.DELIVERED, M.INFORMATIONAL)),
    4: CodEventType("COD payment transferred to another service point", _m(S.DELIVERED, M.INFORMATIONAL)),
    5: CodEventType("COD payment resent to the collection point", _m(S.DELIVERED, M.INFORMATIONAL)),
    6: CodEventType("Not used for COD; may be used for correction", _m(S.DELIVERED, M.INFORMATIONAL)),
    7: CodEventType("Not used for COD; may be used for correction", _m(S.DELIVERED, M.INFORMATIONAL)),
})


def _code_number(text: str | None) -> int | None:
    """An ASCII decimal code ("08" → 8); None for empty or anything else."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped or len(stripped) > 9 or not stripped.isascii() or not stripped.isdigit():
        return None
    return int(stripped)


def operation_raw_code(oper_type: str, oper_attr: str | None) -> str:
    """`OperType.OperAttr` ("8.2"), numbers normalised so both formats write one code; `8` without attribute."""
    type_number = _code_number(oper_type)
    type_text = str(type_number) if type_number is not None else oper_type.strip()
    if oper_attr is None or not oper_attr.strip():
        return type_text
    attr_number = _code_number(oper_attr)
    return f"{type_text}.{attr_number if attr_number is not None else oper_attr.strip()}"


def operation_mapping(oper_type: str, oper_attr: str | None) -> CodeMapping:
    """The mapping of one operation, with its description; `UNMAPPED` for what the table lacks."""
    type_number = _code_number(oper_type)
    operation = OPERATION_TYPES.get(type_number) if type_number is not None else None
    if operation is None:
        return UNMAPPED
    attr_text = (oper_attr or "").strip()
    attribute = _code_number(attr_text) if attr_text else 0
    if attribute is None:
        return UNMAPPED
    if attribute in operation.attributes:
        description = f"{operation.name}: {operation.attributes[attribute]}"
    elif attribute == 0:
        description = operation.name
    else:
        return UNMAPPED
    return replace(operation.mapping_for(attribute), description=description)


def cod_mapping(event_type: str) -> CodeMapping:
    number = _code_number(event_type)
    known = COD_EVENT_TYPES.get(number) if number is not None else None
    return replace(known.mapping, description=known.name) if known else UNMAPPED


def documented_rows() -> Iterator[tuple[int, int | None, CodeMapping]]:
    """Every row of docs/partners/russian-post.md#operation-codes.

    Yields (OperType, OperAttr or None for a type without attributes, mapping).
    """
    for type_number, operation in OPERATION_TYPES.items():
        if not operation.attributes:
            yield type_number, None, operation_mapping(str(type_number), None)
        for attribute in operation.attributes:
            yield type_number, attribute, operation_mapping(str(type_number), str(attribute))
