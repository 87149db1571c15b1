"""Every command's error paths, as a user meets them: `hub ...` run as a process with no broker
and no worker listening, each saying what is wrong in exactly one line on stderr (nothing else:
no traceback, no library log line) and exiting non-zero: 2 for bad arguments, 1 for the rest."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).resolve().parents[1] / "adapters" / "cdek" / "cases"


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A port nothing listens on: bound for a moment and released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def env(closed_port: int, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin", "HUB_KAFKA_BOOTSTRAP": f"127.0.0.1:{closed_port}", "HUB_WEB_URL": f"http://127.0.0.1:{closed_port}",
        "HUB_BROKER_DIR": str(tmp_path_factory.mktemp("no-broker")), "HUB_TOPIC_PREFIX": "t.",
    }


def hub(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "hub.cli", *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


def not_json(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_bytes(b"<html>")
    return path


CASES = [
    # hub normalize
    (("normalize", "--partner", "nobody", "x.json"), 2,
     "hub normalize: unknown partner 'nobody'; known: aliexpress, boxberry, cainiao, cdek, ozon, pvz_network, russian_post, spsr, "
     "wh_guangzhou, wh_moscow, wildberries"),
    (("normalize", "--partner", "cdek", "/nonexistent.json"), 2, "hub normalize: no such file: /nonexistent.json"),
    (("normalize", "--partner", "cdek", "--received-at", "yesterday", "{html}"), 2, "hub normalize: --received-at 'yesterday' is not an ISO time"),
    (("normalize", "--partner", "cdek", "--received-at", "2026-01-01T10:00:00", "{html}"), 2,
     "hub normalize: --received-at needs an offset, e.g. 2026-03-01T00:00:00+03:00"),
    (("normalize", "--partner", "cdek", "{html}"), 1, "hub normalize: {html}: not_json: Expecting value: line 1 column 1 (char 0)"),
    (("normalize", "--partner", "cdek"), 2, "hub normalize: the following arguments are required: file"),
    # hub settlements and explain
    (("settlements",), 2, "hub settlements: give --period YYYYQn, or explain ENTRY_ID"),
    (("settlements", "--period", "2026Q5"), 2, "hub settlements: '2026Q5' is not a quarter like 2026Q3"),
    (("settlements", "--period", "2026Q1"), 1, "hub settlements: cannot read t.statements: no broker answers at {bootstrap}"),
    (("settlements", "explain"), 2, "hub settlements: explain needs an ENTRY_ID"),
    (("settlements", "explain", "ent_0"), 1, "hub settlements: cannot read t.settlements: no broker answers at {bootstrap}"),
    (("settlements", "ent_0"), 2, "hub settlements: argument explain: invalid choice: 'ent_0' (choose from 'explain')"),
    # hub close-period
    (("close-period", "26Q1"), 2, "hub close-period: '26Q1' is not a quarter like 2026Q3"),
    (("close-period", "2026Q1", "--cutoff", "soon"), 2, "hub close-period: --cutoff 'soon' is not an ISO time"),
    (("close-period", "2026Q1", "--cutoff", "2099-01-01T00:00:00"), 2, "hub close-period: --cutoff needs an offset, e.g. 2026-03-01T00:00:00+03:00"),
    (("close-period", "2026Q1", "--cutoff", "2020-01-01T00:00:00+00:00"), 2,
     "hub close-period: --cutoff may not be earlier than now: a close never rewrites the past"),
    (("close-period", "2026Q1"), 1, "hub close-period: cannot publish to t.control: no broker answers at {bootstrap}"),
    # hub timeline with no worker
    (("timeline", "shp_0000000000000000"), 1, "hub timeline: no worker answers at {web} ([Errno 111] Connection refused)"),
    # hub deadletters replay --dry-run
    (("deadletters", "replay", "--dry-run"), 2, "hub deadletters: replay needs --since T (an ISO time with offset, or an age such as 2h)"),
    (("deadletters", "replay", "--dry-run", "--since", "yesterday"), 2,
     "hub deadletters: --since 'yesterday' is neither an ISO time nor an age such as 30m, 2h, 1d"),
    (("deadletters", "replay", "--dry-run", "--since", "2026-03-01T09:00:00"), 2,
     "hub deadletters: --since needs an offset, e.g. 2026-03-01T09:00:00+03:00"),
    (("deadletters", "replay", "--dry-run", "--since", "2h", "--json"), 2, "hub deadletters: --show-payload and --json go with list"),
    (("deadletters", "--dry-run"), 2, "hub deadletters: --dry-run goes with replay"),
    (("deadletters", "replay", "--dry-run", "--since", "2h"), 1, "hub deadletters: cannot read t.deadletter: no broker answers at {bootstrap}"),
    (("deadletters", "replay", "--reason", "no_such_reason", "--since", "2h"), 2,
     "hub deadletters: argument --reason: invalid choice: 'no_such_reason' (choose from " + ", ".join(
         f"'{r}'" for r in ("not_json", "not_xml", "unsafe_xml", "bad_encoding", "too_large", "too_deep", "schema_mismatch", "bad_value",
                            "unknown_format", "missing_subject", "partner_mismatch", "no_contract", "fx_missing", "internal_error")) + ")"),
]


@pytest.mark.parametrize(("args", "code", "line"), CASES, ids=[" ".join(args) for args, _, _ in CASES])
def test_a_command_error_is_one_line_and_a_non_zero_exit(env, tmp_path, args, code, line):
    page = str(not_json(tmp_path))
    args = tuple(a.replace("{html}", page) for a in args)
    expected = line.format(bootstrap=env["HUB_KAFKA_BOOTSTRAP"], web=env["HUB_WEB_URL"], html=page)
    returned, stdout, stderr = hub(env, *args)
    assert (returned, stderr) == (code, expected + "\n")
    assert stdout == ""
