"""A stage helper process: `python -m hub.stage_helper`, started by its worker (hub/agents/helper_pool.py).

It reads requests from stdin and writes each one's answer to stdout, one at a time, until stdin
closes. Each frame is a 4-byte big-endian length, then a pickle: (task, args) in, the task's
result out, or an `Exception` if the task raised one. The tasks:
- "prepare", ([(SourceRecord, Partner), ...], assumed_zone): `prepare_batch` (hub/stages/prepare.py);
- "fold", ([ShipmentWork, ...], contracts or None, source topic, shipments kept): `fold_part`
  (hub/stages/shipment_step.py); contracts None: the ones given last, kept here; the caches
  sized by `keep_shipments` whenever the number kept changes.
Pickle is safe here: both ends are the same installed code, and nothing else writes to these
pipes.

It imports only what its tasks need (it lives outside hub/agents, whose package imports the
whole of faust), when first asked. It ends when its worker does, however the worker ends: the worker's end closes the
helper's stdin (the helper then exits) and its stdout (a helper still busy then fails to write
its answer, and exits), so a SIGKILLed worker leaves no helper behind.
"""

from __future__ import annotations

import fcntl
import importlib
import pickle
import signal
import struct
import sys
from typing import Any, BinaryIO

FRAME = struct.Struct(">I")


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's bytes, or None at the end of the stream."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    size = FRAME.unpack(head)[0]
    body = stream.read(size)
    return body if len(body) == size else None  # cut short: the worker has gone


def frame(payload: bytes) -> bytes:
    return FRAME.pack(len(payload)) + payload


# The module each task runs (`run`).
TASK_MODULES = {"prepare": "hub.stages.prepare", "fold": "hub.stages.shipment_step"}


def warm(task: str) -> None:
    """Import what `task` needs now, as the helper starts with its worker, not when the first
    request waits for it (the timeline stage's modules take about half a second)."""
    importlib.import_module(TASK_MODULES[task])


def run(task: str, args: tuple, kept: dict[str, Any]) -> object:
    """One request's answer; `kept` is what earlier requests left to keep."""
    if task == "prepare":
        from hub.stages.prepare import prepare_batch

        return prepare_batch(*args)
    if task == "fold":
        from hub.stages.shipment_step import fold_part, keep_shipments

        work, contracts, source_topic, shipments = args
        if contracts is not None:
            kept["contracts"] = contracts
        if kept.get("shipments") != shipments:
            keep_shipments(shipments)
            kept["shipments"] = shipments
        return fold_part(work, kept["contracts"], source_topic)
    raise ValueError(f"unknown task {task!r}")


# Linux pipes hold 64 KiB by default: a helper writing an answer of a few MB waited for the
# worker's event loop to come round and read each 64 KiB, with the loop busy with the other
# agents. 1 MiB is what an unprivileged process may ask for (/proc/sys/fs/pipe-max-size).
PIPE_SIZE = 1 << 20


def widen_pipes() -> None:
    """Make the pipes to and from the worker hold PIPE_SIZE, where the system allows it."""
    for fd in (0, 1):
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        except (AttributeError, OSError):
            pass  # not Linux, or not a pipe, or a lower limit: the default size works, only slower


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker, which then closes stdin
    from hub.garbage import collect_garbage_less_often

    collect_garbage_less_often()  # as the worker does: its garbage is the same kind
    widen_pipes()
    for task in sys.argv[1:]:
        warm(task)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    kept: dict[str, Any] = {}
    while (request := read_frame(requests)) is not None:
        task, args = pickle.loads(request)
        try:
            answer: object = run(task, args, kept)
        except Exception as err:  # noqa: BLE001 - a bug in the task: the worker does the work itself
            answer = err
        try:
            answers.write(frame(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)))
            answers.flush()
        except BrokenPipeError:
            return 0  # the worker has gone
    return 0


if __name__ == "__main__":
    sys.exit(main())
