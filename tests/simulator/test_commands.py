"""`hub simulate --out` and `hub publish --dir/--until`, without a broker (issue 6)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hub.cli import main
from simulator.output import read_manifest
from simulator.replay import entries_until, load_records

pytestmark = pytest.mark.unit


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "sim"
    assert main(["simulate", "--shipments", "12", "--seed", "3", "--out", str(out)]) == 0
    return out


def test_simulate_out_writes_payloads_manifest_and_ground_truth(folder: Path) -> None:
    entries = read_manifest(folder)
    assert [e.seq for e in entries] == list(range(len(entries)))
    assert all((folder / e.file).is_file() and e.file.startswith(f"{e.partner}/") for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    truth = folder / "ground_truth"
    shipments = [json.loads(line) for line in (truth / "shipments.jsonl").read_text().splitlines()]
    assert len(shipments) == 12
    partners = [json.loads(line) for line in (truth / "partners.jsonl").read_text().splitlines()]
    assert sum(p["messages"] for p in partners) == len(entries)
    run = json.loads((truth / "run.json").read_text())
    assert run["seed"] == 3 and run["messages"] == len(entries)
    subjects = {e.subject.split(":")[0] for e in entries if e.subject}
    assert subjects <= {"aliexpress_order", "boxberry", "rp", "s10", "cainiao"}


def test_replay_takes_the_manifest_order_up_to_a_simulated_time(folder: Path) -> None:
    entries = read_manifest(folder)
    middle = entries[len(entries) // 2].at
    chosen = entries_until(folder, middle)
    assert chosen == [e for e in entries if e.at <= middle] and 0 < len(chosen) < len(entries)
    assert entries_until(folder, None) == entries
    records = load_records(folder, chosen)
    assert [r.partner for r in records] == [e.partner for e in chosen]
    assert records[0].payload == (folder / chosen[0].file).read_bytes()
    assert entries_until(folder, datetime(2000, 1, 1, tzinfo=timezone.utc)) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["publish"], "give either FILE... with --partner, or --dir DIR"),
        (["publish", "--partner", "cdek", "--until", "2026-02-01T00:00:00+03:00", "x.json"],
         "--until and --rate go with --dir"),
        (["publish", "--dir", "{folder}", "--until", "2026-02-01T00:00:00"], "--until needs an offset"),
        (["publish", "--dir", "{folder}", "--until", "soon"], "is not an ISO time"),
        (["publish", "--dir", "{folder}", "--partner", "cdek"], "come from the manifest"),
        (["publish", "--dir", "{folder}/nowhere"], "no such directory"),
        (["simulate", "--shipments", "0"], "--shipments must be at least 1"),
        (["simulate", "--shipments", "3", "--malformed", "2"], "--malformed must be a rate between 0 and 1"),
        (["simulate", "--shipments", "3", "--out", "{folder}"], "is not an empty directory"),
    ],
)
def test_bad_arguments_get_one_line_and_a_non_zero_exit(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    capsys.readouterr()
    code = main([a.replace("{folder}", str(folder)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
