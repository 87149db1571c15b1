"""Summarise a py-spy raw profile (`py-spy record -f raw -o X.raw ...`): top frames by self and inclusive samples.

Usage: python tests/perf/py_spy_top.py X.raw [how many inclusive frames, default 60]
"""

from __future__ import annotations

import collections
import re
import sys


def frame_name(frame: str) -> str:
    """A frame without its line number, so one function's samples add up."""
    return re.sub(r"\s*\((.*?):\d+\)", r" (\1)", frame)


def main(path: str, inclusive_count: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    total = 0
    with open(path) as raw:
        for line in raw:
            line = line.rstrip()
            if not line:
                continue
            stack, count = line.rsplit(" ", 1)
            samples = int(count)
            total += samples
            frames = stack.split(";")
            threads[frames[0]] += samples
            own[frame_name(frames[-1])] += samples
            for name in {frame_name(f) for f in frames[1:]}:
                inclusive[name] += samples
    print("total samples", total)
    print("threads:", threads.most_common(5))
    print("\n== top self ==")
    for name, samples in own.most_common(25):
        print(f"{100 * samples / total:5.1f}%  {name}")
    print("\n== top inclusive ==")
    for name, samples in inclusive.most_common(inclusive_count):
        print(f"{100 * samples / total:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 60)
