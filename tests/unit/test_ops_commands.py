"""`hub ops` and `hub deadletters` without a broker: the terminal frame, --since, the letters' fields."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.cli.deadletters import Letter, parse_since, select
from hub.cli.ops import render_frame
from hub.kafka.topic_reader import TopicRecord
from hub.web.ops_figures import aggregate
from tests.unit.test_ops_figures import WORKER_A, WORKER_B

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_the_terminal_frame_shows_partners_corridors_and_dead_letters():
    frame = render_frame(aggregate([("http://a", WORKER_A), ("http://b", WORKER_B)]), "http://a")
    lines = frame.splitlines()
    assert lines[0].startswith("Hub operations · 2 workers at http://a")
    cdek = next(line.split() for line in lines if line.startswith("cdek "))
    assert cdek[:6] == ["cdek", "7", "5", "0", "0", "2"]
    corridor = next(line.split() for line in lines if line.startswith("CN-RU-*"))
    assert corridor == ["CN-RU-*", "4", "1.5", "3.2", "3", "1", "75.0%"]
    assert "dead letters by reason: bad_encoding 2, not_json 2" in frame
    assert "lag: partner.cdek.events 12" in frame


@pytest.mark.parametrize(("text", "expected"), [
    ("2h", NOW - timedelta(hours=2)),
    ("30m", NOW - timedelta(minutes=30)),
    ("1.5d", NOW - timedelta(hours=36)),
    ("2026-03-01T09:00:00+03:00", datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)),
])
def test_since_takes_an_aware_time_or_an_age(text, expected):
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["2026-03-01T09:00:00", "yesterday", "5w"])
def test_since_refuses_a_naive_time_or_an_unknown_unit(text):
    with pytest.raises(ValueError):
        parse_since(text, NOW)


def letter(offset: int, partner: str, reason: str, at: datetime) -> Letter:
    headers = (
        ("hub-dlq-reason", reason.encode()), ("hub-dlq-partner", partner.encode()), ("hub-dlq-stage", b"normalise"),
        ("hub-dlq-source-topic", f"partner.{partner}.events".encode()), ("hub-dlq-source-partition", b"2"),
        ("hub-dlq-source-offset", b"41"),
    )
    return Letter(TopicRecord("hub.deadletter", 0, offset, int(at.timestamp() * 1000), None, b"\xff", headers))


def test_letters_are_chosen_by_partner_reason_and_time():
    letters = [letter(0, "cdek", "not_json", NOW - timedelta(hours=3)), letter(1, "cdek", "bad_encoding", NOW),
               letter(2, "ozon", "not_json", NOW)]
    assert [x.record.offset for x in select(letters, partner="cdek", reason=None, since=None)] == [0, 1]
    assert [x.record.offset for x in select(letters, partner=None, reason="not_json", since=None)] == [0, 2]
    assert [x.record.offset for x in select(letters, partner=None, reason=None, since=NOW - timedelta(hours=1))] == [1, 2]
    first = letters[0]
    assert first.address == "hub.deadletter:0:0"
    assert (first.source_topic, first.source_partition, first.source_offset) == ("partner.cdek.events", 2, 41)
    assert "payload" not in first.as_json(with_payload=False)
    assert first.as_json(with_payload=True)["payload"] == "\\xff"
