"""`hub problems`: parcels over their leg's 90th percentile for their corridor, or whose
estimated delivery passed their promise, the latest first, with who holds them. `--all`
lists every parcel still moving with its estimate. Timelines from `hub.timelines`; service
levels from the worker at HUB_WEB_URL (`/ops.json`); the clock is HUB_CLOCK (`stream`: the
latest event time seen, for simulated history) unless `--now` names one."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone

from hub.cli._shared import fail, settings_or_none


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("problems", help="parcels late in their leg or past their promise, the latest first")
    parser.add_argument("--all", action="store_true", help="every parcel still moving, with its estimated delivery")
    parser.add_argument("--now", default=None, metavar="TIME", help="judge at this ISO time with a zone (default: HUB_CLOCK)")
    parser.add_argument("--json", action="store_true", help="as JSON lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hub import topics
    from hub.cli._shared import latest_by_key
    from hub.cli.ops import worker_figures
    from hub.stages.predict import levels_from_figures, outlook, problems
    from schemas.timeline import TIMELINE_RECORD, Timeline

    now = None
    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            return fail("problems", f"--now {args.now!r} is not an ISO time", 2)
        if now.tzinfo is None:
            return fail("problems", "--now needs a zone (e.g. 2026-03-01T00:00:00+00:00)", 2)
    settings = settings_or_none("problems")
    if settings is None:
        return 1
    figures = worker_figures("problems", settings.web_url)
    if isinstance(figures, int):
        return figures
    try:
        records = latest_by_key(settings, topics.TIMELINES.name(settings))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("problems", f"cannot read {topics.TIMELINES.name(settings)} from {settings.kafka_bootstrap}: {err}")
    timelines = [r for r in (TIMELINE_RECORD.validate_python(v) for v in records.values()) if isinstance(r, Timeline)]
    if now is None:
        latest = [t.last_event_at for t in timelines if t.last_event_at is not None]
        now = max(latest) if settings.clock == "stream" and latest else datetime.now(timezone.utc)
    levels = levels_from_figures(figures.get("corridor_legs", []))
    if args.all:
        shown = sorted((o for o in (outlook(t, levels, now) for t in timelines) if o is not None),
                       key=lambda o: (o.estimate is None, o.estimate or now, o.shipment_id))
    else:
        shown = problems(timelines, levels, now)
    if args.json:
        for o in shown:
            print(json.dumps({"shipment_id": o.shipment_id, "corridor": o.corridor, "leg": o.leg, "holder": o.holder,
                              "dwell_days": round(o.dwell_days, 3), "estimate": o.estimate.isoformat() if o.estimate else None,
                              "rests_on": o.rests_on, "late_days": round(o.late_days, 3), "why": o.why or None}))
        return 0
    what = "parcels still moving" if args.all else "problems (over the leg's p90 for the corridor, or past the promise)"
    print(f"{len(shown)} {what}, judged at {now.isoformat(timespec='seconds')}")
    for o in shown:
        estimate = o.estimate.isoformat(timespec="minutes") if o.estimate else "no estimate"
        late = f"late {o.late_days:.1f} d ({o.why})" if o.why else ""
        print(f"  {o.shipment_id}  {o.corridor:6} {o.leg:22} held by {o.holder:13} {o.dwell_days:5.1f} d in leg  "
              f"estimate {estimate} (on {o.rests_on} parcels)  {late}".rstrip())
    return 0
