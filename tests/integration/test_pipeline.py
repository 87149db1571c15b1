"""The whole pipeline on the real broker with the real worker process (issue 2)."""

from __future__ import annotations

import asyncio
import json

import pytest

from hub import topics
from hub.stages.identity import shipment_id_for
from hub.topics import partner_topic
from schemas import DeadLetterHeader
from tests.conftest import PARTNER_FIXTURES
from tests.support.cdek_sequence import CDEK_NUMBER, JOURNEY, webhook
from tests.support.kafka import publish, read_topic

pytestmark = pytest.mark.integration


def _latest_timeline(records, shipment_id: str) -> dict:
    mine = [r for r in records if r.key == shipment_id.encode()]
    assert mine, f"no timeline published for {shipment_id}"
    # One key lives in one partition, so offset order is publication order.
    return json.loads(max(mine, key=lambda r: r.offset).value)


def test_cdek_journey_out_of_order_and_duplicated_gives_one_ordered_timeline(hub_settings, start_worker, caught_up):
    worker = start_worker()
    payloads = [webhook(code, when) for code, when, _, _ in JOURNEY]
    # Published: 1, 2, 4, 3 (out of order), 5, 5 again (a duplicate), 6.
    sent = [payloads[0], payloads[1], payloads[3], payloads[2], payloads[4], payloads[4], payloads[5]]
    bootstrap = hub_settings.kafka_bootstrap
    asyncio.run(publish(bootstrap, partner_topic(hub_settings, "cdek"), sent))
    caught_up()

    shipment_id = shipment_id_for(f"cdek:{CDEK_NUMBER}")
    records = asyncio.run(read_topic(bootstrap, topics.TIMELINES.name(hub_settings)))
    timeline = _latest_timeline(records, shipment_id)

    assert [e["status"] for e in timeline["events"]] == [status for _, _, status, _ in JOURNEY]
    assert [e["raw_code"] for e in timeline["events"]] == [code for code, _, _, _ in JOURNEY]
    assert timeline["status"] == "delivered"
    assert len({e["event_id"] for e in timeline["events"]}) == len(JOURNEY)
    # The worker answers for the same shipment over HTTP, as `hub timeline` asks it.
    answered = worker.get_json(f"/shipments/{shipment_id}")
    assert answered["found"] and answered["timeline"]["status"] == "delivered"
    # One log line per message with its outcome; never the payload.
    lines = [line for line in worker.log_lines() if line.get("event") == "partner_message_processed"]
    assert len(lines) == len(sent) and {line["outcome"] for line in lines} == {"normalised"}
    log_text = worker.log_path.read_text()
    assert "SHOP-7731" not in log_text and "Новосибирск" not in log_text


def test_poison_goes_to_dead_letters_byte_for_byte_and_the_worker_keeps_going(hub_settings, start_worker, caught_up):
    worker = start_worker()
    bootstrap = hub_settings.kafka_bootstrap
    topic = partner_topic(hub_settings, "cdek")
    print_form = PARTNER_FIXTURES["cdek_webhook_1.json"].read_bytes()
    garbage = b"\x00\xffnot json at all"
    valid = webhook(JOURNEY[0][0], JOURNEY[0][1], cdek_number="5550001112")
    truncated = valid[: len(valid) // 2]
    asyncio.run(publish(bootstrap, topic, [print_form, garbage, truncated]))
    after = [webhook(code, when, cdek_number="5550001112") for code, when, _, _ in JOURNEY[:3]]
    asyncio.run(publish(bootstrap, topic, after))
    caught_up()

    letters = asyncio.run(read_topic(bootstrap, topics.DEADLETTER.name(hub_settings), expect=2))
    by_value = {r.value: r for r in letters}
    assert set(by_value) == {garbage, truncated}
    assert by_value[garbage].headers[DeadLetterHeader.REASON] == b"bad_encoding"
    assert by_value[truncated].headers[DeadLetterHeader.REASON] == b"not_json"
    for letter in letters:
        assert letter.key is None  # the original key: partners may send none
        assert letter.headers[DeadLetterHeader.SOURCE_TOPIC] == topic.encode()
        assert letter.headers[DeadLetterHeader.PARTNER] == b"cdek"
        assert letter.headers[DeadLetterHeader.STAGE] == b"normalise"
        assert int(letter.headers[DeadLetterHeader.SOURCE_OFFSET]) >= 0

    outcomes = [line["outcome"] for line in worker.log_lines() if line.get("event") == "partner_message_processed"]
    assert sorted(outcomes) == sorted(["ignored", "dead_lettered", "dead_lettered"] + ["normalised"] * 3)
    timelines = asyncio.run(read_topic(bootstrap, topics.TIMELINES.name(hub_settings)))
    timeline = _latest_timeline(timelines, shipment_id_for("cdek:5550001112"))
    assert [e["raw_code"] for e in timeline["events"]] == [code for code, _, _, _ in JOURNEY[:3]]
    assert worker.process.poll() is None
