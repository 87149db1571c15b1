"""Settlement arithmetic (issue 8): contracts, shares, reversals, FX, periods, turnover fees.

Expected amounts are worked out by hand in the comments, from the contract terms.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from functools import partial
from itertools import permutations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.settlement.contracts import ContractError, check_publishable, load_contracts, parse_contracts
from hub.settlement.emitted import difference
from hub.settlement.periods import period_bounds, period_of, previous_periods
from hub.settlement.shipment_share import legacy_contribution_id, settle_timeline
from hub.settlement.turnover import on_close, on_contribution, on_entry, remember_close, split_legacy, with_closes
from hub.stages.settle import settle_step, withdrawn_at
from hub.stages.timeline_build import build_timeline
from schemas import Amount, CanonicalEvent
from schemas.settlement import make_entry_id

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"
MSK = ZoneInfo("Europe/Moscow")
CONTRACTS = load_contracts(EXAMPLE)


def ev(n, partner, kind, status, milestone, when, *, subject=("cdek:1234567891",), refs=(), amounts=(), received=None):
    return CanonicalEvent(
        event_id=f"evt_{n:03d}", partner=partner, partner_kind=kind, adapter_version=1, subject=subject,
        references=refs, status=status, milestone=milestone, occurred_at=when,
        received_at=received or when + timedelta(minutes=5), raw_code=f"C{n}", amounts=amounts,
    )


ORDER = ("ozon_order:57195475-0050",)
PLACED = ev(1, "ozon", "marketplace", "info_received", "order_placed", datetime(2026, 2, 1, 9, tzinfo=timezone.utc),
            subject=("ozon_posting:57195475-0050-3", "cdek:1234567891"), refs=ORDER,
            amounts=(Amount(kind="order_value", minor=1_234_567, currency="RUB"),))
DELIVERED = ev(2, "cdek", "courier", "delivered", "delivered", datetime(2026, 3, 31, 20, 59, tzinfo=timezone.utc))
RETURNED = ev(3, "cdek", "courier", "returned", "returned_to_sender", datetime(2026, 4, 20, 8, tzinfo=timezone.utc))


def timeline(*events):
    return build_timeline("shp_test", {e.event_id: e for e in events})


def test_example_contracts_load():
    assert [(c.id, c.version) for c in CONTRACTS.contracts] == [
        ("spsr-moscow-share", 1), ("cdek-last-mile-share", 1), ("cdek-last-mile-share", 2), ("post-infrastructure-fee", 1)]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[contracts]]\nid="a"\nversion=1\nkind="shipment_share"\neffective_from="2026-01-01"\npayer="x"\npayee="y"\nrate="2"',
         "contract a: rate:"),
        ('[[contracts]]\nid="a"\nversion=1\nkind="shipment_share"\neffective_from="2026-01-01"\npayee="y"\nrate="0.1"',
         "contract a: payer:"),
        ('[[contracts]]\nid="b"\nversion=1\nkind="nope"\neffective_from="2026-01-01"', "contract b:"),
        ('[[contracts]]\nid="c"\nversion=1\nkind="shipment_share"\neffective_from="2026-01-01"\npayer="x"\npayee="y"\nrate="0.1"\ntimezone="Mars/Olympus"',
         "contract c: timezone:"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_contract_and_field(toml, message):
    with pytest.raises(ContractError) as caught:
        parse_contracts(toml.encode(), "f.toml")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_publishing_refuses_another_file_under_a_version_and_retroactive_versions():
    published = {(c.id, c.version): "otherhash" for c in CONTRACTS.contracts}
    with pytest.raises(ContractError, match="another file"):
        check_publishable(published, CONTRACTS, date(2026, 6, 1))
    only_v1 = {("cdek-last-mile-share", 1): CONTRACTS.file_hash}
    with pytest.raises(ContractError, match="retroactively"):
        check_publishable(only_v1, CONTRACTS, date(2026, 6, 1))
    check_publishable({}, CONTRACTS, date(2026, 6, 1))  # a first publication is fine


def test_quarter_boundaries_are_in_the_contract_zone():
    # 2026-03-31 20:59 UTC is 23:59 in Moscow (Q1); 21:00 UTC is midnight, Q2.
    assert period_of(datetime(2026, 3, 31, 20, 59, tzinfo=timezone.utc), MSK) == "2026Q1"
    assert period_of(datetime(2026, 3, 31, 21, 0, tzinfo=timezone.utc), MSK) == "2026Q2"
    start, end = period_bounds("2026Q4", MSK)
    assert (start.month, end.year, end.month) == (10, 2027, 1)
    assert previous_periods("2026Q1", 4) == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]


def test_share_accrues_on_delivery_under_the_version_in_effect():
    settled = settle_timeline(timeline(PLACED, DELIVERED), CONTRACTS)
    (accrual,) = [e for e in settled.entries if e.contract_id == "cdek-last-mile-share"]
    # Version 2 (from 2026-01-01): 2.5% of 12 345.67 RUB = 308.64175 → 308.64 half-up; VAT excluded 20% → 61.73.
    assert (accrual.kind, accrual.contract_version, accrual.amount_minor, accrual.vat_minor) == ("accrual", 2, 30864, 6173)
    assert (accrual.payer, accrual.payee, accrual.subject, accrual.period) == ("ozon", "cdek", ORDER[0], "2026Q1")
    assert accrual.basis_minor == 1_234_567 and accrual.fx_rate is None


def test_return_reverses_in_full_in_the_period_of_the_return():
    settled = settle_timeline(timeline(PLACED, DELIVERED, RETURNED), CONTRACTS)
    share = [e for e in settled.entries if e.contract_id == "cdek-last-mile-share"]
    assert [e.kind for e in share] == ["accrual", "reversal"]
    assert sum(e.amount_minor for e in share) == 0 and sum(e.vat_minor for e in share) == 0
    assert share[1].reverses == share[0].entry_id and share[1].period == "2026Q2"
    turnover = [c for c in settled.contributions if c.contract_id == "post-infrastructure-fee"]
    assert [(c.period, c.minor) for c in turnover] == [("2026Q1", 1_234_567), ("2026Q2", -1_234_567)]


def test_cny_order_values_convert_at_the_trigger_date_and_a_missing_rate_withholds():
    cny = PLACED.model_copy(update={"amounts": (Amount(kind="order_value", minor=10_000, currency="CNY"),)})
    (accrual,) = [e for e in settle_timeline(timeline(cny, DELIVERED), CONTRACTS).entries if e.contract_id == "cdek-last-mile-share"]
    # 100.00 CNY × 12.45 (rate from 2026-01-01) = 1245.00 RUB; × 2.5% = 31.125 → 31.13.
    assert (accrual.basis_minor, accrual.fx_rate, accrual.amount_minor) == (124_500, "12.45", 3113)
    usd = PLACED.model_copy(update={"amounts": (Amount(kind="order_value", minor=10_000, currency="USD"),)})
    settled = settle_timeline(timeline(usd, DELIVERED), CONTRACTS)
    assert not [e for e in settled.entries if e.contract_id == "cdek-last-mile-share"]
    assert {m.contract_id for m in settled.withheld if m.reason == "fx_missing"} >= {"cdek-last-mile-share"}


def test_filters_keep_other_carriers_out():
    boxberry = DELIVERED.model_copy(update={"partner": "boxberry", "partner_kind": "pickup_point"})
    settled = settle_timeline(timeline(PLACED, boxberry), CONTRACTS)
    assert not [e for e in settled.entries if e.contract_id == "cdek-last-mile-share"]


@given(st.permutations([PLACED, DELIVERED, RETURNED, DELIVERED]))
def test_entries_do_not_depend_on_arrival_order(order):
    emitted, sent = None, []
    for n in range(1, len(order) + 1):
        events = {e.event_id: e for e in order[:n]}
        tl = build_timeline("shp_test", events)
        emitted, entries, _ = difference(emitted, settle_timeline(tl, CONTRACTS),
                                         partial(withdrawn_at, tl, CONTRACTS), lambda _: MSK)
        sent += entries
    final = {e.entry_id: e for e in settle_timeline(timeline(PLACED, DELIVERED, RETURNED), CONTRACTS).entries}
    # Whatever came first, the net per contract is what the full timeline implies.
    for contract in {e.contract_id for e in final.values()}:
        assert sum(e.amount_minor for e in sent if e.contract_id == contract) == sum(
            e.amount_minor for e in final.values() if e.contract_id == contract)


# The order's value corrected after the delivery, received after the Q1 close; and a
# marketplace snapshot that changes no money, read before or after the correction.
REVALUED = ev(4, "ozon", "marketplace", "info_received", "order_placed", datetime(2026, 2, 2, 9, tzinfo=timezone.utc),
              subject=("ozon_posting:57195475-0050-3", "cdek:1234567891"), refs=ORDER,
              amounts=(Amount(kind="order_value", minor=1_000_000, currency="RUB"),), received=datetime(2026, 4, 3, 9, tzinfo=timezone.utc))
SNAPSHOT = ev(5, "ozon", "marketplace", "delivered", "delivered", datetime(2026, 4, 2, 9, tzinfo=timezone.utc),
              subject=("ozon_posting:57195475-0050-3",), refs=ORDER)


def test_a_withdrawal_is_the_same_bytes_whatever_order_its_inputs_were_read_in():
    """A replay reads partitions in another order; a reversal that withdraws an accrual must
    still be the same entry, dated by the receipt of the input that withdrew it (the
    correction), not by whatever else the timeline held when it was read."""
    seen: dict[str, str] = {}
    withdrawals = 0
    for order in permutations([PLACED, DELIVERED, REVALUED, SNAPSHOT]):
        state: dict = {}
        for n in range(1, len(order) + 1):
            tl = build_timeline("shp_test", {e.event_id: e for e in order[:n]})
            state, sends, _ = settle_step(state, tl, CONTRACTS)
            for send in sends:
                if send.message["kind"] != "entry":
                    continue
                entry = send.message["entry"]
                assert seen.setdefault(entry["entry_id"], json.dumps(entry)) == json.dumps(entry), entry["entry_id"]
                if entry["kind"] == "reversal" and entry["cause"] and entry["contract_id"] == "cdek-last-mile-share":
                    withdrawals += 1
    assert withdrawals, "no order withdrew an accrual: the test no longer covers withdrawals"
    first_value = [e for e in settle_timeline(timeline(PLACED, DELIVERED), CONTRACTS).entries if e.contract_id == "cdek-last-mile-share"]
    reversal = next(e for e in map(json.loads, seen.values()) if e["reverses"] == first_value[0].entry_id)
    assert reversal["inputs_received_at"] == REVALUED.received_at.isoformat().replace("+00:00", "Z")


def settle_in_turn(*states_of_timeline):
    """Settle each event set in turn, as the timeline stage does: (entries sent, the memory)."""
    emitted, sent = None, []
    for events in states_of_timeline:
        tl = timeline(*events)
        emitted, entries, _ = difference(emitted, settle_timeline(tl, CONTRACTS), partial(withdrawn_at, tl, CONTRACTS), lambda _: MSK)
        sent += entries
    return sent, emitted


def cdek_share(entries):
    return [e for e in entries if e.contract_id == "cdek-last-mile-share"]


def test_a_return_seen_again_earlier_replaces_the_reversal_it_gave():
    """The partner's retry of the return is read first; then the return itself, received an
    hour earlier, is the preferred sighting: its reversal replaces the retry's, by a reversal
    of that reversal, and every id keeps one content."""
    retry = RETURNED.model_copy(update={"received_at": RETURNED.received_at + timedelta(hours=1)})
    sent, _ = settle_in_turn([PLACED, DELIVERED], [PLACED, DELIVERED, retry], [PLACED, DELIVERED, RETURNED])
    accrual, by_retry, by_original, undone = cdek_share(sent)
    assert by_retry.reverses == accrual.entry_id and by_retry.inputs_received_at == retry.received_at
    assert undone.reverses == by_retry.entry_id and undone.trigger_event_id is None and undone.amount_minor == accrual.amount_minor
    assert by_original.reverses == accrual.entry_id and by_original.inputs_received_at == RETURNED.received_at
    assert sum(e.amount_minor for e in cdek_share(sent)) == 0
    # Read in the other order, the original's reversal is the same entry, and nothing else is sent.
    direct, _ = settle_in_turn([PLACED, DELIVERED], [PLACED, DELIVERED, RETURNED])
    assert cdek_share(direct) == [accrual, by_original]


def test_a_return_that_leaves_the_timeline_takes_its_reversal_with_it():
    """A split took the return to another parcel: the accrual is owed again."""
    sent, _ = settle_in_turn([PLACED, DELIVERED, RETURNED], [PLACED, DELIVERED])
    accrual, reversal, undone = cdek_share(sent)
    assert reversal.reverses == accrual.entry_id
    assert undone.reverses == reversal.entry_id and undone.amount_minor == accrual.amount_minor
    assert sum(e.amount_minor for e in cdek_share(sent)) == accrual.amount_minor


def as_sent_before_sightings(emitted, contributions):
    """The memory a shipment settled before sightings were part of ids would hold."""
    older: dict[str, str] = {}
    entries = {}
    for raw in emitted["entries"].values():  # accruals before their reversals
        raw = dict(raw)
        cause = older.get(raw["reverses"], raw["cause"].partition("@")[0]) if raw["reverses"] else raw["cause"].partition("@")[0]
        entry_id = make_entry_id(raw["contract_id"], raw["contract_version"], raw["kind"], raw["subject"], cause)
        older[raw["entry_id"]] = entry_id
        entries[entry_id] = {**raw, "entry_id": entry_id, "cause": cause, "reverses": older.get(raw["reverses"])}
    renamed = {c.contribution_id: legacy_contribution_id(c) for c in contributions}
    return {"entries": entries, "contributions": {renamed[cid]: raw for cid, raw in emitted["contributions"].items()}}


def test_what_a_shipment_sent_before_sightings_were_in_ids_is_not_sent_again():
    tl = timeline(PLACED, DELIVERED)
    settled = settle_timeline(tl, CONTRACTS)
    _, emitted = settle_in_turn([PLACED, DELIVERED])
    before = as_sent_before_sightings(emitted, settled.contributions)
    again, entries, contributions = difference(before, settled, partial(withdrawn_at, tl, CONTRACTS), lambda _: MSK)
    assert (entries, contributions, again) == ([], [], before)
    # The return reverses the accrual under the id it was sent with.
    returned = timeline(PLACED, DELIVERED, RETURNED)
    _, entries, _ = difference(before, settle_timeline(returned, CONTRACTS), partial(withdrawn_at, returned, CONTRACTS), lambda _: MSK)
    [reversal] = cdek_share(entries)
    [accrual_id] = [i for i, raw in before["entries"].items() if raw["contract_id"] == "cdek-last-mile-share"]
    assert reversal.reverses == accrual_id and reversal.amount_minor == -before["entries"][accrual_id]["amount_minor"]


# A contract and payer as the turnover agent keeps it: its summary, and its booked items by id.
EMPTY = (None, {})


def entry_into(ledger, entry, closes=None):
    state, items = ledger
    state, new, out = on_entry(state, items, entry, closes)
    return (state, {**items, **new}), out


def contribution_into(ledger, contribution):
    state, items = ledger
    state, new = on_contribution(state, items, contribution)
    return state, {**items, **new}


def close(ledger, key, period, cutoff):
    state, out = on_close(ledger[0], key, period, cutoff, CONTRACTS)
    return (state, ledger[1]), out


def test_turnover_books_entries_once_and_late_ones_as_adjustments():
    (accrual,) = [e for e in settle_timeline(timeline(PLACED, DELIVERED), CONTRACTS).entries if e.contract_id == "cdek-last-mile-share"]
    ledger, out = entry_into(EMPTY, accrual)
    again, out_again = entry_into(ledger, accrual)
    assert again == ledger and out_again.entries == out.entries  # a repeat re-emits the same bytes
    assert out.statements[0].totals["accrual"] == 30864 and out.statements[0].state == "open"
    assert list(ledger[1]) == [accrual.entry_id]  # the entry is an item of its own

    # Booked on time, repeated after the close: the same entry again, not an adjustment.
    closed_after, _ = close(ledger, "cdek-last-mile-share|ozon", "2026Q1", datetime(2026, 4, 2, tzinfo=timezone.utc))
    _, repeated = entry_into(closed_after, accrual)
    assert repeated.entries == [accrual]

    # Lateness is by time: inputs received before the cutoff are on time, even when the
    # close reached the partition first (the race docs/architecture.md#periods-and-closes
    # rules out).
    closed, _ = close(EMPTY, "cdek-last-mile-share|ozon", "2026Q1", datetime(2026, 4, 2, tzinfo=timezone.utc))
    _, out = entry_into(closed, accrual)
    assert out.entries == [accrual]
    # Received after the cutoff (00:04 Moscow time on 1 April, the close at midnight): late.
    midnight = datetime(2026, 3, 31, 21, 0, tzinfo=timezone.utc)
    closed, _ = close(EMPTY, "cdek-last-mile-share|ozon", "2026Q1", midnight)
    late, out = entry_into(closed, accrual)
    (adjustment,) = out.entries
    assert (adjustment.kind, adjustment.period, adjustment.original_period) == ("adjustment", "2026Q2", "2026Q1")
    assert adjustment.amount_minor == accrual.amount_minor and adjustment.entry_id != accrual.entry_id
    # The adjustment repeated: recognised by its own id, re-emitted, counted once.
    late_again, out_again = entry_into(late, accrual)
    assert late_again == late and out_again.entries == [adjustment]
    assert out.statements[0].totals["adjustment"] == accrual.amount_minor and out.statements[0].period == "2026Q2"
    # The closes given (every close published before the inputs arrived) decide, not the state's.
    assert entry_into(EMPTY, accrual, {"2026Q1": midnight.isoformat()})[1].entries == [adjustment]
    assert entry_into(closed, accrual, {})[1].entries == [accrual]
    # Two closed quarters: the adjustment skips both.
    skipped = entry_into(EMPTY, accrual, {"2026Q1": midnight.isoformat(), "2026Q2": midnight.isoformat()})[1].entries
    assert [e.period for e in skipped] == ["2026Q3"]


def _fee_state(contributions):
    ledger = EMPTY
    for n, (period, minor) in enumerate(contributions):
        ledger = contribution_into(ledger, {"contribution_id": f"c{n}", "period": period, "minor": minor})
    return ledger


def test_period_fee_when_revenue_exceeds_the_threshold():
    ledger = _fee_state([("2026Q1", 50_000_000), ("2026Q1", -10_000_000), ("2026Q2", 99)])
    cutoff = datetime(2026, 4, 3, tzinfo=timezone.utc)
    closed, out = close(ledger, "post-infrastructure-fee|ozon", "2026Q1", cutoff)
    (fee,) = out.entries
    # Net turnover 400 000.00 RUB × 0.5% = 2 000.00 RUB.
    assert (fee.kind, fee.amount_minor, fee.basis_minor, fee.subject, fee.cause) == ("period_fee", 200_000, 40_000_000, "2026Q1/ozon", "2026Q1")
    assert out.statements[0].state == "closed" and out.statements[0].totals["period_fee"] == 200_000
    again, out_again = close(closed, "post-infrastructure-fee|ozon", "2026Q1", cutoff)
    assert again == closed and out_again.entries == [fee]  # a repeated close changes nothing, re-emits the same
    assert out_again.statements == out.statements


def test_no_fee_at_or_below_the_threshold_or_on_negative_turnover():
    cutoff = datetime(2026, 4, 3, tzinfo=timezone.utc)
    # Wildberries declares 900 000 000 RUB: not strictly greater than 1 000 000 000.
    _, out = close(_fee_state([("2026Q1", 50_000_000)]), "post-infrastructure-fee|wildberries", "2026Q1", cutoff)
    assert out.entries == []
    _, out = close(_fee_state([("2026Q1", -5)]), "post-infrastructure-fee|ozon", "2026Q1", cutoff)
    assert out.entries == []


def test_a_late_contribution_reaches_the_fee_of_the_earliest_open_period_once():
    cutoff = datetime(2026, 4, 3, tzinfo=timezone.utc)
    key = "post-infrastructure-fee|ozon"
    on_time = _fee_state([("2026Q1", 40_000_000)])
    closed, out = close(on_time, key, "2026Q1", cutoff)
    assert [f.basis_minor for f in out.entries] == [40_000_000]
    # A delivery of the first quarter that arrives after its close: its turnover is not added
    # to the closed quarter (whose fee is final) but to the next one, still open.
    late = contribution_into(closed, {"contribution_id": "late", "period": "2026Q1", "minor": 20_000_000})
    assert late[1]["late"] == {"period": "2026Q2", "minor": 20_000_000, "original_period": "2026Q1"}
    # Repeats keep the first booking, also the contribution booked on time before the close.
    assert contribution_into(late, {"contribution_id": "late", "period": "2026Q1", "minor": 20_000_000}) == late
    assert contribution_into(late, {"contribution_id": "c0", "period": "2026Q1", "minor": 40_000_000}) == late
    _, again = close(late, key, "2026Q1", cutoff)
    assert [f.basis_minor for f in again.entries] == [40_000_000]  # the closed quarter's fee stands
    _, out = close(late, key, "2026Q2", datetime(2026, 7, 3, tzinfo=timezone.utc))
    # 200 000.00 RUB × 0.5% = 1 000.00 RUB.
    assert [(f.period, f.basis_minor, f.amount_minor) for f in out.entries] == [("2026Q2", 20_000_000, 100_000)]
    # Two closed quarters: a late contribution skips both.
    closed_twice, _ = close(late, key, "2026Q2", datetime(2026, 7, 3, tzinfo=timezone.utc))
    later = contribution_into(closed_twice, {"contribution_id": "later", "period": "2026Q1", "minor": -5})
    assert later[1]["later"]["period"] == "2026Q3"


def test_a_payer_first_met_after_a_close_books_into_it_as_late():
    """The close reaches the contract-and-payer states that exist on the partition; the
    partition remembers it, so a key created afterwards is late for it as well (and owes no
    fee for the closed quarter, whose fee was computed without it)."""
    cutoff = datetime(2026, 3, 31, 21, 0, tzinfo=timezone.utc)  # midnight in Moscow
    closes = remember_close(None, "2026Q1", cutoff)
    assert remember_close(closes, "2026Q1", cutoff + timedelta(days=1)) == closes  # the first cutoff stands
    fresh = (with_closes(None, closes), {})
    booked = contribution_into(fresh, {"contribution_id": "c1", "period": "2026Q1", "minor": 7})
    assert booked[1]["c1"] == {"period": "2026Q2", "minor": 7, "original_period": "2026Q1"}
    accrual = settle_timeline(timeline(PLACED, DELIVERED), CONTRACTS).entries[0]
    (state, _items), out = entry_into(fresh, accrual)
    assert [(e.kind, e.period, e.original_period) for e in out.entries] == [("adjustment", "2026Q2", "2026Q1")]
    assert with_closes(state, closes) == state and with_closes(state, None) == state


def test_a_value_of_the_old_shape_splits_into_the_same_summary_and_its_items():
    """A turnover value written before summaries (every entry and contribution in one) reads
    as the summary the same messages build now, with each of them an item."""
    accrual = settle_timeline(timeline(PLACED, DELIVERED), CONTRACTS).entries[0]
    key = f"{accrual.contract_id}|{accrual.payer}"
    ledger, _ = entry_into(EMPTY, accrual)
    ledger = contribution_into(ledger, {"contribution_id": "c1", "period": "2026Q1", "minor": 7})
    ledger, _ = close(ledger, key, "2026Q1", datetime(2026, 4, 2, tzinfo=timezone.utc))
    old_shape = {
        "entries": {accrual.entry_id: accrual.model_dump(mode="json")},
        "contributions": {"c1": {"period": "2026Q1", "minor": 7}},
        "closed": {"2026Q1": datetime(2026, 4, 2, tzinfo=timezone.utc).isoformat()},
    }
    summary, items = split_legacy(old_shape)
    assert summary == ledger[0] and items == ledger[1]
    assert split_legacy(ledger[0]) == (ledger[0], {})  # a summary is left as it is


def test_a_message_read_again_after_its_summary_was_kept_and_its_item_lost_counts_nothing_twice():
    """The turnover agent writes a message's summary, then its items: a crash in between keeps
    the summary alone, and the message is read again at the same position."""
    accrual = settle_timeline(timeline(PLACED, DELIVERED), CONTRACTS).entries[0]
    summary, items, out = on_entry(None, {}, accrual, None, "2:17")
    again, items_again, out_again = on_entry(summary, {}, accrual, None, "2:17")  # the item was lost
    assert again == summary and items_again == items and out_again.entries == out.entries
    assert out_again.statements == out.statements  # the totals count it once
    # Without the position (or at another one, a message never counted) it would count again.
    assert on_entry(summary, {}, accrual, None, "2:18")[2].statements[0].totals["accrual"] == 2 * accrual.amount_minor

    contribution = {"contribution_id": "c1", "period": "2026Q1", "minor": 7}
    summary, items = on_contribution(None, {}, contribution, "4:3")
    assert on_contribution(summary, {}, contribution, "4:3") == (summary, items)
    assert on_contribution(summary, items, contribution, "4:9") == (summary, {})  # a repeat: booked already
