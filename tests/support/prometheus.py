"""A real Prometheus (Debian's package) for a test: its own config, storage and port on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.worker import free_port


@dataclass
class PrometheusProcess:
    binary: str
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, targets: list[str], rule_files: list[Path], scrape_interval: str = "1s", timeout: float = 30.0) -> PrometheusProcess:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "prometheus.yml"
        config.write_text(self.config(targets, rule_files, scrape_interval), encoding="utf-8")
        self._log = open(self.directory / "prometheus.log", "ab")
        self.process = subprocess.Popen(
            [self.binary, f"--config.file={config}", f"--storage.tsdb.path={self.directory / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"prometheus not ready after {timeout:.0f}s:\n{self.log_tail()}")

    @staticmethod
    def config(targets: list[str], rule_files: list[Path], scrape_interval: str) -> str:
        rules = "".join(f"  - {json.dumps(str(p))}\n" for p in rule_files)
        return (
            f"global:\n  scrape_interval: {scrape_interval}\n  evaluation_interval: {scrape_interval}\n"
            + (f"rule_files:\n{rules}" if rule_files else "")
            + "scrape_configs:\n  - job_name: hub\n    static_configs:\n"
            + f"      - targets: {json.dumps(targets)}\n"
        )

    def api(self, path: str, **params: str) -> Any:
        url = f"{self.url}/api/v1/{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as err:
            raise AssertionError(f"{path} {params}: HTTP {err.code} {err.read()[:500]!r}") from None
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's vector: [{"metric": {...}, "value": [t, "v"]}]."""
        data = self.api("query", query=expr)
        return data["result"] if data["resultType"] == "vector" else [{"metric": {}, "value": data["result"]}]

    def values(self, expr: str, *labels: str) -> dict[tuple[str, ...], float]:
        return {tuple(r["metric"].get(k, "") for k in labels): float(r["value"][1]) for r in self.query(expr)}

    def wait_for(self, expr: str, expected: float, timeout: float = 30.0) -> None:
        """Until the scalar `expr` equals `expected` (the workers were scraped after the run)."""
        deadline = time.monotonic() + timeout
        seen: Any = None
        while time.monotonic() < deadline:
            result = self.query(expr)
            seen = [r["value"][1] for r in result]
            if len(result) == 1 and float(result[0]["value"][1]) == expected:
                return
            time.sleep(0.5)
        raise AssertionError(f"{expr} is {seen}, expected {expected}, after {timeout:.0f}s")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.directory / "prometheus.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
