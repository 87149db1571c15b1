"""/health says what a worker is doing until it is ready: recovering its tables, reading contracts."""

from __future__ import annotations

import pytest

from hub.app import create_app
from hub.config import Settings
from hub.web.routes import _state

pytestmark = pytest.mark.service


def test_health_says_recovering_until_the_tables_are_back_then_waits_for_contracts():
    app = create_app(Settings(app_id="svc-health", kafka_bootstrap="127.0.0.1:1", store="memory://"))
    app.finalize()
    contracts = app.hub_contracts
    assert _state(app, contracts) == "recovering"
    app.tables.recovery.completed.set()
    app.rebalancing = False
    assert _state(app, contracts) == "reading_contracts"
    contracts.ready.set()
    assert _state(app, contracts) == "ready"
    app.rebalancing = True  # a rebalance reads tables back again
    assert _state(app, contracts) == "recovering"


async def test_each_recovery_is_timed_in_the_metrics():
    import time

    from hub import metrics

    app = create_app(Settings(app_id="svc-recovery", kafka_bootstrap="127.0.0.1:1", store="memory://"))
    app.finalize()
    before = metrics.REGISTRY.get_sample_value("hub_table_recovery_seconds_sum") or 0.0
    app.tables.recovery._recovery_started_at = time.monotonic() - 2.0  # as faust marks a recovery's start
    await app.on_rebalance_complete.send()
    assert metrics.REGISTRY.get_sample_value("hub_table_recovery_seconds_sum") - before >= 2.0
