"""Golden cases for the Cainiao adapter: expectations written by hand from docs/partners/cainiao.md.

Expected instants are `timeStr` minus eight hours (docs/partners/cainiao.md#time-semantics: `timeStr` is
`time` rendered in UTC+8), worked out by hand; the local offset is what `timeZone` names.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind, make_event_id
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="cainiao", partner_kind=PartnerKind.LOGISTICS_PLATFORM)


def run(name: str):
    return run_case("cainiao", CASES, name, OPTIONS)


# (actionCode, status, milestone, occurred_at UTC, local offset minutes), newest first.
AE010698498 = [
    ("CC_IM_SUCCESS", "in_transit", "import_customs_cleared", "2023-01-29T00:31:00+00:00", 0),
    ("CC_HO_OUT_SUCCESS", "in_transit", "departed_facility", "2023-01-29T00:31:00+00:00", 0),
    ("CC_HO_IN_SUCCESS", "in_transit", "arrived_at_facility", "2023-01-28T21:00:00+00:00", 0),
    ("CUSTOMS_ARRIVED_IN_AREA_CALLBACK", "in_transit", "informational", "2023-01-28T21:00:00+00:00", 0),
    ("LH_ARRIVE", "in_transit", "arrived_destination_country", "2023-01-27T05:23:00+00:00", 120),
    ("LH_DEPART", "in_transit", "departed_origin", "2023-01-26T15:18:00+00:00", 480),
    # docs/partners/cainiao.md#time-semantics: import customs "started" before the flight departed: out of
    # order, kept as is.
    ("CC_IM_START", "in_transit", "import_customs_started", "2023-01-26T01:47:00+00:00", 0),
    ("LH_HO_AIRLINE", "in_transit", "handed_over", "2023-01-26T00:00:00+00:00", 480),
    ("CC_EX_SUCCESS", "in_transit", "export_customs_cleared", "2023-01-25T06:55:42+00:00", 480),
    ("CC_EX_START", "in_transit", "export_customs_started", "2023-01-25T06:35:19+00:00", 480),
    ("TRANSIT_PORT_REROUTE_CALLBACK", "in_transit", "informational", "2023-01-25T03:50:38.471000+00:00", 480),
    ("LH_HO_IN_SUCCESS", "in_transit", "arrived_at_facility", "2023-01-25T00:25:15+00:00", 480),
    ("SC_OUTBOUND_SUCCESS", "in_transit", "departed_facility", "2023-01-24T12:54:35+00:00", 480),
    ("PU_PICKUP_SUCCESS", "in_transit", "accepted", "2023-01-24T12:20:21+00:00", 480),
    ("SC_INBOUND_SUCCESS", "in_transit", "arrived_at_facility", "2023-01-24T12:20:21+00:00", 480),
    # timeZone "" on these two: no local offset.
    ("WMS_CONFIRMED", "in_transit", "informational", "2023-01-24T03:30:03.862000+00:00", None),
    ("GWMS_OUTBOUND", "in_transit", "warehouse_outbound", "2023-01-24T03:30:03+00:00", 480),
    ("GWMS_PACKAGE", "info_received", "informational", "2023-01-24T03:26:28.216000+00:00", None),
    ("GWMS_ACCEPT", "info_received", "order_placed", "2023-01-23T17:59:33.895000+00:00", 480),
]

RS0814398526Y = [
    ("CC_IM_SUCCESS", "in_transit", "import_customs_cleared", "2023-09-28T01:46:53+00:00", 0),
    ("GTMS_ACCEPT", "in_transit", "handed_over", "2023-09-28T01:46:53+00:00", 180),
    ("CC_HO_OUT_SUCCESS", "in_transit", "departed_facility", "2023-09-28T01:46:53+00:00", 0),
    ("CC_HO_IN_SUCCESS", "in_transit", "arrived_at_facility", "2023-09-27T08:40:01+00:00", 0),
    ("LH_ARRIVE", "in_transit", "arrived_destination_country", "2023-09-26T02:13:00+00:00", 120),
    ("LH_DEPART", "in_transit", "departed_origin", "2023-09-25T17:24:00+00:00", 480),
    ("CC_EX_SUCCESS", "in_transit", "export_customs_cleared", "2023-09-25T03:08:00+00:00", 480),
    ("CC_EX_START", "in_transit", "export_customs_started", "2023-09-25T00:41:00+00:00", 480),
    ("LH_HO_AIRLINE", "in_transit", "handed_over", "2023-09-25T00:00:00+00:00", 480),
    ("LH_HO_IN_SUCCESS", "in_transit", "arrived_at_facility", "2023-09-23T05:29:38+00:00", 480),
    ("SC_OUTBOUND_SUCCESS", "in_transit", "departed_facility", "2023-09-22T14:50:49+00:00", 480),
    ("SC_INBOUND_SUCCESS", "in_transit", "arrived_at_facility", "2023-09-22T12:34:56+00:00", 480),
    ("CC_IM_START", "in_transit", "import_customs_started", "2023-09-22T09:51:16+00:00", 0),
    ("PU_PICKUP_SUCCESS", "in_transit", "accepted", "2023-09-22T07:55:02+00:00", 480),
]


@pytest.mark.parametrize(
    ("name", "subject", "flags", "expected"),
    [
        # docs/partners/cainiao.md#identifiers: AE + 9 digits is a cainiao number. The preMainCode
        # SINOA00241668IL fits no parcel scheme: flagged, not linked.
        ("cainiao_global_detail_AE010698498.json", ["cainiao:AE010698498"],
         ["unresolved_reference:preMainCode:SINOA00241668IL"], AE010698498),
        # docs/partners/cainiao.md#identifiers: two letters, ten digits, Y.
        ("cainiao_global_detail_RS0814398526Y.json", ["cainiao:RS0814398526Y"], [], RS0814398526Y),
    ],
)
def test_real_captures(name: str, subject: list[str], flags: list[str], expected: list[tuple]) -> None:
    result = run(name)
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    assert len(result.events) == len(expected)  # latestTrace repeats detailList[0]: one event
    promised = _promises(name)
    for event, (code, status, milestone, occurred_at, offset) in zip(result.events, expected, strict=True):
        assert_event(event, {
            "subject": subject, "status": status, "milestone": milestone, "raw_code": code,
            "occurred_at": occurred_at, "local_offset_minutes": offset, "flags": flags,
            "promised_delivery": promised.get(code),
        })


def _promises(name: str) -> dict[str, str]:
    """docs/partners/cainiao.md#real-traces: globalEtaInfo.deliveryMaxTime rides on the latest event
    (by time, then id: RS0814398526Y's three newest share one time)."""
    return {
        "cainiao_global_detail_RS0814398526Y.json": {"GTMS_ACCEPT": "2023-10-16T23:59:56+00:00"},
    }.get(name, {})


# docs/partners/cainiao.md#real-traces. The mailNo placeholders of the publisher are S10-shaped with a wrong
# check digit: flagged, linked.
RC1 = ["s10:RC000000001EE"]
RC2 = ["s10:RC000000002EE", "s10:RC000000003EE"]  # realMailNo "Latest Tracking Number:\tRC000000003EE" links


@pytest.mark.parametrize(
    ("name", "subject", "flags", "unknown", "expected"),
    [
        ("cainiao_real_delivered_RC000000001EE.json", RC1, ["bad_check_digit:s10:RC000000001EE"], (), [
            ("GTMS_SIGNED", "delivered", "delivered", "2026-02-06T07:25:17+00:00", 480, None),
            # Out for delivery, group AE_GROUP_DELIVERING: not a facility departure.
            ("GTMS_DO_DEPART", "out_for_delivery", "out_for_delivery", "2026-02-05T23:52:42+00:00", 480, None),
            ("CC_IM_SUCCESS", "in_transit", "import_customs_cleared", "2026-02-04T09:32:25+00:00", 480, None),
            ("COMMON_INTRANSIT", "in_transit", "informational", "2026-02-02T06:23:08+00:00", 480, None),
            ("LH_ARRIVE", "in_transit", "arrived_destination_country", "2026-01-26T06:53:04+00:00", 480, None),
            # In no published list; mapped from this trace (group AE_GROUP_DES_PROCESSING).
            ("GTMS_OE_DEPART", "in_transit", "departed_facility", "2025-12-08T14:44:22+00:00", 480, None),
            ("PU_PICKUP_SUCCESS", "in_transit", "accepted", "2025-12-08T14:29:00+00:00", 480, None),
        ]),
        ("cainiao_real_in_customs_RC000000002EE.json", RC2,
         ["bad_check_digit:s10:RC000000002EE", "bad_check_digit:s10:RC000000003EE"], (), [
            # deliveryMaxTime 1787828878899 is the promise, on the latest event.
            ("CC_HO_OUT_SUCCESS", "in_transit", "departed_facility", "2026-08-23T06:18:40+00:00", 120,
             "2026-08-27T11:07:58.899000+00:00"),
            # The normal hand-over to the destination post, not an exception.
            ("LH_POST_COLLECTION", "in_transit", "handed_over", "2026-08-22T12:03:00+00:00", 180, None),
            ("SC_OUTBOUND_SUCCESS", "in_transit", "departed_facility", "2026-07-02T18:55:17+00:00", 480, None),
            ("PU_PICKUP_SUCCESS", "in_transit", "accepted", "2026-07-01T16:16:31+00:00", 480, None),
        ]),
        # copyRealMailNo 36YPH… fits no carrier scheme: flagged, the events stay on the AP number.
        ("cainiao_real_handoff_AP00839790702074.json", ["cainiao:AP00839790702074"],
         ["unresolved_reference:copyRealMailNo:36YPH337263201000935107"], (), [
            ("LH_HO_AIRLINE", "in_transit", "handed_over", "2026-08-27T08:35:00+00:00", None, None),
            ("GWMS_ACCEPT", "info_received", "order_placed", "2026-08-25T13:05:57.906000+00:00", None, None),
        ]),
    ],
)
def test_real_traces(name: str, subject: list[str], flags: list[str], unknown: tuple[str, ...], expected: list[tuple]) -> None:
    result = run(name)
    assert result.outcome is Outcome.NORMALISED and result.unknown_codes == unknown
    assert len(result.events) == len(expected)
    for event, (code, status, milestone, occurred_at, offset, promised) in zip(result.events, expected, strict=True):
        assert_event(event, {
            "subject": subject, "status": status, "milestone": milestone, "raw_code": code,
            "occurred_at": occurred_at, "local_offset_minutes": offset, "flags": flags, "promised_delivery": promised,
        })


def test_an_unknown_code_takes_its_group_stage_and_is_still_counted() -> None:
    raw = (b'{"module": [{"mailNo": "LP00812637173551", "detailList": [{"time": 1700000000000, "actionCode": "GTMS_NEW_ONE",'
           b' "group": {"nodeCode": "AE_GROUP_DELIVERING", "nodeDesc": "Out for delivery"}},'
           b' {"time": 1600000000000, "actionCode": "GTMS_OTHER_NEW", "group": {"nodeCode": "AE_GROUP_NEVER_SEEN"}}]}]}')
    result = run_adapter("cainiao", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert result.unknown_codes == ("GTMS_NEW_ONE", "GTMS_OTHER_NEW")
    grouped, ungrouped = result.events
    assert (grouped.status.value, grouped.milestone.value) == ("out_for_delivery", "out_for_delivery")
    assert (ungrouped.status.value, ungrouped.milestone.value) == ("unknown", "unknown")


def test_real_unknown_number_is_ignored_with_its_odd_mail_no_counted() -> None:
    result = run("cainiao_real_unknown_number_LP00000000000.json")
    assert result.outcome is Outcome.IGNORED and result.events == ()
    assert ("odd_identifier", "mailNo:LP00000000000") in [(p.kind, p.detail) for p in result.problems]


def test_odd_mail_no_rides_on_the_renumbered_parcel() -> None:
    raw = (b'{"module": [{"mailNo": "XX-NOT-OURS", "copyRealMailNo": "RR123456785CN", "detailList": ['
           b'{"time": 1700000000000, "actionCode": "GTMS_SIGNED"}]}]}')
    result = run_adapter("cainiao", raw, received_at=RECEIVED_AT, options=OPTIONS)
    (event,) = result.events
    assert event.subject == ("s10:RR123456785CN",) and "odd_identifier:mailNo:XX-NOT-OURS" in event.flags
    assert result.outcome is Outcome.NORMALISED


def test_no_usable_number_at_all_is_a_dead_letter() -> None:
    raw = b'{"module": [{"mailNo": "XX-NOT-OURS", "detailList": [{"time": 1700000000000, "actionCode": "GTMS_SIGNED"}]}]}'
    with pytest.raises(AdapterError) as caught:
        run_adapter("cainiao", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert caught.value.reason is DeadLetterReason.BAD_VALUE


def test_event_id_hashes_the_mail_no_code_and_epoch_as_written() -> None:
    first = run("cainiao_global_detail_AE010698498.json").events[0]
    assert first.event_id == make_event_id("cainiao", "AE010698498", "CC_IM_SUCCESS", "1674952260000")


@pytest.mark.parametrize("name", ["cainiao_global_detail_AE010698498.json", "cainiao_global_detail_RS0814398526Y.json"])
def test_time_str_is_the_instant_in_utc_plus_8(name: str) -> None:
    # docs/partners/cainiao.md#time-semantics, checked on the captures: the adapter reads `time`, and `timeStr` is
    # that instant in UTC+8 whatever `timeZone` says.
    document = json.loads((CASES / name).read_bytes())
    events = run(name).events
    for trace, event in zip(document["module"][0]["detailList"], events, strict=True):
        wall = datetime.strptime(trace["timeStr"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone(timedelta(hours=8)))
        assert event.occurred_at.replace(microsecond=0) == wall


def test_synthetic_statuses_cross_reference_and_bad_entries() -> None:
    result = run("synthetic_global_detail_s10_delivered.json")
    assert result.outcome is Outcome.PARTIAL
    # time "yesterday", no actionCode, a string; mailNo "NOT A PARCEL" has no entries: nothing to say.
    assert result.bad_items == 3
    assert result.unknown_codes == ("SYNTHETIC_CODE",)
    # An S10 mailNo links Cainiao to Russian Post; preMainCode:RA644000001RU fits s10, so it
    # joins the subject (docs/partners/README.md#soft-check-digits: its check digit is wrong: flagged, kept).
    linked = ["s10:RR123456785CN", "s10:RA644000001RU"]
    flags = ["bad_check_digit:s10:RA644000001RU"]
    expected = [
        ("GTMS_SIGNED", "delivered", "delivered", None, "2023-11-14T22:13:20+00:00", 180),
        ("GTMS_DELIVERING", "out_for_delivery", "out_for_delivery", None, "2023-11-14T19:26:40+00:00", 180),
        ("GTMS_DEL_FAILURE", "attempt_failed", "delivery_attempt_failed", None, "2023-11-13T18:26:40+00:00", 180),
        ("GTMS_WAIT_SELF_PICK", "available_for_pickup", "arrived_at_pickup_point", None,
         "2023-11-12T14:40:00+00:00", None),
        ("CUS_TAX", "exception", "customs_held", "duty_unpaid", "2023-11-11T10:53:20+00:00", 180),
        ("TRANSIT_PORT_REROUTE_CALLBACK", "in_transit", "informational", None, "2023-11-10T07:06:40+00:00", 480),
        # No `time`: timeStr read in UTC+8.
        ("GTMS_ACCEPT", "in_transit", "handed_over", None, "2023-11-10T04:00:00+00:00", 180),
        ("SYNTHETIC_CODE", "unknown", "unknown", None, "2023-11-09T03:20:00+00:00", 480),
    ]
    parcel_events = [e for e in result.events if e.subject[0] == "s10:RR123456785CN"]
    assert len(parcel_events) == len(expected)
    for event, (code, status, milestone, reason, occurred_at, offset) in zip(parcel_events, expected, strict=True):
        assert_event(event, {
            "subject": linked, "status": status, "milestone": milestone, "raw_code": code,
            "reason": reason, "reason_party": "consignee" if reason else None,
            "occurred_at": occurred_at, "local_offset_minutes": offset, "flags": flags,
        })
    returned, returning, cancelled = (e for e in result.events if e.subject[0] != "s10:RR123456785CN")
    assert_event(returned, {
        "subject": ["cainiao:LP00812637173551"], "status": "returned", "milestone": "returned_to_sender",
        "raw_code": "RETURNED", "occurred_at": "2023-12-08T01:46:40+00:00", "local_offset_minutes": 480,
    })
    assert_event(returning, {
        "subject": ["cainiao:LP00812637173551"], "status": "returning", "milestone": "warehouse_inbound",
        "raw_code": "RT_WH_INBOUND", "occurred_at": "2023-11-26T12:00:00+00:00", "local_offset_minutes": 480,
    })
    assert_event(cancelled, {
        "subject": ["cainiao:LP00812637173552"], "status": "cancelled", "milestone": "cancelled",
        "raw_code": "GWMS_CANCEL", "occurred_at": "2023-10-22T18:40:00+00:00", "local_offset_minutes": 480,
    })


def test_unknown_number_without_events_is_ignored() -> None:
    assert run("synthetic_global_detail_unknown_number.json").outcome is Outcome.IGNORED


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"null", DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"success": true}', DeadLetterReason.SCHEMA_MISMATCH),
        # The older J-NET shape (docs/partners/cainiao.md#the-older-j-net-shape) is not this endpoint's.
        (b'{"trackElementList": [{"actionCode": "GTMS_SIGNED"}]}', DeadLetterReason.SCHEMA_MISMATCH),
        (b"[" * 100 + b"]" * 100, DeadLetterReason.TOO_DEEP),
    ],
)
def test_whole_message_errors_have_closed_reasons(raw: bytes, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run_adapter("cainiao", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert caught.value.reason is reason
