"""A real Apache Kafka broker from Maven Central jars, run with Java: one node, or a local
three-node KRaft cluster.

`hub broker start|stop|status [--nodes 3]` (the command is hub/cli/broker.py). Start resolves the
jars with Maven into a cache outside git (HUB_KAFKA_CACHE, default ~/.cache/hub-kafka),
formats the storage once, starts the broker detached with its output in `<dir>/broker.log`
(a cluster: `<dir>/node-N/`), and returns once every node answers an admin request.
Starting a running broker does nothing; a stopped one starts again on its recorded ports
and data, so clients reconnect to the same address.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
import warnings
from pathlib import Path

from hub.kafka import broker_security
from hub.kafka.broker_files import (  # noqa: F401 - the broker's files, re-exported as hub.kafka.broker's
    DEFAULT_DIR,
    DEPLOY_DIR,
    KAFKA_VERSION,
    BrokerError,
    BrokerState,
    NodeState,
    alive,
    cache_dir,
    free_port,
    free_ports,
    node_directory,
    port_free,
    read_state,
    recorded_bootstrap,
    render_properties,
    replication_for,
    resolve_jars,
    state_file,
    write_state,
)
from hub.kafka.security import SASL_SSL, client_options


def answers_port(bootstrap: str) -> bool:
    """Something listens at `host:port`."""
    host, _, port = bootstrap.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


async def _brokers_seen(address: str, options: dict | None = None) -> int | None:
    """How many live brokers the node at `address` itself reports; None if it does not answer."""
    from aiokafka.client import AIOKafkaClient

    # Readiness is the port answering and then a metadata request to that very node
    # succeeding (a node opens its client port once the controllers let it serve); checking
    # the port first keeps aiokafka from logging a connection error on every poll.
    if not answers_port(address):
        return None
    client = AIOKafkaClient(bootstrap_servers=address, request_timeout_ms=3000, **(options or {}))
    try:
        await client.bootstrap()
        return len(client.cluster.brokers())
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return None
    finally:
        await client.close()


def answers_admin(bootstrap: str, brokers: int = 1, options: dict | None = None) -> bool:
    """The node at `bootstrap` answers (to a client connecting with `options`), and knows at least `brokers` live brokers."""
    with warnings.catch_warnings():
        # aiokafka leaves a socket unclosed when a TLS or SASL handshake fails on a node still
        # starting; collected here, its warning is no one's concern.
        warnings.simplefilter("ignore", ResourceWarning)
        seen = asyncio.run(_brokers_seen(bootstrap, options))
        gc.collect()
    return seen is not None and seen >= brokers


def admin_options(directory: Path, state: BrokerState) -> dict:
    """How the hub's own administration connects to the broker of `directory`: nothing on the
    development broker, the super-user's SCRAM credential over TLS on a secure one."""
    if not state.secure:
        return {}
    files = broker_security.prepare(directory)
    return client_options(SASL_SSL, broker_security.ADMIN_USER, files.admin_password, files.ca_file)


def _ready(directory: Path, state: BrokerState) -> bool:
    """Every node answers on its own port and (a cluster) knows every node: before that,
    topics at the cluster's full replication cannot be created."""
    options = admin_options(directory, state)
    return all(answers_admin(node.address, len(state.nodes), options) for node in state.nodes)


