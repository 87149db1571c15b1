"""The `hub` command line: one entry point, one subcommand per job, one module per command.

The registry below is the one place that lists the commands; each module gives its
`add_parser(subparsers)`, which sets `func` to the command's `run(args) -> exit code`.
A command given bad arguments says what is wrong in one line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from hub.cli import (
    access,
    bench,
    broker,
    close_period,
    contracts,
    deadletters,
    demo,
    gateway,
    gateway_bench,
    identify,
    normalize,
    ops,
    poll,
    problems,
    publish,
    settlements,
    simulate,
    split,
    timeline,
    topics,
    verify,
    worker,
)

Registrar = Callable[[argparse._SubParsersAction], object]

# In the order `hub --help` lists them.
COMMANDS: tuple[Registrar, ...] = (
    worker.add_parser,
    gateway.add_parser,
    broker.add_parser,
    topics.add_parser,
    publish.add_parser,
    poll.add_parser,
    normalize.add_parser,
    timeline.add_parser,
    split.add_parser,
    demo.add_parser,
    contracts.add_parser,
    close_period.add_parser,
    settlements.add_parser,
    simulate.add_parser,
    verify.add_parser,
    bench.add_parser,
    gateway_bench.add_parser,
    ops.add_parser,
    problems.add_parser,
    deadletters.add_parser,
    identify.add_parser,
    access.add_parser,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: `hub: <what is wrong>` (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="hub", description="Kafka-native logistics integration hub")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A command says what went wrong in its own one line: aiokafka's records ("Unable connect
    # to ...") go only to handlers a worker configures, never to stderr by Python's last resort.
    logging.getLogger("aiokafka").addHandler(logging.NullHandler())
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
