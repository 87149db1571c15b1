"""`hub simulate`: realistic partner traffic with ground truth, published or written to a folder.

Same seed, same bytes. Without `--out` the messages go to the partner topics of this
installation (HUB_PARTNER_PREFIX), at most `--rate` per second; with `--out DIR` they are
written as files with `manifest.jsonl` and `ground_truth/`, for `hub publish --dir DIR`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hub.cli._shared import fail, settings_or_none

FAULT_OPTIONS = (
    ("duplicates", "share of messages published twice"),
    ("out_of_order", "share of messages delivered after the parcel's next one"),
    ("late_links", "share of link messages (tracking numbers, hand-overs) delayed by days"),
    ("malformed", "share of messages preceded by a broken copy (dead-lettered)"),
    ("unknown_codes", "share of steps followed by an undocumented status code"),
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from simulator.faults import FaultRates

    defaults = FaultRates()
    parser = subparsers.add_parser("simulate", help="partner traffic with ground truth: publish it or write it out")
    parser.add_argument("--shipments", type=int, required=True, help="number of shipments (parcels) to simulate")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same bytes (default 1)")
    parser.add_argument("--days", type=int, default=270,
                        help="orders are placed over this many days from 2026-01-05 (default 270)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write payload files, manifest and ground truth here instead of publishing")
    parser.add_argument("--rate", type=float, default=None,
                        help="at most this many messages per second when publishing")
    parser.add_argument("--clean", action="store_true", help="no faults at all")
    for name, meaning in FAULT_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float, default=getattr(defaults, name),
                            metavar="RATE", help=f"{meaning} (default {getattr(defaults, name)})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hub.kafka.partner_feed import publish
    from simulator import FaultRates, simulate, write_simulation
    from simulator.publish import simulation_records

    if args.shipments < 1:
        return fail("simulate", "--shipments must be at least 1", 2)
    if args.days < 1:
        return fail("simulate", "--days must be at least 1", 2)
    if args.rate is not None and args.rate <= 0:
        return fail("simulate", "--rate must be positive", 2)
    rates = {name: getattr(args, name) for name, _ in FAULT_OPTIONS}
    bad = [name for name, value in rates.items() if not 0 <= value <= 1]
    if bad:
        return fail("simulate", f"--{bad[0].replace('_', '-')} must be a rate between 0 and 1", 2)
    faults = FaultRates.none() if args.clean else FaultRates(**rates)
    if args.out is not None and args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        return fail("simulate", f"--out {args.out} exists and is not an empty directory", 2)
    simulation = simulate(args.shipments, args.seed, faults, days=args.days)
    info = simulation.run_info()
    if args.out is not None:
        write_simulation(simulation, args.out)
        print(f"wrote {info['messages']} messages for {info['shipments_generated']} shipments and "
              f"{info['orders']} orders to {args.out} (simulated {info['epoch']} .. {info['until']})")
        return 0
    settings = settings_or_none("simulate")
    if settings is None:
        return 1
    records = simulation_records(simulation.messages)
    try:
        sent = publish(settings, records, rate=args.rate)
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("simulate", f"cannot publish to {settings.kafka_bootstrap}: {err}")
    print(f"published {sent} messages for {info['shipments_generated']} shipments to "
          f"{settings.partner_prefix}<partner>.events; the same command with --out DIR writes the same traffic "
          "with its ground truth")
    return 0
