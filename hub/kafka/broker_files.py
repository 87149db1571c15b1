"""What a local Kafka broker needs and leaves on disk: the jars, free ports, its recorded state
(`<dir>/broker.json`, which later commands read to find it) and each node's server.properties.

hub/kafka/broker.py starts, stops and reports the broker from these.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kafka"
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
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports on 127.0.0.1 (every socket held open until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def port_free(port: int) -> bool:
    """Nothing listens on (or holds) `port`; connections of a stopped broker in TIME_WAIT do not count."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class NodeState:
    node_id: int
    pid: int
    port: int
    controller_port: int
    log: str

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class BrokerState:
    """What `start` recorded in `<dir>/broker.json`: every node, with its pid and ports."""

    nodes: list[NodeState]
    cluster_id: str = ""
    # Started with --secure: SASL_SSL only, ACLs deny by default (hub/kafka/broker_security.py).
    secure: bool = False

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes)

    def node(self, node_id: int) -> NodeState:
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise BrokerError(f"no node {node_id}: the broker has nodes {', '.join(str(n.node_id) for n in self.nodes)}")

    # The first node's figures, as the single-node state had them.
    @property
    def pid(self) -> int:
        return self.nodes[0].pid

    @property
    def port(self) -> int:
        return self.nodes[0].port

    @property
    def controller_port(self) -> int:
        return self.nodes[0].controller_port

    @property
    def log(self) -> str:
        return self.nodes[0].log


def state_file(directory: Path) -> Path:
    return directory / "broker.json"


def read_state(directory: Path) -> BrokerState | None:
    path = state_file(directory)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    if "nodes" not in data:  # written before clusters: one node's fields at the top level
        return BrokerState([NodeState(1, data["pid"], data["port"], data["controller_port"], data["log"])])
    return BrokerState([NodeState(**node) for node in data["nodes"]], data.get("cluster_id", ""), bool(data.get("secure")))


def recorded_bootstrap(directory: Path = DEFAULT_DIR) -> str | None:
    """The bootstrap address of a broker `hub broker start` left running in `directory`.

    Commands use it when HUB_KAFKA_BOOTSTRAP is unset (hub/config.py), so that the broker
    started on a free port is the one every later command talks to.
    """
    try:
        state = read_state(directory)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if state is None or not any(alive(node.pid) for node in state.nodes):
        return None
    return state.bootstrap


def write_state(directory: Path, state: BrokerState) -> None:
    data = {"cluster_id": state.cluster_id, "secure": state.secure, "nodes": [node.__dict__ for node in state.nodes]}
    state_file(directory).write_text(json.dumps(data, indent=1))


def node_directory(directory: Path, node_id: int, count: int) -> Path:
    """A single node lives in the directory itself (as it always has); cluster nodes in node-N."""
    return directory if count == 1 else directory / f"node-{node_id}"


def replication_for(count: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) of a cluster of `count` nodes: 3 and 2 for
    three nodes, so acks=all writes go on while any one node is down."""
    replication = min(3, count)
    return replication, max(1, replication - 1)


def render_properties(node_id: int, ports: list[tuple[int, int]], data_dir: Path) -> str:
    """server.properties of node `node_id` of a cluster whose node i has client and
    controller ports `ports[i - 1]`. One node: the single-node template, as before."""
    port, controller_port = ports[node_id - 1]
    if len(ports) == 1:
        template = (DEPLOY_DIR / "server.properties.template").read_text()
        return template.format(port=port, controller_port=controller_port, data_dir=data_dir)
    replication, min_isr = replication_for(len(ports))
    voters = ",".join(f"{i}@127.0.0.1:{controller}" for i, (_, controller) in enumerate(ports, start=1))
    template = (DEPLOY_DIR / "cluster.properties.template").read_text()
    return template.format(
        node_id=node_id, port=port, controller_port=controller_port, voters=voters, data_dir=data_dir,
        replication=replication, min_isr=min_isr,
    )


def alive(pid: int) -> bool:
    if pid <= 0:  # never started (0 would mean this very process group to os.kill)
        return False
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
