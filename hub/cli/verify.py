"""`hub verify DIR`: the hub's timelines against a simulation folder's ground truth, field by
field (final status, identifiers, carriers, legs, delivery time, on-time verdict), each
disagreement listed. The timelines are read from `hub.timelines` of this installation, or,
with `--offline`, worked out from the folder by the same pure code without Kafka."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hub.cli._shared import fail, settings_or_none


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("verify", help="compare the hub's timelines with a simulation's ground truth")
    parser.add_argument("dir", type=Path, help="a folder written by `hub simulate --out`")
    parser.add_argument("--offline", action="store_true",
                        help="fold the folder's payloads here (adapters, identity, timeline) instead of reading hub.timelines")
    parser.add_argument("--show", type=int, default=20, metavar="N", help="disagreements listed per field (default 20)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hub import topics
    from hub.cli._shared import latest_by_key
    from hub.verify.compare import FIELDS, compare
    from hub.verify.levels import hub_levels, truth_levels
    from hub.verify.offline import offline_timelines

    truth_file = args.dir / "ground_truth" / "shipments.jsonl"
    if not truth_file.is_file() or not (args.dir / "manifest.jsonl").is_file():
        return fail("verify", f"{args.dir} is not a simulation folder (no manifest.jsonl or ground_truth/shipments.jsonl)", 2)
    if args.show < 0:
        return fail("verify", "--show must not be negative", 2)
    settings = settings_or_none("verify")
    if settings is None:
        return 1
    try:
        truths = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    except ValueError as err:
        return fail("verify", f"{truth_file}: not JSON lines ({err})", 2)
    if args.offline:
        timelines = offline_timelines(args.dir)
        source = "folded offline from the folder's payloads"
    else:
        try:
            timelines = _resolved(latest_by_key(settings, topics.TIMELINES.name(settings)))
        except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
            return fail("verify", f"cannot read {topics.TIMELINES.name(settings)} from {settings.kafka_bootstrap}: {err}")
        source = f"read from {topics.TIMELINES.name(settings)}"
    agreement = compare(truths, timelines, settings.days_for_corridor)
    print(f"{len(truths)} ground-truth shipments; the hub's timelines {source}")
    for name in FIELDS:
        compared, wrong = agreement.compared[name], len(agreement.disagreements[name])
        unknown = f"; {agreement.unknown[name]} the hub could not date (untimed snapshots only)" if agreement.unknown[name] else ""
        print(f"  {name:16} {compared - wrong:5} of {compared:5} agree ({100 * agreement.share(name):5.1f}%){unknown}")
    _print_levels(truth_levels(truths, settings.days_for_corridor), hub_levels(timelines, settings.days_for_corridor))
    for name in FIELDS:
        listed = agreement.disagreements[name]
        if listed:
            print(f"\n{name}: {len(listed)} disagree")
            for line in listed[: args.show]:
                print(f"  {line}")
            if len(listed) > args.show:
                print(f"  ... and {len(listed) - args.show} more")
    return 0


def _print_levels(truth: dict[str, dict], hub: dict[str, dict]) -> None:
    """Exact service levels per country pair, the truth's beside the hub's (what /ops shows
    interpolated from its histograms): delivered on the clock, p50 / p90 days, on time."""
    def show(row: dict | None) -> str:
        if not row:
            return "-"
        p50 = f"{row['p50_days']:.1f}" if row["p50_days"] is not None else "-"
        p90 = f"{row['p90_days']:.1f}" if row["p90_days"] is not None else "-"
        rate = f"{100 * row['on_time_rate']:.1f}%" if row["on_time_rate"] is not None else "-"
        return f"{row['delivered']:4} delivered  p50 {p50:>5} d  p90 {p90:>5} d  on time {rate:>6}"
    print("\nservice levels (acceptance to available to the buyer), exact; the truth's count deliveries the hub"
          " could not date, which it keeps out:")
    for pair in sorted(set(truth) | set(hub)):
        print(f"  {pair:6} truth {show(truth.get(pair))}")
        print(f"  {'':6} hub   {show(hub.get(pair))}")


def _resolved(latest: dict[str, dict]) -> dict[str, dict]:
    """Redirects followed to the timeline a merged id now lives in."""
    resolved = {}
    for key, record in latest.items():
        hops = 0
        while record.get("kind") == "redirect" and record.get("to") in latest and hops < 20:
            record, hops = latest[record["to"]], hops + 1
        resolved[key] = record
    return resolved
