"""Pollers on the real broker: non-final parcels asked, final never, answers raw on the partner topic,
and a Russian Post poller killed between `getTicket` and the answer resumes with the same ticket."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from hub.cli._shared import publish
from hub.config import Settings
from hub.kafka.topic_reader import read_records
from hub.pollers.clock import FileClock
from hub.pollers.limits import MINUTE
from hub.pollers.standins.boxberry import BoxberryStandIn
from hub.pollers.standins.russian_post import RussianPostStandIn
from hub.topics import POLLER_STATE, TIMELINES, partner_topic
from schemas.enums import Status
from tests.support.pollers import timeline

ROOT = Path(__file__).resolve().parents[2]


async def put_timelines(settings: Settings, timelines) -> None:
    await publish(settings.kafka_bootstrap, TIMELINES.name(settings),
                  [(t.shipment_id.encode(), t.model_dump_json().encode(), []) for t in timelines])


def secrets_file(tmp_path: Path, partner: str, url: str, **keys: str) -> Path:
    path = tmp_path / "secrets.toml"
    body = "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    path.write_text(f'[pollers.{partner}]\nurl = "{url}"\n{body}')
    return path


async def poll_process(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, *args, env=env, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def test_hub_poll_asks_non_final_parcels_and_publishes_answers_raw(hub_env, hub_settings, tmp_path) -> None:
    from hub.pollers.clock import WallClock

    statuses = {"AAP298792807": [{"Date": "2024-02-07 13:38:13", "Name": "Загружен реестр ИМ"}]}
    standin = BoxberryStandIn(WallClock(), statuses)
    await standin.start()
    try:
        await put_timelines(hub_settings, [timeline("a", ["boxberry:AAP298792807"]), timeline("b", ["boxberry:DUD15086277"]),
                                           timeline("c", ["boxberry:AAP127020243"], Status.DELIVERED)])
        env = {**hub_env, "HUB_GATEWAY_SECRETS": str(secrets_file(tmp_path, "boxberry", standin.endpoint, token="token"))}
        process = await poll_process(env, "-m", "hub.cli", "poll", "boxberry", "--once")
        output, _ = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, output.decode()
        assert b"token" not in output.replace(b"tokens", b"")  # the token travels in the URL: never logged
    finally:
        await standin.stop()
    assert sorted(track for _, _, track in standin.recorded.requests) == ["AAP298792807", "DUD15086277"]
    records = await read_records(hub_settings.kafka_bootstrap, partner_topic(hub_settings, "boxberry"))
    by_subject = {r.header("hub-subject"): r.value for r in records}
    assert by_subject["boxberry:AAP298792807"] == standin_body(statuses["AAP298792807"])
    assert set(by_subject) == {"boxberry:AAP298792807", "boxberry:DUD15086277"}
    state = await read_records(hub_settings.kafka_bootstrap, POLLER_STATE.name(hub_settings))
    assert {r.key.decode() for r in state} == {"boxberry|parcel|boxberry:AAP298792807", "boxberry|parcel|boxberry:DUD15086277"}


def standin_body(statuses: list[dict]) -> bytes:
    import json

    return json.dumps(statuses, ensure_ascii=False).encode()


async def test_a_russian_post_poller_killed_after_get_ticket_resumes_with_the_same_ticket(hub_env, hub_settings, tmp_path) -> None:
    clock = FileClock(tmp_path / "clock")
    clock.set(1_767_225_600.0)
    operations = {"RA644000001RU": [("8", "2", "Обработка", "14.09.2025 03:25:00", "125362")]}
    standin = RussianPostStandIn(clock, operations)
    await standin.start()
    env = {**hub_env, "HUB_POLL_EVERY": "60", "HUB_LOG_FORMAT": "json",
           "HUB_GATEWAY_SECRETS": str(secrets_file(tmp_path, "russian_post", standin.endpoint, login="login", password="password"))}
    try:
        await put_timelines(hub_settings, [timeline("a", ["s10:RA644000001RU"]),
                                           timeline("b", ["s10:RA644000015RU"], Status.DELIVERED)])
        first = await poll_process(env, "-m", "tests.support.poller_process", "russian_post", str(clock.path))
        tickets = await wait_for_ticket(hub_settings)
        first.kill()  # SIGKILL, between getTicket and the answer
        await first.wait()
        assert [m for _, m, _ in standin.recorded.requests] == ["getTicket"]
        clock.advance(15 * MINUTE)
        second = await poll_process(env, "-m", "tests.support.poller_process", "russian_post", str(clock.path))
        try:
            records = await wait_for_answer(hub_settings)
        finally:
            second.kill()
            await second.wait()
    finally:
        await standin.stop()
    methods = [(m, what) for _, m, what in standin.recorded.requests]
    assert methods[0] == ("getTicket", "RA644000001RU")
    assert [m for m, _ in methods].count("getTicket") == 1
    assert ("getResponseByTicket", tickets[0]) in methods
    assert standin.recorded.violations == []
    assert b"RA644000001RU" in records[0].value and records[0].header("hub-partner") == "russian_post"


async def wait_for_ticket(settings: Settings, timeout: float = 60) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            state = await read_records(settings.kafka_bootstrap, POLLER_STATE.name(settings))
        except LookupError:
            state = []
        found = [r.key.decode().rpartition("|")[2] for r in state if b"|ticket|" in (r.key or b"") and r.value]
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError("no ticket remembered in time")


async def wait_for_answer(settings: Settings, timeout: float = 60) -> list:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        records = await read_records(settings.kafka_bootstrap, partner_topic(settings, "russian_post"))
        if records:
            return records
        await asyncio.sleep(0.5)
    raise AssertionError("no answer published in time")
