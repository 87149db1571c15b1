"""The pure parts of the local cluster and of the hub's replication: node properties, the
recorded state, restarting on recorded ports, HUB_REPLICATION and how the replication is
chosen. The cluster itself runs in tests/integration/test_cluster.py."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from hub import topics
from hub.config import ConfigError, Settings
from hub.kafka import broker

pytestmark = pytest.mark.unit

PORTS = [(19092, 19093), (29092, 29093), (39092, 39093)]


def properties(text: str) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")]
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"a key set twice: {sorted(k for k in keys if keys.count(k) > 1)}"
    return dict(pairs)


@pytest.mark.parametrize("node_id", [1, 2, 3])
def test_each_node_of_three_is_broker_and_controller_with_every_voter_and_its_own_ports(node_id, tmp_path):
    text = broker.render_properties(node_id, PORTS, tmp_path / "data")
    assert not re.search(r"\{\w+\}", text), "a placeholder left unfilled"
    props = properties(text)
    port, controller = PORTS[node_id - 1]
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == str(node_id)
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093"
    assert props["listeners"] == f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}"
    assert props["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:{port}"
    assert props["log.dirs"] == str(tmp_path / "data")


def test_three_nodes_replicate_everything_three_times_and_need_two_in_sync(tmp_path):
    props = properties(broker.render_properties(1, PORTS, tmp_path))
    for key in ("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "share.coordinator.state.topic.replication.factor"):
        assert props[key] == "3", key
    for key in ("min.insync.replicas", "transaction.state.log.min.isr", "share.coordinator.state.topic.min.isr"):
        assert props[key] == "2", key
    assert props["auto.create.topics.enable"] == "false"
    assert props["unclean.leader.election.enable"] == "false"


def test_one_node_renders_the_single_node_template_as_before(tmp_path):
    props = properties(broker.render_properties(1, [(9092, 9093)], tmp_path))
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert "default.replication.factor" not in props


def test_replication_and_min_in_sync_by_cluster_size():
    assert broker.replication_for(1) == (1, 1)
    assert broker.replication_for(3) == (3, 2)
    assert broker.replication_for(5) == (3, 2)


def test_the_state_records_every_node_and_the_bootstrap_lists_them_all(tmp_path):
    nodes = [broker.NodeState(i, 100 + i, p, c, f"log{i}") for i, (p, c) in enumerate(PORTS, 1)]
    broker.write_state(tmp_path, broker.BrokerState(nodes, "cluster-id"))
    state = broker.read_state(tmp_path)
    assert state.bootstrap == "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092"
    assert state.cluster_id == "cluster-id"
    assert state.node(2).port == 29092 and state.node(2).controller_port == 29093
    with pytest.raises(broker.BrokerError):
        state.node(4)


def test_a_state_file_from_before_clusters_reads_as_one_node(tmp_path):
    (tmp_path / "broker.json").write_text(json.dumps({"pid": 7, "port": 9092, "controller_port": 9093, "log": "x.log"}))
    state = broker.read_state(tmp_path)
    assert state.bootstrap == "127.0.0.1:9092"
    assert (state.pid, state.port, state.controller_port, state.log) == (7, 9092, 9093, "x.log")


def test_a_pid_never_started_is_not_alive():
    # os.kill(0, ...) would signal this very process group: 0 must never count as running.
    assert not broker.alive(0)
    assert not broker.alive(-1)


def test_free_ports_are_distinct():
    ports = broker.free_ports(6)
    assert len(set(ports)) == 6


@pytest.fixture
def no_java(monkeypatch: pytest.MonkeyPatch) -> list[list[broker.NodeState]]:
    """`start` with launching and waiting replaced: records which nodes it would start."""
    launched: list[list[broker.NodeState]] = []

    def launch(directory: Path, state: broker.BrokerState, nodes: list[broker.NodeState], lib: Path, *, lean: bool = False) -> None:
        launched.append([broker.NodeState(**n.__dict__) for n in nodes])
        for node in nodes:
            node.pid = 0  # "started", yet never alive: nothing real runs
        broker.write_state(directory, state)

    monkeypatch.setattr(broker.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(broker, "resolve_jars", lambda quiet=False: Path("/nowhere"))
    monkeypatch.setattr(broker, "_launch", launch)
    monkeypatch.setattr(broker, "_wait_ready", lambda *args, **kwargs: None)
    monkeypatch.delenv("HUB_BROKER_PORT", raising=False)
    return launched


def test_a_stopped_broker_starts_again_on_its_recorded_ports(no_java, tmp_path):
    first = broker.start(tmp_path)
    again = broker.start(tmp_path)
    assert again.bootstrap == first.bootstrap
    assert [(n.port, n.controller_port) for n in no_java[1]] == [(first.port, first.controller_port)]


def test_a_stopped_cluster_starts_again_on_its_recorded_ports(no_java, tmp_path):
    first = broker.start(tmp_path, nodes=3)
    assert len(first.nodes) == 3 and len(first.bootstrap.split(",")) == 3
    ports = [p for n in first.nodes for p in (n.port, n.controller_port)]
    assert len(set(ports)) == 6
    again = broker.start(tmp_path)
    assert again.bootstrap == first.bootstrap
    assert [n.controller_port for n in again.nodes] == [n.controller_port for n in first.nodes]


def test_a_directory_keeps_its_node_count(no_java, tmp_path):
    broker.start(tmp_path, nodes=3)
    with pytest.raises(broker.BrokerError, match="3-node"):
        broker.start(tmp_path, nodes=1)


def test_an_explicit_port_numbers_the_nodes_from_it(no_java, tmp_path):
    state = broker.start(tmp_path, port=42000, nodes=3)
    assert [n.port for n in state.nodes] == [42000, 42001, 42002]


# -- HUB_REPLICATION --------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [(None, None), ("", None), ("1", 1), ("3", 3)])
def test_hub_replication_is_a_positive_integer_or_unset(raw, expected):
    env = {} if raw is None else {"HUB_REPLICATION": raw}
    assert Settings.from_env(env).replication == expected


@pytest.mark.parametrize("raw", ["0", "-1", "three", "3.0"])
def test_a_bad_hub_replication_names_the_variable(raw):
    with pytest.raises(ConfigError, match="HUB_REPLICATION"):
        Settings.from_env({"HUB_REPLICATION": raw})


def test_faust_gets_the_setting_else_what_the_cluster_said_else_one(monkeypatch):
    monkeypatch.setattr(topics, "_cluster_replication", {"a:1": 3})
    assert topics.replication_factor(Settings(kafka_bootstrap="a:1", replication=2)) == 2
    assert topics.replication_factor(Settings(kafka_bootstrap="a:1")) == 3
    assert topics.replication_factor(Settings(kafka_bootstrap="b:1")) == 1


class FakeResponse:
    def __init__(self, broker_id: int, value: str) -> None:
        self.broker_id, self.value = broker_id, value

    def to_object(self) -> dict:
        entry = {"config_names": "default.replication.factor", "config_value": self.value}
        return {"resources": [{"error_code": 0, "error_message": "", "resource_name": str(self.broker_id), "config_entries": [entry]}]}


class FakeAdmin:
    """Brokers 1-3; broker 1 has just died: asking it fails."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def describe_cluster(self) -> dict:
        return {"brokers": [{"node_id": 3}, {"node_id": 1}, {"node_id": 2}]}

    async def describe_configs(self, resources: list) -> list:
        name = resources[0].name
        self.asked.append(name)
        if name == "1":
            raise ConnectionError("broker 1 is gone")
        return [FakeResponse(int(name), "3")]


def test_the_cluster_replication_comes_from_the_first_broker_that_answers():
    admin = FakeAdmin()
    assert asyncio.run(topics.cluster_replication(admin)) == 3
    assert admin.asked == ["1", "2"]
