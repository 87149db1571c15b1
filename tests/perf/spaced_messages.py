#!/usr/bin/env python
"""What the same adapter work costs in CPU when messages come back to back, and when spaced out.

Not part of the test suite. `hub bench --rate R` showed a worker busier per message at a low
rate than at full speed (issue 15: about 8 ms of worker CPU a partner message at 100 messages/s,
about 3 ms at full speed, on the same traffic), and py-spy (`--gil`) put the same code (the
adapters) at about three times its full-speed cost. This isolates that effect from Kafka and
faust: it runs the simulator's partner messages through their adapters in one process, timing
each with `time.process_time`, first one after the other, then with a sleep between two
messages, as a worker at a low rate idles between records. On a machine whose cores are shared
(here a 2-vCPU VM, with the broker and the publisher on the same cores), the spaced runs cost
several times more CPU per message: caches and the vCPU go cold between messages. That cost is
the machine's, not a loop in the worker; an idle worker uses about 1% of a core.

Usage: PYTHONPATH=. .venv/bin/python tests/perf/spaced_messages.py [--messages 1500] [--gap-ms 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from hub.partners import PARTNERS
from simulator import simulate
from simulator.faults import FaultRates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1500, help="partner messages per run")
    parser.add_argument("--gap-ms", type=float, default=10.0, help="sleep between two messages in the spaced runs")
    parser.add_argument("--rounds", type=int, default=2, help="back-to-back and spaced runs, alternated")
    args = parser.parse_args()
    if args.messages < 1 or args.gap_ms < 0 or args.rounds < 1:
        parser.error("--messages and --rounds must be at least 1, --gap-ms not negative")

    messages = simulate(max(50, args.messages // 10), 1, FaultRates.none()).messages[: args.messages]

    def adapt(message) -> None:
        partner = PARTNERS[message.partner]
        options = AdapterOptions(partner.id, partner.kind, subject=message.subject, country=partner.country)
        try:
            run_adapter(partner.adapter, message.payload, received_at=message.at, options=options)
        except AdapterError:
            pass  # a dead letter costs its parse too

    def cpu_per_message(gap: float) -> float:
        spent = 0.0
        for message in messages:
            started = time.process_time()
            adapt(message)
            spent += time.process_time() - started
            if gap:
                time.sleep(gap)
        return spent / len(messages) * 1e6

    for message in messages[:200]:
        adapt(message)  # imports, caches and the interpreter's specialisation, once
    print(f"{len(messages):,} partner messages through their adapters, CPU per message:")
    for _ in range(args.rounds):
        for gap in (0.0, args.gap_ms / 1000):
            print(f"  {'back to back' if not gap else f'{args.gap_ms:g} ms apart':>14}  {cpu_per_message(gap):6.0f} µs", flush=True)


if __name__ == "__main__":
    main()