def start(directory: Path = DEFAULT_DIR, port: int | None = None, timeout: float | None = None,
          nodes: int | None = None, secure: bool = False, lean: bool = False) -> BrokerState:
    """Start the broker of `directory` (`nodes` of them: 1, or 3 for a cluster) and return once
    it answers. `lean`: a small heap and a JVM tuned to start fast rather than to run long
    (tests' short-lived brokers on a busy machine). Idempotent: running nodes are left alone, stopped ones start again on their
    recorded ports and data. `port` (or HUB_BROKER_PORT) is node 1's client port, the next
    nodes take the ports after it; without one, the recorded ports, else free ones."""
    directory = directory.resolve()
    state = read_state(directory)
    if state is not None and nodes is not None and nodes != len(state.nodes):
        raise BrokerError(
            f"{directory} holds a {len(state.nodes)}-node broker's data; use another --dir for a {nodes}-node one"
        )
    count = len(state.nodes) if state is not None else (nodes or 1)
    if count < 1:
        raise BrokerError(f"a broker needs at least one node, not {count}")
    timeout = timeout if timeout is not None else (90.0 if count == 1 else 150.0)
    if state is not None and all(alive(n.pid) for n in state.nodes) and _ready(directory, state):
        return state
    if shutil.which("java") is None:
        raise BrokerError("Java is not installed: the Kafka broker needs a Java 17+ runtime (java on PATH)")
    lib = resolve_jars()
    directory.mkdir(parents=True, exist_ok=True)
    base = port or int(os.environ.get("HUB_BROKER_PORT", "0"))
    if state is None:
        chosen = free_ports(2 * count)
        ports = [(base + i if base else chosen[2 * i], chosen[2 * i + 1]) for i in range(count)]
        state = BrokerState(
            [NodeState(i, 0, p, c, str(node_directory(directory, i, count) / "broker.log")) for i, (p, c) in enumerate(ports, 1)],
            cluster_id=uuid.uuid4().hex[:22],
            secure=secure,
        )
    elif base:
        for i, node in enumerate(state.nodes):
            if not alive(node.pid):
                node.port = base + i
    if not state.cluster_id:
        state.cluster_id = uuid.uuid4().hex[:22]
    stopped = [node for node in state.nodes if not alive(node.pid)]
    _launch(directory, state, stopped, lib, lean=lean)
    _wait_ready(directory, state, stopped, timeout, stop_on_failure=True)
    return state


def start_node(directory: Path, node_id: int, timeout: float = 120.0) -> NodeState:
    """Start one stopped node of the broker in `directory` again, on its recorded ports and
    data; returns once every node answers again."""
    directory = directory.resolve()
    state = read_state(directory)
    if state is None:
        raise BrokerError(f"no broker was started in {directory}")
    node = state.node(node_id)
    if not alive(node.pid):
        _launch(directory, state, [node], resolve_jars())
    _wait_ready(directory, state, [node], timeout, stop_on_failure=False)
    return node


