"""A real single-node Apache Kafka broker from Maven Central jars, run with Java.

`hub broker start|stop|status` (or `python -m hub.broker`). Start resolves the jars with
Maven into a cache outside git (HUB_KAFKA_CACHE, default ~/.cache/hub-kafka), formats the
storage once, starts the broker detached with its output in `<dir>/broker.log`, and
returns once the broker answers an admin request. Starting a running broker does nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy" / "kafka"
KAFKA_VERSION = "4.0.2"
DEFAULT_DIR = Path(os.environ.get("HUB_BROKER_DIR", ".hub/broker"))


class BrokerError(RuntimeError):
    """A reason the broker cannot be started or reached, in one line."""


def cache_dir() -> Path:
    return Path(os.environ.get("HUB_KAFKA_CACHE", Path.home() / ".cache" / "hub-kafka")) / KAFKA_VERSION


def resolve_jars(quiet: bool = False) -> Path:
    """The broker's class path directory, downloading the jars with Maven the first time."""
    lib = cache_dir() / "lib"
    marker = lib / ".complete"
    if marker.exists():
        return lib
    if shutil.which("mvn") is None:
        raise BrokerError("Maven (mvn) is not installed: it is needed once to fetch the Kafka jars")
    if not quiet:
        print(f"resolving Apache Kafka {KAFKA_VERSION} jars from Maven Central into {lib} ...", file=sys.stderr)
    lib.mkdir(parents=True, exist_ok=True)
    command = [
        "mvn", "-q", "-B", "-f", str(DEPLOY_DIR / "pom.xml"), f"-Dkafka.version={KAFKA_VERSION}",
        "dependency:copy-dependencies", f"-DoutputDirectory={lib}",
    ]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-1:] or ["no output"]
        raise BrokerError(f"Maven could not resolve the Kafka jars: {tail[0]}")
    marker.write_text(KAFKA_VERSION)
    return lib


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class BrokerState:
    pid: int
    port: int
    controller_port: int
    log: str

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def _state_file(directory: Path) -> Path:
    return directory / "broker.json"


def read_state(directory: Path) -> BrokerState | None:
    path = _state_file(directory)
    if not path.exists():
        return None
    return BrokerState(**json.loads(path.read_text()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (started by this very process) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _port_open(bootstrap: str) -> bool:
    host, _, port = bootstrap.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


async def _answers_admin(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    # Readiness is the port answering and then an admin request succeeding; checking the
    # port first keeps aiokafka from logging a connection error on every poll.
    if not _port_open(bootstrap):
        return False
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False
    finally:
        await admin.close()


def answers_admin(bootstrap: str) -> bool:
    return asyncio.run(_answers_admin(bootstrap))


def start(directory: Path = DEFAULT_DIR, port: int | None = None, timeout: float = 90.0) -> BrokerState:
    directory = directory.resolve()
    state = read_state(directory)
    if state and _alive(state.pid) and answers_admin(state.bootstrap):
        return state
    if shutil.which("java") is None:
        raise BrokerError("Java is not installed: the Kafka broker needs a Java 17+ runtime (java on PATH)")
    lib = resolve_jars()
    directory.mkdir(parents=True, exist_ok=True)
    data_dir = directory / "data"
    port = port or int(os.environ.get("HUB_BROKER_PORT", "0")) or free_port()
    controller_port = free_port()
    properties = directory / "server.properties"
    template = (DEPLOY_DIR / "server.properties.template").read_text()
    properties.write_text(template.format(port=port, controller_port=controller_port, data_dir=data_dir))
    classpath = f"{lib}/*"
    if not (data_dir / "meta.properties").exists():
        cluster_id = str(uuid.uuid4().hex[:22])
        _format_storage(classpath, cluster_id, properties)
    log_path = directory / "broker.log"
    java = [
        "java", "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={directory}", "-cp", classpath, "kafka.Kafka", str(properties),
    ]
    with open(log_path, "ab") as log:
        # Detached, in its own session and with no inherited output, so it never holds a
        # caller's (CI's) stdout open and survives the shell that started it.
        process = subprocess.Popen(java, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    state = BrokerState(process.pid, port, controller_port, str(log_path))
    _state_file(directory).write_text(json.dumps(state.__dict__))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(process.pid):
            raise BrokerError(f"the broker exited during start-up; see {log_path}")
        if answers_admin(state.bootstrap):
            return state
        time.sleep(0.5)
    stop(directory)
    raise BrokerError(f"the broker did not answer within {timeout:.0f}s; see {log_path}")


def _format_storage(classpath: str, cluster_id: str, properties: Path) -> None:
    command = ["java", "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(properties)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BrokerError(f"formatting the broker storage failed: {(completed.stderr or completed.stdout).strip()[:300]}")


def stop(directory: Path = DEFAULT_DIR, timeout: float = 30.0) -> bool:
    """Stop the broker started in `directory`; True if one was running."""
    directory = directory.resolve()
    state = read_state(directory)
    if state is None or not _alive(state.pid):
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(state.pid):
        time.sleep(0.2)
    if _alive(state.pid):
        os.kill(state.pid, signal.SIGKILL)
    return True


def status(directory: Path = DEFAULT_DIR) -> str:
    directory = directory.resolve()
    state = read_state(directory)
    if state is None:
        return f"stopped (no broker started in {directory})"
    if not _alive(state.pid):
        return f"stopped (pid {state.pid} has exited; log {state.log})"
    ready = "answering" if answers_admin(state.bootstrap) else "not answering"
    return f"running pid={state.pid} bootstrap={state.bootstrap} ({ready}); log {state.log}"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("broker", help="start, stop or report the local Kafka broker")
    parser.add_argument("action", choices=["start", "stop", "status", "fetch"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="data and log directory (default .hub/broker)")
    parser.add_argument("--port", type=int, default=None, help="client port (default: HUB_BROKER_PORT or a free port)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "fetch":
            print(resolve_jars())
        elif args.action == "start":
            state = start(args.dir, args.port)
            # The bootstrap address alone on stdout, so scripts can capture it.
            print(state.bootstrap)
        elif args.action == "stop":
            print("stopped" if stop(args.dir) else "not running")
        else:
            print(status(args.dir))
    except BrokerError as err:
        print(f"hub broker: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.broker")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["broker", *(argv if argv is not None else sys.argv[1:])])
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
