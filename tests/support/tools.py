"""Programs from Debian's packages that some tests drive (Prometheus, Chromium)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str, package: str) -> str:
    """The program's path. Missing, it fails the test in CI (CI=true), where .ci/run installs it,
    and skips it elsewhere with the command that installs it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not on PATH: apt-get install -y --no-install-recommends {package} (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")
