"""The real gateway process (`hub gateway`) for tests that kill it or its broker, and the check
that every webhook answered 200 is on its topic."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hub.cli._shared import read_health
from tests.support.kafka import Record

# Rates high enough that no test request is ever 429.
SECRETS = """
[ozon]
token = "ozon-token"
rate = 100000
burst = 100000
[cdek]
token = "cdek-token"
rate = 100000
burst = 100000
"""


@dataclass
class GatewayProcess:
    """One `hub gateway` on `port` with its spool in `directory`; started again on the same port and spool."""

    env: dict[str, str]
    directory: Path
    port: int
    process: subprocess.Popen | None = None
    starts: int = 0
    _log: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / "gateway.log"

    def start(self) -> GatewayProcess:
        secrets = self.directory / "gateway-secrets.toml"
        secrets.write_text(SECRETS)
        env = {**self.env, "HUB_GATEWAY_SECRETS": str(secrets), "HUB_GATEWAY_SPOOL": str(self.directory / "spool"),
               "HUB_GATEWAY_HOST": "127.0.0.1", "HUB_GATEWAY_PORT": str(self.port), "HUB_GATEWAY_INSTANCE": f"gw-test-{self.starts}"}
        self.starts += 1
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()/kill()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "gateway"], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        return self

    def health(self) -> dict:
        return read_health(self.url) or {}

    def wait_until(self, ready, timeout: float = 30.0) -> dict:
        """The first health that satisfies `ready`; AssertionError with the log's tail if none does in time."""
        deadline = time.monotonic() + timeout
        health: dict = {}
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, f"the gateway exited; log:\n{self.log_tail()}"
            health = self.health()
            if health and ready(health):
                return health
            time.sleep(0.2)
        raise AssertionError(f"gateway health still {health} after {timeout:.0f} s; log:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no answer finished, no producer flushed, no spool closed."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._close_log()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:]) if self.log_path.exists() else ""


def answered_but_missing(answered: set[bytes], records: list[Record]) -> tuple[set[bytes], list[str]]:
    """The bodies answered 200 that are not on the topic, and what is wrong with the records that are:
    every record must carry its own sha256 (so a duplicate has identical bytes and the same header)."""
    wrong = [f"offset {r.partition}/{r.offset}: sha256 header {r.headers.get('hub-gateway-sha256')!r} is not its body's"
             for r in records if r.headers.get("hub-gateway-sha256") != hashlib.sha256(r.value or b"").hexdigest().encode()]
    return answered - {r.value for r in records}, wrong
