"""Schemas v1: the closed vocabularies are exactly docs/architecture.md's lists, models are frozen."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from schemas import (
    Amount,
    CanonicalEvent,
    DeadLetterHeader,
    DeadLetterReason,
    Leg,
    Milestone,
    Outcome,
    PartnerKind,
    Reason,
    Status,
    make_event_id,
)
from schemas.enums import REASON_PARTY
from schemas.identifiers import SCHEMES, Identifier, InvalidIdentifier, Level
from schemas.timeline import TIMELINE_RECORD, TimelineRedirect

pytestmark = pytest.mark.unit

# Copied by hand from docs/architecture.md#vocabularies, docs/architecture.md#identifiers and
# docs/architecture.md#dead-letters.
ARCHITECTURE_STATUS = """info_received in_transit out_for_delivery available_for_pickup attempt_failed delivered
exception returning returned cancelled unknown"""
ARCHITECTURE_MILESTONE = """order_placed accepted warehouse_inbound warehouse_stored warehouse_outbound certified
export_customs_started export_customs_cleared departed_origin arrived_destination_country import_customs_started
import_customs_cleared customs_held duty_paid arrived_at_facility departed_facility handed_over out_for_delivery
arrived_at_pickup_point storage_expiring delivery_attempt_failed delivered cod_collected return_started
returned_to_sender cancelled lost damaged informational unknown"""
ARCHITECTURE_LEG = """first_mile origin_warehouse export_customs line_haul import_customs destination_warehouse
last_mile pickup_point return"""
ARCHITECTURE_KIND = "marketplace logistics_platform post courier warehouse pickup_point"
ARCHITECTURE_REASON = """addressee_absent addressee_refused address_problem storage_expired customs_hold
customs_refused duty_unpaid documents_missing prohibited_contents damaged lost delayed misrouted sender_request
force_majeure other"""
ARCHITECTURE_DLQ = """not_json not_xml unsafe_xml bad_encoding too_large too_deep schema_mismatch bad_value
unknown_format missing_subject partner_mismatch no_contract fx_missing internal_error"""
ARCHITECTURE_PARCEL = "s10 rp cainiao cdek cdek_uuid boxberry spsr ozon_posting wb_task hub"
ARCHITECTURE_ORDER = "aliexpress_order ozon_order"


@pytest.mark.parametrize(
    ("enum", "listed"),
    [
        (Status, ARCHITECTURE_STATUS), (Milestone, ARCHITECTURE_MILESTONE), (Leg, ARCHITECTURE_LEG),
        (PartnerKind, ARCHITECTURE_KIND), (Reason, ARCHITECTURE_REASON), (DeadLetterReason, ARCHITECTURE_DLQ),
    ],
)
def test_enums_are_exactly_the_architecture_lists(enum, listed):
    assert [m.value for m in enum] == listed.split()


def test_every_reason_names_a_party_at_fault():
    assert set(REASON_PARTY) == set(Reason)


def test_identifier_levels_follow_the_registry():
    parcel = {s.value for s, rule in SCHEMES.items() if rule.level is Level.PARCEL}
    order = {s.value for s, rule in SCHEMES.items() if rule.level is Level.ORDER}
    assert parcel == set(ARCHITECTURE_PARCEL.split())
    assert order == set(ARCHITECTURE_ORDER.split())


def test_dead_letter_headers_and_outcomes():
    assert [h.value for h in DeadLetterHeader] == [
        "hub-dlq-reason", "hub-dlq-error-type", "hub-dlq-stage", "hub-dlq-source-topic", "hub-dlq-source-partition",
        "hub-dlq-source-offset", "hub-dlq-partner", "hub-dlq-adapter-version",
    ]
    assert [o.value for o in Outcome] == ["normalised", "ignored", "partial", "dead_lettered"]


def _event(**overrides) -> CanonicalEvent:
    fields = dict(
        event_id="evt_1", partner="cdek", partner_kind="courier", adapter_version=1, subject=("cdek:1106153417",),
        status="delivered", milestone="delivered", occurred_at="2019-07-11T12:41:43+07:00",
        received_at="2026-01-01T00:00:00Z", raw_code="DELIVERED",
    )
    return CanonicalEvent.model_validate({**fields, **overrides})


def test_event_times_are_utc_and_the_model_is_frozen():
    event = _event()
    assert event.occurred_at == datetime(2019, 7, 11, 5, 41, 43, tzinfo=timezone.utc)
    assert event.occurred_at.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError):
        event.status = Status.RETURNED  # type: ignore[misc]


def test_event_refuses_naive_times_unknown_schemes_and_float_money():
    with pytest.raises(ValidationError):
        _event(occurred_at="2019-07-11T12:41:43")
    with pytest.raises(ValidationError):
        _event(subject=("fedex:123",))
    with pytest.raises(ValidationError):
        _event(amounts=[{"kind": "cod", "minor": "12.5", "currency": "RUB"}])
    assert _event(amounts=[Amount(kind="cod", minor=1250, currency="RUB")]).amounts[0].minor == 1250


def test_event_id_depends_on_the_time_as_written_not_on_bytes():
    a = make_event_id("cdek", "1106153417", "DELIVERED", "2019-07-11T12:41:43+0700")
    assert a == make_event_id("cdek", "1106153417", "DELIVERED", "2019-07-11T12:41:43+0700")
    assert a != make_event_id("cdek", "1106153417", "DELIVERED", "2019-07-11T12:41:44+0700")
    assert a != make_event_id("boxberry", "1106153417", "DELIVERED", "2019-07-11T12:41:43+0700")


@pytest.mark.parametrize(
    ("text", "canonical", "valid"),
    [
        # docs/partners/README.md#s10-examples and docs/partners/russian-post.md#barcode-check-digit
        ("RR123456785CN", "s10:RR123456785CN", True),  # the common example, valid
        ("rb 000000005 cn", "s10:RB000000005CN", True),  # S = 0 → C = 11 → 5
        ("RA644000001RU", "s10:RA644000001RU", False),  # the Russian Post spec's own bad example
        ("14102192069353", "rp:14102192069353", True),  # the spec's COD example, valid
        ("45008378901234", "rp:45008378901234", False),  # a spec example, wrong check digit
    ],
)
def test_check_digits_are_soft(text, canonical, valid):
    scheme = canonical.split(":")[0]
    identifier = Identifier.of(scheme, text)
    assert str(identifier) == canonical
    assert identifier.check_digit_valid is valid


def test_identifier_parse_refuses_what_does_not_fit():
    with pytest.raises(InvalidIdentifier):
        Identifier.parse("s10:NOTANUMBER")
    with pytest.raises(InvalidIdentifier):
        Identifier.parse("no-scheme-here")


def test_timeline_records_are_a_union_on_kind():
    redirect = TIMELINE_RECORD.validate_json(b'{"kind": "redirect", "shipment_id": "shp_a", "to": "shp_b"}')
    assert isinstance(redirect, TimelineRedirect) and redirect.to == "shp_b"
