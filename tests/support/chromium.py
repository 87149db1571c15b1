"""Headless Chromium (Debian's package) for looking at a page as a person would: its DOM and a screenshot."""

from __future__ import annotations

import subprocess
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
]


def _run(binary: str, profile: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, timeout=timeout,
        stdin=subprocess.DEVNULL, check=False,
    )


def dump_dom(binary: str, profile: Path, url: str, timeout: float = 60.0) -> str:
    result = _run(binary, profile, ["--dump-dom", url], timeout)
    if result.returncode != 0 or not result.stdout:
        raise RuntimeError(f"chromium --dump-dom {url} exited {result.returncode}: {result.stderr[-2000:]!r}")
    return result.stdout.decode("utf-8")


def screenshot(binary: str, profile: Path, url: str, path: Path, size: tuple[int, int] = (1400, 2700),
               timeout: float = 60.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    result = _run(binary, profile, [f"--window-size={size[0]},{size[1]}", f"--screenshot={path}", url], timeout)
    if result.returncode != 0 or not path.is_file():
        raise RuntimeError(f"chromium --screenshot {url} exited {result.returncode}: {result.stderr[-2000:]!r}")
    return path
