"""`hub deadletters`: list the hub's dead letters, and replay them to their source topics after a fix.

A letter's value and key are the original bytes; its `hub-dlq-*` headers say why and where
from. Payloads may hold personal data, so they are printed only with `--show-payload`.
`replay` sends each letter's original key and bytes back to its source partner topic with a
`hub-replayed-from: <dead-letter topic>:<partition>:<offset>` header and the original
record's `hub-subject` header, so the fixed hub reads it again as the partner sent it.
Replaying twice sends twice; that is harmless, as event ids are deterministic and the
timelines drop events they already hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hub.cli._shared import broker_problem, fail, settings_or_none
from hub.config import Settings, kafka_client_options
from hub.kafka.topic_reader import TopicRecord
from schemas.deadletter import REPLAYED_FROM_HEADER, SUBJECT_HEADER, DeadLetterHeader, DeadLetterReason

DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Letter:
    record: TopicRecord

    @property
    def reason(self) -> str:
        return self.record.header(DeadLetterHeader.REASON) or "?"

    @property
    def partner(self) -> str:
        return self.record.header(DeadLetterHeader.PARTNER) or "?"

    @property
    def stage(self) -> str:
        return self.record.header(DeadLetterHeader.STAGE) or "?"

    @property
    def source_topic(self) -> str | None:
        return self.record.header(DeadLetterHeader.SOURCE_TOPIC)

    @property
    def source_partition(self) -> int | None:
        return _int_or_none(self.record.header(DeadLetterHeader.SOURCE_PARTITION))

    @property
    def source_offset(self) -> int | None:
        return _int_or_none(self.record.header(DeadLetterHeader.SOURCE_OFFSET))

    @property
    def address(self) -> str:
        """Where the letter lives: `<dead-letter topic>:<partition>:<offset>`, the replayed-from value."""
        return f"{self.record.topic}:{self.record.partition}:{self.record.offset}"

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.record.timestamp_ms / 1000, tz=timezone.utc)

    def as_json(self, with_payload: bool) -> dict:
        data = {
            "deadletter": self.address, "at": self.at.isoformat(timespec="milliseconds"), "partner": self.partner,
            "reason": self.reason, "stage": self.stage,
            "error_type": self.record.header(DeadLetterHeader.ERROR_TYPE),
            "source_topic": self.source_topic, "source_partition": self.source_partition, "source_offset": self.source_offset,
            "adapter_version": self.record.header(DeadLetterHeader.ADAPTER_VERSION),
            "size": len(self.record.value or b""),
        }
        if with_payload:
            data["key"] = _text(self.record.key)
            data["payload"] = _text(self.record.value)
        return data


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deadletters", help="list dead letters (reason, source, partner); `replay --since T` sends them back after a fix",
        description="List the hub's dead letters, or replay them to their source topics after a fix.",
    )
    parser.add_argument("action", nargs="?", choices=["list", "replay"], default="list",
                        help="list (default) or replay")
    parser.add_argument("--partner", default=None, help="only this partner's letters")
    parser.add_argument("--reason", default=None, choices=[r.value for r in DeadLetterReason], metavar="REASON",
                        help="only letters with this reason (not_json, bad_encoding, missing_subject, ...)")
    parser.add_argument("--since", default=None,
                        help="only letters dead-lettered at or after T: ISO time with offset, or an age such as 30m, 2h, 1d "
                             "(required with replay)")
    parser.add_argument("--show-payload", action="store_true",
                        help="print each letter's key and raw payload (may hold personal data)")
    parser.add_argument("--json", action="store_true", help="one JSON object per letter")
    parser.add_argument("--dry-run", action="store_true", help="with replay: say what would be sent, send nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hub import topics

    if args.action == "replay" and not args.since:
        return fail("deadletters", "replay needs --since T (an ISO time with offset, or an age such as 2h)", 2)
    if args.action == "replay" and (args.show_payload or args.json):
        return fail("deadletters", "--show-payload and --json go with list", 2)
    if args.action == "list" and args.dry_run:
        return fail("deadletters", "--dry-run goes with replay", 2)
    since = None
    if args.since:
        try:
            since = parse_since(args.since, datetime.now(timezone.utc))
        except ValueError as err:
            return fail("deadletters", str(err), 2)
    settings = settings_or_none("deadletters")
    if settings is None:
        return 1
    topic = topics.DEADLETTER.name(settings)
    try:
        letters = asyncio.run(read_letters(settings.kafka_bootstrap, topic, security=kafka_client_options(settings)))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("deadletters", broker_problem(f"cannot read {topic}", settings, err))
    chosen = select(letters, partner=args.partner, reason=args.reason, since=since)
    if args.action == "list":
        print_letters(chosen, len(letters), show_payload=args.show_payload, as_json=args.json)
        return 0
    return replay(settings, chosen, dry_run=args.dry_run)


def parse_since(text: str, now: datetime) -> datetime:
    match = DURATION.match(text.strip())
    if match:
        return now - timedelta(seconds=float(match.group(1)) * UNITS[match.group(2)])
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {text!r} is neither an ISO time nor an age such as 30m, 2h, 1d") from None
    if moment.tzinfo is None:
        raise ValueError("--since needs an offset, e.g. 2026-03-01T09:00:00+03:00")
    return moment


async def read_letters(bootstrap: str, topic: str, *, security: Mapping[str, object] | None = None) -> list[Letter]:
    from hub.kafka.topic_reader import read_records

    return [Letter(r) for r in await read_records(bootstrap, topic, security=security)]


def select(letters: list[Letter], *, partner: str | None, reason: str | None, since: datetime | None) -> list[Letter]:
    chosen = [
        letter for letter in letters
        if (partner is None or letter.partner == partner)
        and (reason is None or letter.reason == reason)
        and (since is None or letter.at >= since)
    ]
    return sorted(chosen, key=lambda letter: (letter.record.timestamp_ms, letter.record.partition, letter.record.offset))


def print_letters(letters: list[Letter], total: int, *, show_payload: bool, as_json: bool) -> None:
    if as_json:
        for letter in letters:
            print(json.dumps(letter.as_json(show_payload), ensure_ascii=False))
        return
    for letter in letters:
        source = f"{letter.source_topic}[{letter.source_partition}]@{letter.source_offset}" if letter.source_topic else "?"
        error = letter.record.header(DeadLetterHeader.ERROR_TYPE)
        print(f"{letter.at.isoformat(timespec='seconds')}  {letter.address:<28}  {letter.partner:<13} {letter.reason:<16} "
              f"{letter.stage:<10} from {source}" + (f"  ({error})" if error else ""))
        if show_payload:
            print(f"    key: {_text(letter.record.key)}")
            for line in (_text(letter.record.value) or "").splitlines() or [""]:
                print(f"    | {line}")
    reasons = Counter(letter.reason for letter in letters)
    summary = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    shown = f"{len(letters)} of {total} dead letters" if len(letters) != total else f"{total} dead letters"
    print(shown + (f": {summary}" if summary else ""))
    if letters and not show_payload:
        print("payloads hidden (they may hold personal data); --show-payload prints them")


def replay(settings: Settings, letters: list[Letter], *, dry_run: bool) -> int:
    from hub.partners import PARTNERS
    from hub.topics import partner_topic

    partner_topics = {partner_topic(settings, p) for p in PARTNERS}
    sendable = [letter for letter in letters if letter.source_topic in partner_topics]
    skipped = Counter(letter.stage for letter in letters if letter.source_topic not in partner_topics)
    if dry_run:
        for letter in sendable:
            print(f"would replay {letter.address} ({letter.partner}, {letter.reason}) to {letter.source_topic}")
    else:
        try:
            asyncio.run(send_back(settings.kafka_bootstrap, sendable, security=kafka_client_options(settings)))
        except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
            return fail("deadletters", broker_problem("cannot replay", settings, err))
        for letter in sendable:
            print(f"replayed {letter.address} ({letter.partner}, {letter.reason}) to {letter.source_topic}")
    verb = "would replay" if dry_run else "replayed"
    print(f"{verb} {len(sendable)} dead letters to their source topics")
    for stage, n in sorted(skipped.items()):
        print(f"skipped {n} letters of stage {stage}: not partner messages (fix the contract or rates; they are not re-sent)")
    return 0


async def send_back(bootstrap: str, letters: list[Letter], *, security: Mapping[str, object] | None = None) -> None:
    """Original key and bytes to the source topic, marked with where the letter was; the subject
    header comes from the original record, which partner topics keep indefinitely."""
    from aiokafka import AIOKafkaProducer

    subjects = await original_subjects(bootstrap, letters, security=security)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **(security or {}))
    await producer.start()
    try:
        for letter in letters:
            headers = [(REPLAYED_FROM_HEADER, letter.address.encode())]
            subject = letter.record.header(SUBJECT_HEADER) or subjects.get(letter.address)
            if subject:
                headers.append((SUBJECT_HEADER, subject.encode()))
            await producer.send_and_wait(letter.source_topic, key=letter.record.key, value=letter.record.value, headers=headers)
    finally:
        await producer.stop()


async def original_subjects(bootstrap: str, letters: list[Letter], *, security: Mapping[str, object] | None = None) -> dict[str, str]:
    """letter address → the hub-subject header of the partner record it came from, where it had one."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    wanted = [letter for letter in letters if letter.source_partition is not None and letter.source_offset is not None]
    if not wanted:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest", **(security or {}))
    await consumer.start()
    found: dict[str, str] = {}
    try:
        tps = sorted({TopicPartition(letter.source_topic, letter.source_partition) for letter in wanted})
        consumer.assign(tps)
        for letter in wanted:
            tp = TopicPartition(letter.source_topic, letter.source_partition)
            consumer.seek(tp, letter.source_offset)
            message = await asyncio.wait_for(consumer.getone(tp), timeout=10)
            if message.offset != letter.source_offset:
                continue  # the original is gone (retention): replay without its subject
            for key, value in message.headers or ():
                if key == SUBJECT_HEADER and value is not None:
                    found[letter.address] = value.decode("utf-8", "replace")
    finally:
        await consumer.stop()
    return found


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "backslashreplace")
