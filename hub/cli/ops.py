"""`hub ops`: the /ops figures in a terminal, redrawn every few seconds from the worker at HUB_WEB_URL.

The worker aggregates every worker's metrics (`/ops.json`); this only draws them as text.
`--once` prints one frame and exits.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from hub.cli._shared import fail, settings_or_none
from hub.web.ops_format import format_days, format_percent

CLEAR = "\x1b[H\x1b[2J"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ops", help="live operations view (throughput, dead letters, lag, corridors) from HUB_WEB_URL")
    parser.add_argument("--once", action="store_true", help="print one frame and exit")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between frames (default 2)")
    parser.add_argument("--json", action="store_true", help="with --once: the figures as JSON, as /ops.json gives them")
    parser.set_defaults(func=run)


def fetch_figures(web_url: str, timeout: float = 10.0) -> dict[str, Any]:
    with urllib.request.urlopen(f"{web_url.rstrip('/')}/ops.json", timeout=timeout) as response:
        return json.loads(response.read())


def worker_figures(command: str, web_url: str) -> dict[str, Any] | int:
    """The worker's /ops.json, or the exit status after saying in one line why there is none."""
    try:
        return fetch_figures(web_url)
    except (OSError, ValueError) as err:
        return fail(command, f"no worker answers at {web_url} ({_why(err)})")


def run(args: argparse.Namespace) -> int:
    if args.interval <= 0:
        return fail("ops", "--interval must be positive", 2)
    if args.json and not args.once:
        return fail("ops", "--json goes with --once", 2)
    settings = settings_or_none("ops")
    if settings is None:
        return 1
    figures = worker_figures("ops", settings.web_url)
    if isinstance(figures, int):
        return figures
    if args.once:
        print(json.dumps(figures, ensure_ascii=False, indent=2) if args.json else render_frame(figures, settings.web_url))
        return 0
    tty = sys.stdout.isatty()
    try:
        while True:
            frame = render_frame(figures, settings.web_url)
            sys.stdout.write((CLEAR if tty else "") + frame + f"\n(every {args.interval:g} s; Ctrl-C to stop)\n")
            sys.stdout.flush()
            time.sleep(args.interval)
            try:
                figures = fetch_figures(settings.web_url)
            except (OSError, ValueError) as err:
                figures = {**figures, "error": f"no answer from {settings.web_url} ({_why(err)}); showing the last figures"}
    except (KeyboardInterrupt, BrokenPipeError):  # Ctrl-C, or the reader (a pager, `head`) went away
        return 0


def _why(err: Exception) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code}"
    return str(getattr(err, "reason", None) or err)


def render_frame(figures: dict[str, Any], source: str = "") -> str:
    t = figures["totals"]
    answered = sum(1 for w in figures["workers"] if w.get("ok"))
    lines = [
        f"Hub operations · {answered} worker{'s' if answered != 1 else ''}{' at ' + source if source else ''} · {figures['generated_at']}",
    ]
    if figures.get("error"):
        lines.append(f"!! {figures['error']}")
    lines += [
        f"messages {t['messages']}   dead letters {t['dead_letters']} ({format_percent(t['dead_letter_ratio'])})   "
        f"unknown codes {t['unknown_codes']}   lag {t['lag']}",
        f"shipments {t['shipments']}   stale {t['stale_shipments']}   delivered {t['delivered']}   on time {format_percent(t['on_time_rate'])}",
        "",
        _table(
            ["partner", "messages", "normalised", "ignored", "partial", "dead", "dead %", "unknown", "p90 proc"],
            [[p["partner"], p["messages"], *(p["outcomes"][o] for o in ("normalised", "ignored", "partial", "dead_lettered")),
              format_percent(p["dead_letter_ratio"]), p["unknown_codes"], _seconds(p["received_to_processed_seconds"]["p90"])]
             for p in figures["partners"]],
        ) or "no partner messages yet",
        "",
        _table(
            ["corridor", "delivered", "p50 days", "p90 days", "on time", "late", "on-time %"],
            [[c["corridor"], c["delivered"], format_days(c["p50_days"]), format_days(c["p90_days"]), c["on_time"], c["late"],
              format_percent(c["on_time_rate"])] for c in figures["corridors"]],
        ) or "no delivered shipments yet",
        "",
        _table(
            ["corridor", "leg", "shipments", "p50 days", "p90 days", "corridor on time"],
            [[r["corridor"], r["leg"], r["shipments"], format_days(r["p50_days"]), format_days(r["p90_days"]),
              format_percent(r["corridor_on_time_rate"])] for r in figures.get("corridor_legs", [])],
        ) or "no leg figures yet",
        "",
    ]
    queue = figures.get("problems")
    if queue:
        lines.append(f"problems: {queue['count']} of {queue['moving']} parcels still moving (over their leg's p90, or past "
                     f"their promise; judged at {queue['judged_at']})")
        lines += [f"  {p['shipment_id']}  {p['corridor']} {p['leg']} held by {p['holder']}: late {format_days(p['late_days'])} d"
                  f" ({p['why']})" for p in queue["shown"][:5]]
    reasons = figures["dead_letters_by_reason"]
    lines.append("dead letters by reason: " + (", ".join(f"{r} {n}" for r, n in reasons.items()) or "none"))
    codes = figures["unknown_codes"]
    lines.append("unknown codes: " + (", ".join(f"{c['partner']}/{c['code']} {c['count']}" for c in codes[:8]) or "none")
                 + (f" (+{len(codes) - 8} more)" if len(codes) > 8 else ""))
    statuses = figures["shipments"]["by_status"]
    lines.append("shipments by status: " + (", ".join(f"{s} {n}" for s, n in statuses.items()) or "none"))
    behind = {topic: n for topic, n in figures["lag"]["by_topic"].items() if n}
    lines.append("lag: " + (", ".join(f"{topic} {n}" for topic, n in behind.items())
                            if behind else f"none ({len(figures['lag']['by_topic'])} topics caught up)"))
    return "\n".join(lines)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return ""
    cells = [headers] + [[str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    out = []
    for row in cells:
        out.append("  ".join(v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]) for i, v in enumerate(row)))
    return "\n".join(out)


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"
