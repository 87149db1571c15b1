"""The demo's polled partner: Boxberry asked by `hub poll boxberry`, answered by a local stand-in.

Boxberry never pushes: its statuses are asked for, one parcel a request. Instead of publishing
its simulated messages, the demo starts a stand-in of its API (not Boxberry) that answers each
parcel with what the simulator generated for it, and a `hub poll boxberry` process that asks
about the non-final parcels it finds on `hub.timelines` (docs/pollers.md#in-the-demo).
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hub.cli._shared import start_hub_process, stop_process_group

if TYPE_CHECKING:
    from simulator.model import Message

POLLED_PARTNER = "boxberry"


@dataclass(frozen=True)
class PolledTraffic:
    """The simulation split around the poll: what is published before it, the stand-in's answers, what comes after."""

    before: list[Message]
    answers: dict[str, bytes]  # track → the simulator's last whole status list for that parcel
    after: list[Message]  # the other partners' messages about those parcels, later than the parcel's last step


def split_for_polling(messages: Iterable[Message], partner: str = POLLED_PARTNER) -> PolledTraffic:
    """The polled partner's messages become the stand-in's answers, one per parcel: the readable one
    that knows the most steps (a partner's status list grows; duplicates and broken copies are
    left out). The demo's poller asks each parcel once (Boxberry allows one ask an hour), so it
    asks when the parcel's last step is known: what the other partners tell of that parcel later
    (Ozon's own "delivered", which would make the shipment final and never asked) waits until then."""
    messages = list(messages)
    best: dict[str, Message] = {}
    for message in messages:
        if message.partner != partner or message.subject is None or message.expected.outcome == "dead_lettered":
            continue
        track = message.subject.partition(":")[2]
        if track not in best or (len(message.steps), message.at) > (len(best[track].steps), best[track].at):
            best[track] = message
    last_step: dict[str, datetime] = {}
    for message in best.values():
        moment = max(s.at for s in message.steps)
        for shipment in message.shipments:
            last_step[shipment] = max(moment, last_step.get(shipment, moment))
    before, after = [], []
    for message in messages:
        if message.partner == partner:
            continue
        later = any(s in last_step and message.at > last_step[s] for s in message.shipments)
        (after if later else before).append(message)
    return PolledTraffic(before, {track: m.payload for track, m in sorted(best.items())}, after)


def pollers_table(standin_url: str, token: str) -> str:
    """The `[pollers.boxberry]` table of the demo's secrets file (the gateway's file: one file for both)."""
    return f'\n[pollers.{POLLED_PARTNER}]\nurl = "{standin_url}/json.php"  # the stand-in, not Boxberry\ntoken = "{token}"\n'


@dataclass
class DemoPoller:
    standin: subprocess.Popen
    poller: subprocess.Popen
    standin_url: str
    metrics_url: str
    standin_log: Path
    poller_log: Path
    parcels: list[str] = field(default_factory=list)

    def recorded(self) -> dict:
        """What the stand-in recorded: requests, the parcels asked, requests its rules forbid."""
        import json

        try:
            with urllib.request.urlopen(f"{self.standin_url}/standin/recorded", timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            return {"requests": 0, "parcels_asked": [], "violations": []}

    def poller_counts(self) -> dict[str, int]:
        """From the poller's /metrics: answers published, and requests by outcome."""
        try:
            with urllib.request.urlopen(f"{self.metrics_url}/metrics", timeout=5) as response:
                text = response.read().decode()
        except OSError:
            return {}
        counts = {"published": 0}
        for name, labels, value in re.findall(r"^(hub_poll_\w+_total)\{([^}]*)\} (\S+)$", text, re.M):
            if f'partner="{POLLED_PARTNER}"' not in labels:
                continue
            if name == "hub_poll_answers_published_total":
                counts["published"] += int(float(value))
            elif outcome := re.search(r'outcome="([^"]+)"', labels):
                counts[outcome.group(1)] = counts.get(outcome.group(1), 0) + int(float(value))
        return counts

    def wait_until_answered(self, timeout: float) -> bool:
        """True once every parcel was asked about and as many answers were published."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.standin.poll() is not None or self.poller.poll() is not None:
                return False
            asked = set(self.recorded()["parcels_asked"])
            if asked >= set(self.parcels) and self.poller_counts().get("published", 0) >= len(self.parcels):
                return True
            time.sleep(0.5)
        return False

    def stop(self) -> None:
        stop_process_group(self.poller)
        stop_process_group(self.standin)


def standin_address() -> tuple[str, str]:
    """A free local URL for the stand-in and a fresh token for it."""
    from hub.kafka.broker_files import free_port

    return f"http://127.0.0.1:{free_port()}", secrets.token_urlsafe(18)


def start_polling(env: dict[str, str], directory: Path, answers: dict[str, bytes], standin_url: str, token: str) -> DemoPoller:
    """The stand-in (answers under `directory`) and `hub poll boxberry`, whose credentials the
    secrets file already holds (`pollers_table`), each its own process with its own log."""
    from hub.kafka.broker_files import free_port

    folder = directory / "boxberry-standin"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for track, body in answers.items():
        (folder / f"{track}.json").write_bytes(body)
    standin_log = directory / "boxberry-standin.log"
    with open(standin_log, "ab") as log:
        standin = subprocess.Popen(
            [sys.executable, "-m", "hub.pollers.standins", POLLED_PARTNER, "--answers", str(folder),
             "--port", standin_url.rpartition(":")[2]],
            env={**env, "HUB_STANDIN_TOKEN": token}, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    metrics_port = free_port()
    poller_env = {**env, "HUB_GATEWAY_SECRETS": str(directory / "gateway-secrets.toml"), "HUB_POLL_EVERY": "1",
                  "HUB_POLL_METRICS_PORT": str(metrics_port), "HUB_WEB_HOST": "127.0.0.1"}
    poller_log = directory / "poller.log"
    poller = start_hub_process("poll", poller_env, poller_log, args=[POLLED_PARTNER])
    return DemoPoller(standin, poller, standin_url, f"http://127.0.0.1:{metrics_port}", standin_log, poller_log,
                      sorted(answers))


def describe_poll(poller: DemoPoller, later: int) -> list[str]:
    """The demo's lines about the polled partner."""
    recorded, counts = poller.recorded(), poller.poller_counts()
    asked = recorded["parcels_asked"]
    refused = len(recorded["violations"]) + counts.get("rate_limited", 0)
    outcomes = ", ".join(f"{o} {n}" for o, n in sorted(counts.items()) if o != "published") or "none"
    return [
        f"  parcels asked: {len(asked)} of {len(poller.parcels)} ({', '.join(asked) or 'none'}) in {recorded['requests']} "
        f"requests (hub_poll_requests_total: {outcomes})",
        f"  answers published raw to {POLLED_PARTNER}'s topic: {counts.get('published', 0)} (hub_poll_answers_published_total)",
        f"  requests refused by limits: {refused} (the stand-in's hourly rule broken {len(recorded['violations'])} times, "
        f"429 answers {counts.get('rate_limited', 0)})",
        f"  then {later} later messages of other partners about these parcels (Ozon's \"delivered\" among them)",
    ]
