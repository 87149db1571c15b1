"""The topics the stages read as streams are never compacted (hub/topics.py).

Compaction keeps the latest record of a key; the stages' inputs are messages that must each be
read. With hub.identity and hub.turnover compacted, the log cleaner removed observations and
money entries a lagging worker had not read yet, once its lag passed a segment: a fault soak
lost links of 186 of 1,600 shipments and entries of 7 statements.
"""

from __future__ import annotations

import pytest

from hub import topics

pytestmark = pytest.mark.unit

# Every topic a worker's agents consume (hub/agents/), partner topics aside (their own specs).
STAGE_INPUTS = (topics.EVENTS, topics.IDENTITY, topics.SHIPMENT_EVENTS, topics.TURNOVER, topics.CONTROL)


@pytest.mark.parametrize("spec", STAGE_INPUTS, ids=lambda spec: spec.suffix)
def test_a_stage_input_is_never_compacted(spec):
    assert spec.configs()["cleanup.policy"] == "delete"


def test_the_compacted_topics_are_latest_values_no_agent_reads():
    compacted = {spec.suffix for spec in topics.HUB_TOPICS if spec.cleanup is topics.Cleanup.COMPACT}
    assert compacted == {"timelines", "statements", "contracts", "poller-state"}
