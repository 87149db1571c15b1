"""The real worker process (`hub worker`) for integration and end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from hub.cli._shared import read_health


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class WorkerProcess:
    env: dict[str, str]
    log_path: Path
    port: int
    worker_id: str = "w0"
    process: subprocess.Popen | None = None
    _log: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        """This worker's own tables (RocksDB), beside its log: a restart finds them again."""
        return self.log_path.with_name(f"{self.log_path.stem}-data")

    def start(self, ready_timeout: float = 90.0) -> WorkerProcess:
        self._close_log()
        self._log = open(self.log_path, "ab")
        env = {**self.env, "HUB_WEB_PORT": str(self.port), "HUB_WEB_URL": self.url, "HUB_WORKER_ID": self.worker_id,
               "HUB_DATA_DIR": str(self.data_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "worker"], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        self.wait_ready(ready_timeout)
        return self

    def health(self) -> dict | None:
        return read_health(self.url)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}; log:\n{self.log_tail()}")
            health = self.health()
            if health and health.get("ready"):
                return
            time.sleep(0.3)
        raise TimeoutError(f"worker not ready after {timeout:.0f}s; log:\n{self.log_tail()}")

    def get_json(self, path: str) -> dict:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
            return json.loads(response.read())

    def get_text(self, path: str) -> str:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
            return response.read().decode()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_lines(self) -> list[dict]:
        """The worker's structlog JSON lines."""
        parsed = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    parsed.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return parsed

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL: a worker can ignore SIGTERM while an event is stuck."""
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_log()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def assert_no_stalls(workers: list[WorkerProcess]) -> None:
    """Issue 13: no partition ever stops. A stall the progress watchdog healed still counts."""
    stalls = [line for worker in workers for line in worker.log_lines() if line.get("event") == "partition_stall"]
    assert not stalls, f"the progress watchdog found {len(stalls)} stalls: {stalls[:5]}"
