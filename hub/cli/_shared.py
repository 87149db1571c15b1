"""What several `hub` commands share: the one-line error, settings, publishing, asking a worker.

Kept to what at least two commands use; a command's own helpers stay in its module.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from hub.config import ConfigError, Settings, kafka_client_options

# (key, value, headers) as the producer sends it.
Record = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


def fail(command: str, message: str, code: int = 1) -> int:
    """Say what is wrong in one line on stderr, `hub <command>: <message>`; return the exit code."""
    print(f"hub {command}: {message}", file=sys.stderr)
    return code


def step(message: str) -> None:
    """A long command's progress, `==> <message>` on stderr (stdout keeps only its results)."""
    print(f"==> {message}", file=sys.stderr, flush=True)


def settings_or_none(command: str) -> Settings | None:
    """The settings from the environment, or None after saying in one line what is wrong with them."""
    try:
        return Settings.from_env()
    except ConfigError as err:
        fail(command, str(err))
        return None


def logging_and_topics_ready(command: str, settings: Settings, partners: list[str] | None = None,
                             hub_topics: tuple | None = None) -> int | None:
    """Configure logging, then create the missing topics (those of `partners`, default every
    active partner, and `hub_topics`, default all the hub's own); None when ready, else the
    exit code after a one-line error."""
    from hub.app import active_partners
    from hub.logs import configure_logging
    from hub.topics import HUB_TOPICS, ensure_topics

    configure_logging(settings.log_format, settings.log_level)
    partners = [p.id for p in active_partners()] if partners is None else partners
    try:
        asyncio.run(ensure_topics(settings, partners, hub_topics=HUB_TOPICS if hub_topics is None else hub_topics))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        from hub.kafka.security import connection_problem

        # A broker that refuses us (a credential, TLS) says why; else what the error said.
        reason = asyncio.run(connection_problem(settings.kafka_bootstrap, kafka_client_options(settings))) or " ".join(str(err).split())
        return fail(command, f"cannot prepare topics on {settings.kafka_bootstrap}: {reason}")
    return None


def aware_time(option: str, text: str) -> datetime:
    """The value of `option`, an ISO time with an offset; ValueError saying in one line what is wrong."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not an ISO time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{option} needs an offset, e.g. 2026-03-01T00:00:00+03:00")
    return moment


async def publish(bootstrap: str, topic: str, records: list[Record], *, security: Mapping[str, object] | None = None) -> None:
    """Send each record to `topic` and wait for it (acks=all, idempotent); `security`: `kafka_client_options`."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **(security or {}))
    try:
        await producer.start()  # inside: a producer that failed to start is stopped too, never left unclosed
        for key, value, headers in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers or None)
    finally:
        await producer.stop()


def fetch_shipment(web_url: str, query: str, token: str | None = None) -> tuple[int, dict]:
    """GET /shipments/{query} from a worker, following its redirects; (status, body). `token`:
    the bearer token a worker with HUB_API_TOKENS asks for."""
    url = f"{web_url.rstrip('/')}/shipments/{urllib.parse.quote(query, safe=':')}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def latest_by_key(settings: Settings, topic: str) -> dict[str, dict]:
    """Read a topic whole; the last value per key (what compaction will keep)."""
    from hub.kafka.topic_reader import read_all

    records = asyncio.run(read_all(settings.kafka_bootstrap, topic, security=kafka_client_options(settings)))
    latest: dict[str, dict] = {}
    for key, value in records:
        if key is not None and value is not None:
            latest[key.decode()] = json.loads(value)
    return latest


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`hub worker` as a detached process (its own session, so it can be stopped with its children), logging to `log_path`."""
    return start_hub_process("worker", env, log_path)


def start_hub_process(command: str, env: dict[str, str], log_path: Path, *, args: Sequence[str] = ()) -> subprocess.Popen:
    """`hub <command> [args]` as a detached process (its own session, so it can be stopped with its children), logging to `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "hub.cli", command, *args], env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )


def read_health(url: str) -> dict | None:
    """GET `url`/health of a worker or gateway: its body whatever the status (503 says why not ready), None if no answer."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        return json.loads(err.read() or b"{}")
    except (OSError, ValueError):
        return None


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """True once the worker at `url` says it is ready; False if it exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if json.loads(response.read()).get("ready"):
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM a detached process's group, SIGKILL if it has not gone after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def broker_problem(doing: str, settings: Settings, err: Exception) -> str:
    """`doing`, and what the broker (or its absence) answered, as one line (never a traceback)."""
    from aiokafka.errors import KafkaConnectionError

    from hub.kafka.security import connection_problem

    if isinstance(err, KafkaConnectionError):
        # A broker that answers but refuses us (a credential, TLS) says why in one line.
        reason = asyncio.run(connection_problem(settings.kafka_bootstrap, kafka_client_options(settings))) if _port_open(settings) else None
        return f"{doing} on {settings.kafka_bootstrap}: {reason}" if reason else f"{doing}: no broker answers at {settings.kafka_bootstrap}"
    return f"{doing} on {settings.kafka_bootstrap}: " + " ".join(str(err).split())


def percentile(values: list[int] | list[float], fraction: float):
    """The value at `fraction` (0.5: the median) of `values`, nearest rank; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def delete_topics_starting(settings: Settings, run_id: str) -> None:
    """Best effort: a benchmark's topics (and its workers' changelogs), all named `run_id...`, go when it ends."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **kafka_client_options(settings))
    try:
        await admin.start()
        names = [t for t in await admin.list_topics() if t.startswith(run_id)]
        if names:
            await admin.delete_topics(names)
    except Exception:  # noqa: BLE001 - a leftover topic is harmless
        pass
    finally:
        await admin.close()


def _port_open(settings: Settings) -> bool:
    from hub.kafka.broker import answers_port

    return answers_port(settings.kafka_bootstrap.split(",")[0].strip())
