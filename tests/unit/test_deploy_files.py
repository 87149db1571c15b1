"""The Grafana files in deploy/ fit together (Prometheus's own files are checked by promtool in the integration tests)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"


def test_every_dashboard_panel_queries_the_provisioned_data_source():
    provisioned = (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    uid = re.search(r"^\s*uid:\s*(\S+)\s*$", provisioned, re.MULTILINE).group(1)
    dashboard = json.loads((GRAFANA / "dashboards" / "hub.json").read_text(encoding="utf-8"))
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    queried = [p for p in panels if p["type"] != "row"]
    assert queried
    for panel in queried:
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        # Metric names only from the hub's own exports (names never depend on the app id).
        for target in panel["targets"]:
            assert re.search(r"\bhub_[a-z_]+", target["expr"]), target["expr"]


def test_dashboard_panels_do_not_overlap():
    dashboard = json.loads((GRAFANA / "dashboards" / "hub.json").read_text(encoding="utf-8"))
    cells: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        g = panel["gridPos"]
        assert g["x"] + g["w"] <= 24, panel["title"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not mine & cells, panel["title"]
        cells |= mine


def test_the_dashboard_provider_loads_the_folder_compose_mounts():
    provider = (GRAFANA / "provisioning" / "dashboards" / "hub.yml").read_text(encoding="utf-8")
    compose = (GRAFANA.parent / "compose.yaml").read_text(encoding="utf-8")
    path = re.search(r"path:\s*(\S+)", provider).group(1)
    assert f"./grafana/dashboards:{path}:ro" in compose
