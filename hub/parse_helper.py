"""A parse helper process: `python -m hub.parse_helper`, started by its worker (hub/agents/parse_pool.py).

It reads batches of partner messages from stdin and writes what `prepare_batch` made of each
to stdout, one batch at a time, until stdin closes. Each frame is a 4-byte big-endian length,
then a pickle: ([(SourceRecord, Partner), ...], assumed_zone) in, `PreparedBatch` out, or an
`Exception` if preparing raised one. Pickle is safe here: both ends are the same installed
code, and nothing else writes to these pipes.

It imports only what the adapters need (it lives outside hub/agents, whose package imports
faust). It ends when its worker does, however the worker ends: the worker's end closes the
helper's stdin (the helper then exits) and its stdout (a helper still busy then fails to write
its answer, and exits), so a SIGKILLed worker leaves no helper behind.
"""

from __future__ import annotations

import pickle
import signal
import struct
import sys
from typing import BinaryIO

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


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker, which then closes stdin
    from hub.garbage import collect_garbage_less_often
    from hub.stages.prepare import prepare_batch

    collect_garbage_less_often()  # as the worker does: its garbage is the same kind
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while (request := read_frame(requests)) is not None:
        items, assumed_zone = pickle.loads(request)
        try:
            answer: object = prepare_batch(items, assumed_zone)
        except Exception as err:  # noqa: BLE001 - a bug outside the adapters: the worker prepares the batch itself
            answer = err
        try:
            answers.write(frame(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)))
            answers.flush()
        except BrokenPipeError:
            return 0  # the worker has gone
    return 0


if __name__ == "__main__":
    sys.exit(main())
