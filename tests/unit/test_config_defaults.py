"""Settings a new user relies on without setting them (hub/config.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hub.config import Settings

pytestmark = pytest.mark.unit


def test_the_app_id_follows_the_topic_prefix_unless_set():
    """Two hubs on one cluster under different prefixes must not share a group and changelogs."""
    assert Settings.from_env({}).app_id == "hub"
    assert Settings.from_env({"HUB_TOPIC_PREFIX": "acme.hub."}).app_id == "acme.hub"
    assert Settings.from_env({"HUB_TOPIC_PREFIX": "acme.hub.", "HUB_APP_ID": "mine"}).app_id == "mine"


def test_commands_find_the_broker_that_hub_broker_start_left_running(tmp_path):
    # A live process stands in for the broker: only its pid and ports are read.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        state = {"cluster_id": "x", "nodes": [{"node_id": 1, "pid": sleeper.pid, "port": 41234, "controller_port": 41235,
                                              "log": str(tmp_path / "broker.log")}]}
        (tmp_path / "broker.json").write_text(json.dumps(state))
        assert Settings.from_env({"HUB_BROKER_DIR": str(tmp_path)}).kafka_bootstrap == "127.0.0.1:41234"
        explicit = {"HUB_BROKER_DIR": str(tmp_path), "HUB_KAFKA_BOOTSTRAP": "10.0.0.1:9092"}
        assert Settings.from_env(explicit).kafka_bootstrap == "10.0.0.1:9092"
    finally:
        sleeper.kill()
        sleeper.wait()
    assert Settings.from_env({"HUB_BROKER_DIR": str(tmp_path)}).kafka_bootstrap == "127.0.0.1:9092"


def test_no_recorded_broker_means_the_default_address(tmp_path):
    assert Settings.from_env({"HUB_BROKER_DIR": os.fspath(tmp_path / "none")}).kafka_bootstrap == "127.0.0.1:9092"


def test_tables_live_on_disk_unless_memory_is_asked_for():
    """`hub worker` and `make run` keep tables in RocksDB under HUB_DATA_DIR; memory:// is a choice."""
    assert Settings.from_env({}).store == "rocksdb://"
    assert Settings.from_env({"HUB_STORE": "memory://"}).store == "memory://"
    assert Settings.from_env({"HUB_DATA_DIR": "/var/hub/w1"}).data_dir == "/var/hub/w1"
    with pytest.raises(ValueError, match="HUB_STORE"):
        Settings.from_env({"HUB_STORE": "rocksdb"})


def test_agents_linger_20_ms_for_a_batch_unless_told_otherwise():
    from hub.config import ConfigError

    assert Settings.from_env({}).batch_linger == 0.02
    assert Settings.from_env({"HUB_BATCH_LINGER_MS": "0"}).batch_linger == 0
    with pytest.raises(ConfigError, match="HUB_BATCH_LINGER_MS=-5 must not be negative"):
        Settings.from_env({"HUB_BATCH_LINGER_MS": "-5"})


def test_one_parse_helper_unless_told_otherwise():
    from hub.config import ConfigError

    assert Settings.from_env({}).parse_processes == 1
    assert Settings.from_env({"HUB_PARSE_PROCESSES": "0"}).parse_processes == 0
    with pytest.raises(ConfigError, match="HUB_PARSE_PROCESSES=-1 must be at least 0"):
        Settings.from_env({"HUB_PARSE_PROCESSES": "-1"})
    with pytest.raises(ConfigError, match="HUB_PARSE_PROCESSES='two' is not an integer"):
        Settings.from_env({"HUB_PARSE_PROCESSES": "two"})


def test_two_timeline_helpers_unless_told_otherwise():
    from hub.config import ConfigError

    assert Settings.from_env({}).timeline_processes == 2
    assert Settings.from_env({"HUB_TIMELINE_PROCESSES": "0"}).timeline_processes == 0
    assert Settings.from_env({}).timeline_cache == 1024
    assert Settings.from_env({"HUB_TIMELINE_CACHE": "0"}).timeline_cache == 0
    with pytest.raises(ConfigError, match="HUB_TIMELINE_CACHE=-1 must be at least 0"):
        Settings.from_env({"HUB_TIMELINE_CACHE": "-1"})
    with pytest.raises(ConfigError, match="HUB_TIMELINE_PROCESSES=-1 must be at least 0"):
        Settings.from_env({"HUB_TIMELINE_PROCESSES": "-1"})


def test_the_producer_compresses_nothing_unless_told_and_takes_kafkas_codecs():
    from hub.config import ConfigError

    assert Settings.from_env({}).compression == "none"
    assert Settings.from_env({"HUB_COMPRESSION": "lz4"}).compression == "lz4"
    with pytest.raises(ConfigError, match="HUB_COMPRESSION='brotli' must be one of lz4, zstd, gzip, snappy, none"):
        Settings.from_env({"HUB_COMPRESSION": "brotli"})


def test_the_broker_holds_a_fetch_20_ms_for_1_mib_unless_told():
    from hub.config import ConfigError

    assert Settings.from_env({}).fetch_wait_ms == 20
    assert Settings.from_env({}).fetch_min_bytes == 1_048_576
    assert Settings.from_env({"HUB_FETCH_WAIT_MS": "50", "HUB_FETCH_MIN_BYTES": "1"}).fetch_wait_ms == 50
    # The broker takes whole milliseconds, and a wait of 0 would hold no fetch: no batch.
    with pytest.raises(ConfigError, match="HUB_FETCH_WAIT_MS=0 must be at least 1"):
        Settings.from_env({"HUB_FETCH_WAIT_MS": "0"})
    with pytest.raises(ConfigError, match="HUB_FETCH_WAIT_MS='0.4' is not an integer"):
        Settings.from_env({"HUB_FETCH_WAIT_MS": "0.4"})
    with pytest.raises(ConfigError, match="HUB_FETCH_MIN_BYTES=0 must be at least 1"):
        Settings.from_env({"HUB_FETCH_MIN_BYTES": "0"})
