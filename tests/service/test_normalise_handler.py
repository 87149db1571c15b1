"""The normalise stage's pure handler: one outcome per message, dead letters keep the bytes."""

from __future__ import annotations

import pytest

from adapters.registry import PARSERS
from hub.partners import partner
from hub.stages.normalise import SourceRecord, normalise, routing_identifier
from schemas import DeadLetterHeader, Outcome
from tests.conftest import PARTNER_FIXTURES

pytestmark = pytest.mark.service


def record(value: bytes, key: bytes | None = b"k1", sent_for: str | None = None) -> SourceRecord:
    return SourceRecord("partner.cdek.events", 2, 41, key, value, 1_767_225_600_000, sent_for=sent_for)


def letter_headers(reason: str) -> dict[str, bytes]:
    return {
        DeadLetterHeader.REASON: reason.encode(),
        DeadLetterHeader.ERROR_TYPE: b"AdapterError",
        DeadLetterHeader.STAGE: b"normalise",
        DeadLetterHeader.SOURCE_TOPIC: b"partner.cdek.events",
        DeadLetterHeader.SOURCE_PARTITION: b"2",
        DeadLetterHeader.SOURCE_OFFSET: b"41",
        DeadLetterHeader.PARTNER: b"cdek",
        DeadLetterHeader.ADAPTER_VERSION: str(PARSERS["cdek"].version).encode(),
    }


def test_a_webhook_becomes_an_event_routed_by_its_smallest_identifier():
    result = normalise(record(PARTNER_FIXTURES["cdek_webhook_0.json"].read_bytes()), partner("cdek"), assumed_zone="Europe/Moscow")
    assert result.outcome is Outcome.NORMALISED and result.dead_letter is None
    (event,) = result.events
    assert routing_identifier(event) == "cdek:1106153417"
    assert event.received_at.isoformat() == "2026-01-01T00:00:00+00:00"


def test_poison_becomes_a_dead_letter_with_original_bytes_key_and_headers():
    result = normalise(record(b"<html>", key=b"partner-key"), partner("cdek"), assumed_zone="Europe/Moscow")
    assert result.outcome is Outcome.DEAD_LETTERED and result.events == ()
    letter = result.dead_letter
    assert letter.value == b"<html>" and letter.key == b"partner-key"
    assert letter.headers == letter_headers("not_json")


def test_a_record_sent_for_another_partner_is_a_partner_mismatch():
    webhook = PARTNER_FIXTURES["cdek_webhook_0.json"].read_bytes()
    # A good CDEK webhook, but published for Boxberry: never read as CDEK's.
    result = normalise(record(webhook, sent_for="boxberry"), partner("cdek"), assumed_zone="Europe/Moscow")
    assert result.outcome is Outcome.DEAD_LETTERED and result.events == ()
    assert result.dead_letter.value == webhook and result.dead_letter.key == b"k1"
    assert result.dead_letter.headers == letter_headers("partner_mismatch")
    # Sent for CDEK itself, or by a publisher that names no partner: read as usual.
    for sent_for in ("cdek", None):
        assert normalise(record(webhook, sent_for=sent_for), partner("cdek"), assumed_zone="Europe/Moscow").outcome is Outcome.NORMALISED


def test_a_json_payload_over_the_size_limit_is_a_too_large_letter():
    huge = b'{"type": "ORDER_STATUS", "padding": "' + b"x" * (1024 * 1024) + b'"}'
    result = normalise(record(huge), partner("cdek"), assumed_zone="Europe/Moscow")
    assert result.outcome is Outcome.DEAD_LETTERED
    assert result.dead_letter.value == huge
    assert result.dead_letter.headers == letter_headers("too_large")


def test_an_adapter_bug_is_internal_error_not_a_crash(monkeypatch):
    from adapters import registry

    def explode(raw, *, received_at, options):
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(registry.PARSERS, "cdek", registry.Parser("cdek", 1, explode))
    result = normalise(record(b"{}"), partner("cdek"), assumed_zone="Europe/Moscow")
    assert result.outcome is Outcome.DEAD_LETTERED
    assert result.dead_letter.headers[DeadLetterHeader.REASON] == b"internal_error"
    assert result.dead_letter.headers[DeadLetterHeader.ERROR_TYPE] == b"ZeroDivisionError"
