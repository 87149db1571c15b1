"""The names other code imports from `adapters` and `schemas` still exist where it imports them.

The hub (hub/), the tests and the adapters themselves (for `schemas`) import these; a move or
rename inside either package that breaks one fails here, by name, before anything else runs.
Listed by hand: a module that starts importing a new name adds it here.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import pytest

pytestmark = pytest.mark.unit

PUBLIC: dict[str, tuple[str, ...]] = {
    # The adapters' contract, as hub/stages/normalise.py, hub/cli/normalize.py and hub/app.py call it.
    "adapters": ("registry",),
    "adapters.registry": ("PARSERS", "run_adapter"),
    "adapters.base": ("AdapterError", "AdapterOptions", "AdapterResult", "Problem"),
    # The code tables, which the tests check against the partner pages.
    "adapters._shared.code_table": ("UNMAPPED", "CodeMapping"),
    # Safe XML reading, which the Russian Post poller's client uses on its SOAP answers.
    "adapters._shared.safe_xml": ("load_xml", "local_name"),
    "adapters.aliexpress.codes": ("DETAIL_CODES", "LOGISTICS_STATUSES", "ORDER_STATUSES"),
    "adapters.boxberry.codes": ("STATUS_BY_KEY", "STATUS_NAMES", "name_key"),
    "adapters.cainiao.codes": ("ACTION_CODES",),
    "adapters.cdek.codes": ("ALIASES", "LEGACY_NUMERIC", "REASON_CODES", "STATUS_CODES"),
    "adapters.hub_native.codes": ("EVENTS", "EVENT_NAMES", "RETURN_STATUS"),
    "adapters.ozon.codes": (
        "CUTOFF_DATE_CHANGED", "NON_LOGISTICS_PUSH_TYPES", "PING", "PUSH_TYPES", "STATE_CHANGED", "STATUSES",
        "SUBSTATUSES",
    ),
    "adapters.russian_post.codes": (
        "COD_EVENT_TYPES", "OPERATION_TYPES", "cod_mapping", "documented_rows", "operation_mapping",
        "operation_raw_code",
    ),
    "adapters.russian_post.postcode_zones": ("POSTCODE_ZONES", "zone_for_postcode"),
    "adapters.spsr.codes": ("STATES", "STATE_BY_KEY", "state_key"),
    "adapters.wildberries.codes": ("SUPPLIER_STATUSES", "WB_STATUSES"),
    # The canonical model and its vocabularies.
    "schemas": (
        "Amount", "AmountKind", "CanonicalEvent", "DeadLetterHeader", "DeadLetterReason", "Identifier", "Leg",
        "Level", "Location", "Milestone", "Outcome", "PartnerKind", "Party", "REASON_PARTY", "Reason", "Scheme",
        "Status", "TimeSource", "make_event_id",
    ),
    "schemas.deadletter": (
        "DeadLetterHeader", "DeadLetterReason", "Outcome", "PARTNER_HEADER", "REPLAYED_FROM_HEADER", "SUBJECT_HEADER",
    ),
    "schemas.enums": ("Leg", "REASON_PARTY", "Status"),
    "schemas.identifiers": (
        "Identifier", "InvalidIdentifier", "Level", "SCHEMES", "Scheme", "candidates", "rp_check_digit",
        "s10_check_digit", "s10_service",
    ),
    "schemas.json_schemas": ("GENERATED", "OUT", "render"),
    "schemas.money": (
        "BadAmount", "ISO_NUMERIC", "MINOR_DIGITS", "Rounding", "as_decimal", "major_to_minor", "round_to_minor",
        "split_largest_remainder",
    ),
    "schemas.settlement": ("EntryKind", "SettlementEntry", "Statement", "StatementState", "make_entry_id"),
    "schemas.timeline": ("Corridor", "LegSpan", "TIMELINE_RECORD", "Timeline", "TimelineRedirect"),
}


@pytest.mark.parametrize(
    ("module", "name"), [(module, name) for module, names in PUBLIC.items() for name in names]
)
def test_public_name_exists(module: str, name: str) -> None:
    imported = importlib.import_module(module)
    found = hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}") is not None  # a submodule
    assert found, f"{module}.{name} is imported elsewhere and no longer exists"


def test_every_partner_package_is_registered() -> None:
    # adapters/<partner>/ are the adapters, adapters/_shared/ is not one; the registry is the one way in.
    import adapters
    from adapters.registry import PARSERS

    packages = {info.name for info in pkgutil.iter_modules(adapters.__path__) if info.ispkg}
    assert set(PARSERS) == packages - {"_shared"}
