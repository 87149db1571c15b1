"""Running `hub ...` from tests: as a process (what a user meets, for a command's one-line error
output), or in this process (the same parser and `run`, without the 3-4 s of a new interpreter
importing faust and aiokafka) when the test is about what the command does, not how it exits."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout


def hub_process(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], env=dict(env), capture_output=True, text=True, timeout=120)


def hub_here(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess:
    """`hub args` run by `hub.cli.main.main` with `env` as the whole environment for its
    duration; its exit code, stdout and stderr as a process's would be."""
    from hub.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["hub", *args], code, out.getvalue(), err.getvalue())
