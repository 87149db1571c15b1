"""A poller end to end on a worker: the worker's timelines say which Boxberry parcels still move,
`hub poll boxberry` asks a stand-in about exactly those, and the answers reach their timelines."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from hub.cli._shared import fetch_shipment, latest_by_key, publish
from hub.config import Settings
from hub.pollers.clock import WallClock
from hub.pollers.standins.boxberry import BoxberryStandIn
from hub.topics import TIMELINES, partner_topic
from schemas.deadletter import SUBJECT_HEADER

ROOT = Path(__file__).resolve().parents[2]
MOVING, FINAL = "AAP298792807", "DUD15086277"
NAMES = ["Загружен реестр ИМ", "Принято к доставке", "Передано на сортировку", "Отправлено в город назначения",
         "Поступило в пункт выдачи", "Выдано"]


def statuses(count: int, day: int) -> list[dict]:
    return [{"Date": f"2026-02-{day:02d} 1{i}:00:00", "Name": name} for i, name in enumerate(NAMES[:count])]


def body(statuses: list[dict]) -> bytes:
    return json.dumps(statuses, ensure_ascii=False).encode()


def wait_for(what: str, check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def timeline_of(settings: Settings, track: str) -> dict | None:
    _, answer = fetch_shipment(settings.web_url, f"boxberry:{track}")
    return answer.get("timeline") if answer.get("found") else None


async def poll_once(env: dict[str, str], tmp_path: Path, answers: dict[str, list[dict] | bytes]) -> BoxberryStandIn:
    """A stand-in serving `answers`, and one pass of `hub poll boxberry` against it."""
    standin = BoxberryStandIn(WallClock(), answers, token="token")
    await standin.start()
    try:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(f'[pollers.boxberry]\nurl = "{standin.endpoint}"\ntoken = "token"\n')
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hub.cli", "poll", "boxberry", "--once", env={**env, "HUB_GATEWAY_SECRETS": str(secrets)},
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, output.decode()
    finally:
        await standin.stop()
    return standin


def test_polled_answers_reach_the_timelines_and_final_parcels_are_never_asked(hub_env, hub_settings, start_worker, caught_up,
                                                                               tmp_path):
    worker = start_worker()
    settings = Settings.from_env({**hub_env, "HUB_WEB_URL": worker.url})
    # What the hub knew before polling: one parcel on its way, one delivered.
    asyncio.run(publish(settings.kafka_bootstrap, partner_topic(settings, "boxberry"), [
        (None, body(statuses(2, 3)), [(SUBJECT_HEADER, f"boxberry:{MOVING}".encode())]),
        (None, body(statuses(6, 4)), [(SUBJECT_HEADER, f"boxberry:{FINAL}".encode())]),
    ]))
    caught_up(60)
    moving = wait_for("the moving parcel's timeline", lambda: timeline_of(settings, MOVING))
    assert wait_for("the final parcel's timeline", lambda: timeline_of(settings, FINAL))["status"] == "delivered"
    assert moving["status"] != "delivered" and len(moving["events"]) == 2
    # The poller reads hub.timelines, not the worker: both parcels must be there first.
    wait_for("both timelines on hub.timelines", lambda: {f"boxberry:{MOVING}", f"boxberry:{FINAL}"} <= {
        i for t in latest_by_key(settings, TIMELINES.name(settings)).values() for i in t.get("identifiers", [])})

    standin = asyncio.run(poll_once(hub_env, tmp_path, {MOVING: statuses(6, 3), FINAL: statuses(6, 4)}))

    assert [track for _, _, track in standin.recorded.requests] == [MOVING]  # the delivered parcel is never asked
    assert standin.recorded.violations == []
    caught_up(60)
    polled = wait_for("the polled events on the timeline",
                      lambda: (t := timeline_of(settings, MOVING)) and len(t["events"]) == 6 and t)
    assert polled["status"] == "delivered"
    assert [e["raw_code"] for e in polled["events"]][-1] == "Выдано"
    assert polled["shipment_id"] == moving["shipment_id"]
