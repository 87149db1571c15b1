"""Shared test set-up: hypothesis profiles, paths to fixtures. Broker fixtures live in
tests/integration/conftest.py so unit runs never touch Kafka."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

FIXTURES = Path(__file__).parent / "fixtures"
PARTNER_FIXTURES = FIXTURES / "partners"

# CI bounds property tests by example count and deadline so the whole run stays short;
# `HYPOTHESIS_PROFILE=dev` explores more locally.
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
