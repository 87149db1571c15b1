"""Shared test set-up: hypothesis profiles, paths to fixtures. Broker fixtures live in
tests/integration/conftest.py so unit runs never touch Kafka."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The partners' example payloads by file name; the one copy of each is an adapter test case, tests/adapters/<partner>/cases/.
PARTNER_FIXTURES = {path.name: path for path in (Path(__file__).parent / "adapters").glob("*/cases/*") if path.suffix in (".json", ".xml")}

# CI bounds property tests by example count and deadline so the whole run stays short;
# `HYPOTHESIS_PROFILE=dev` explores more locally.
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tier of a test is its folder, so no test escapes `make test-unit` or `-m integration`.
TIER_BY_FOLDER = {"integration": "integration", "service": "service"}
TIERS = {"unit", "service", "integration"}


def pytest_collection_modifyitems(config, items) -> None:  # noqa: ARG001 - pytest's hook signature
    import pytest

    tests_root = Path(__file__).parent
    for item in items:
        folder = Path(item.fspath).relative_to(tests_root).parts[0]
        tier = TIER_BY_FOLDER.get(folder, "unit")
        marked = {mark.name for mark in item.iter_markers()} & TIERS
        if marked - {tier}:
            raise pytest.UsageError(f"{item.nodeid} is marked {sorted(marked)} but lives in the {tier} tier's folder")
        if tier not in marked:
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture
def sizes_put_back(monkeypatch) -> None:
    """The timeline caches' sizes as they were, after a test that sets them
    (hub/stages/shipment_step.py:keep_shipments)."""
    from hub.kafka import state_codec
    from hub.stages import stored_events, timeline_fold, timeline_json

    for module, name in ((stored_events, "STATES"), (stored_events, "CAPACITY"), (timeline_fold, "CAPACITY"),
                         (timeline_json, "CAPACITY"), (state_codec, "_DECODED")):
        monkeypatch.setattr(module, name, getattr(module, name))