# A JVM that starts fast: C1 only (the C2 compiler's warm-up costs seconds of CPU a short run
# never earns back) and the serial collector (no GC threads competing for two cores).
FAST_START_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def _launch(directory: Path, state: BrokerState, nodes: list[NodeState], lib: Path, *, lean: bool = False) -> None:
    """Write each node's properties, format its storage the first time, start it detached."""
    count = len(state.nodes)
    ports = [(n.port, n.controller_port) for n in state.nodes]
    classpath = f"{lib}/*"
    files = broker_security.prepare(directory) if state.secure else None
    to_format = []
    for node in nodes:
        if not port_free(node.port) or not port_free(node.controller_port):
            raise BrokerError(f"node {node.node_id}'s port {node.port} or {node.controller_port} is taken by another process")
        node_dir = node_directory(directory, node.node_id, count)
        node_dir.mkdir(parents=True, exist_ok=True)
        data_dir = node_dir / "data"
        properties = node_dir / "server.properties"
        rendered = render_properties(node.node_id, ports, data_dir)
        if files is not None:
            rendered = broker_security.apply_secure(rendered, files, node.port, node.controller_port)
        properties.write_text(rendered)
        if files is not None:
            os.chmod(properties, 0o600)  # it holds the store and super-user passwords
        if not (data_dir / "meta.properties").exists():
            to_format.append(properties)
    _format_storage(classpath, state.cluster_id, to_format, broker_security.format_arguments(files) if files else [])
    # One node may take more memory; three share the machine with the workers.
    heap = ["-Xms256m", "-Xmx768m"] if count == 1 and not lean else ["-Xms128m", "-Xmx384m"]
    jvm = FAST_START_JVM if lean else ["-XX:+UseG1GC"]
    for node in nodes:
        node_dir = node_directory(directory, node.node_id, count)
        java = [
            "java", *heap, *jvm, "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={node_dir}", "-cp", classpath, "kafka.Kafka", str(node_dir / "server.properties"),
        ]
        with open(node.log, "ab") as log:
            # Detached, in its own session and with no inherited output, so it never holds a
            # caller's (CI's) stdout open and survives the shell that started it.
            process = subprocess.Popen(java, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        node.pid = process.pid
    write_state(directory, state)


def _wait_ready(directory: Path, state: BrokerState, started: list[NodeState], timeout: float, *, stop_on_failure: bool) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in started:
            if not alive(node.pid):
                which = "the broker" if len(state.nodes) == 1 else f"node {node.node_id}"
                raise BrokerError(f"{which} exited during start-up; see {node.log}")
        if _ready(directory, state):
            return
        time.sleep(0.5)
    if stop_on_failure:
        stop(directory)
    logs = ", ".join(node.log for node in started) or state.log
    raise BrokerError(f"the broker did not answer within {timeout:.0f}s; see {logs}")


def _format_storage(classpath: str, cluster_id: str, properties: list[Path], extra: list[str]) -> None:
    """Format every node's storage with the one cluster id (static voters: no --standalone);
    `extra`: more StorageTool arguments (the secure broker's first SCRAM credential)."""
    commands = [
        ["java", *FAST_START_JVM, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(p), *extra] for p in properties
    ]
    running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    failures = []
    for process in running:
        out, err = process.communicate()
        if process.returncode != 0:
            failures.append((err or out).strip()[:300])
    if failures:
        raise BrokerError(f"formatting the broker storage failed: {failures[0]}")


def _terminate(pids: list[int], sig: int, timeout: float) -> None:
    """Send `sig` to every pid, wait for all to exit, SIGKILL those still running at the timeout."""
    def send(pid: int, sig: int) -> None:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    for pid in pids:
        send(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    for pid in pids:
        if alive(pid):
            send(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)


def stop(directory: Path = DEFAULT_DIR, timeout: float = 30.0) -> bool:
    """Stop every node of the broker started in `directory`; True if one was running."""
    directory = directory.resolve()
    state = read_state(directory)
    running = [node.pid for node in state.nodes if alive(node.pid)] if state else []
    if not running:
        return False
    # All at once: stopped one by one, the last nodes would wait for a quorum already gone.
    _terminate(running, signal.SIGTERM, timeout)
    return True


def stop_node(directory: Path, node_id: int, sig: int = signal.SIGKILL, timeout: float = 30.0) -> bool:
    """Stop one node (SIGKILL by default: a crash); True if it was running. Its ports and data
    stay recorded, so `start_node` brings it back as it was."""
    state = read_state(directory.resolve())
    if state is None:
        raise BrokerError(f"no broker was started in {directory}")
    node = state.node(node_id)
    if not alive(node.pid):
        return False
    _terminate([node.pid], sig, timeout)
    return True


def status(directory: Path = DEFAULT_DIR) -> str:
    directory = directory.resolve()
    state = read_state(directory)
    if state is None:
        return f"stopped (no broker started in {directory})"
    if len(state.nodes) == 1:
        return _node_status(directory, state, state.nodes[0])
    lines = [f"{len(state.nodes)}-node cluster, bootstrap {state.bootstrap}"]
    lines += [f"node {node.node_id}: {_node_status(directory, state, node)}" for node in state.nodes]
    return "\n".join(lines)


def _node_status(directory: Path, state: BrokerState, node: NodeState) -> str:
    count = len(state.nodes)
    if not alive(node.pid):
        return f"stopped (pid {node.pid} has exited; log {node.log})"
    ready = "answering" if answers_admin(node.address, 1, admin_options(directory, state)) else "not answering"
    where = f"bootstrap={node.address}" if count == 1 else f"port={node.port} controller_port={node.controller_port}"
    if state.secure:
        where += " secure (SASL_SSL)"
    return f"running pid={node.pid} {where} ({ready}); log {node.log}"

