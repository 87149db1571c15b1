"""Fixtures for tests against the real broker and the real worker process.

One broker per test run (started here unless HUB_KAFKA_BOOTSTRAP names one), and one secure
broker (`hub broker start --secure`) for the security tests, started the first time a test
asks for it; every test gets its own topic prefixes and app id, so tests never see each
other's records.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.app import active_partners
from hub.config import Settings
from hub.kafka import broker, broker_security
from hub.kafka.caught_up import wait_until_caught_up
from hub.topics import ensure_topics
from tests.support.environment import SecureBroker, hub_environment
from tests.support.worker import WorkerProcess, assert_no_stalls, free_port


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("HUB_KAFKA_BOOTSTRAP")
    if configured:
        yield configured
        return
    directory = tmp_path_factory.mktemp("broker")
    try:
        state = broker.start(directory)
    except broker.BrokerError as err:
        pytest.fail(f"cannot start the Kafka broker: {err}")
    try:
        yield state.bootstrap
    finally:
        broker.stop(directory)


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """One secure broker for the whole run (its start, certificates included, costs tens of
    seconds): lean, as nothing on it runs long."""
    directory = tmp_path_factory.mktemp("secure-broker")
    try:
        state = broker.start(directory, secure=True, lean=True)
    except broker.BrokerError as err:
        pytest.fail(f"cannot start the secure broker: {err}")
    try:
        yield SecureBroker(state.bootstrap, directory, broker_security.admin_settings(broker_security.prepare(directory)))
    finally:
        broker.stop(directory)


@pytest.fixture
def hub_env(kafka_bootstrap: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """Environment for one test's hub: fresh prefixes and app id, fast commits.

    `@pytest.mark.partitions(6)` asks for another partition count than the default 3.
    """
    marker = request.node.get_closest_marker("partitions")
    return hub_environment(kafka_bootstrap, tmp_path, str(marker.args[0]) if marker else None)


@pytest.fixture
def hub_settings(hub_env: dict[str, str]) -> Settings:
    settings = Settings.from_env(hub_env)
    asyncio.run(ensure_topics(settings, [p.id for p in active_partners()]))
    return settings


@pytest.fixture
def start_worker(hub_env: dict[str, str], hub_settings: Settings, tmp_path: Path) -> Iterator:
    """Start real `hub worker` processes for this test's hub; stopped at teardown."""
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(hub_env, tmp_path / f"worker-{len(workers)}.log", free_port(), worker_id=f"w{len(workers)}")
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
    assert_no_stalls(workers)


@pytest.fixture
def caught_up(hub_settings: Settings):
    def wait(timeout: float = 120.0) -> float:
        return asyncio.run(wait_until_caught_up(hub_settings, [p.id for p in active_partners()], timeout))

    return wait
