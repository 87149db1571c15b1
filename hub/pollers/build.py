"""The pollers' composition root: partner id → its client and asker, wired to Kafka and a clock."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from hub.config import Settings, kafka_client_options
from hub.pollers.boxberry import BoxberryAsker
from hub.pollers.boxberry_client import BoxberryClient
from hub.pollers.clock import Clock
from hub.pollers.credentials import PartnerCredentials
from hub.pollers.russian_post import RussianPostAsker
from hub.pollers.russian_post_client import RussianPostClient
from hub.pollers.service import Asker, PollerService, TimelineSource
from hub.pollers.sink import KafkaAnswerSink
from hub.pollers.state import KafkaStateStore
from hub.pollers.wildberries import WildberriesAsker
from hub.pollers.wildberries_client import WildberriesClient
from hub.topics import POLLER_STATE, TIMELINES, partner_topic

AskerFactory = Callable[[aiohttp.ClientSession, PartnerCredentials, Clock], Asker]

# The partners that only answer questions, and how to ask each.
ASKERS: dict[str, AskerFactory] = {
    "russian_post": lambda session, credentials, clock: RussianPostAsker(RussianPostClient(session, credentials, clock)),
    "wildberries": lambda session, credentials, clock: WildberriesAsker(WildberriesClient(session, credentials, clock)),
    "boxberry": lambda session, credentials, clock: BoxberryAsker(BoxberryClient(session, credentials, clock)),
}

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


def kafka_service(partner: str, settings: Settings, session: aiohttp.ClientSession, credentials: PartnerCredentials,
                  clock: Clock) -> PollerService:
    """A poller for `partner` reading `hub.timelines`, remembering in the poller-state topic, publishing to its topic."""
    return PollerService(
        ASKERS[partner](session, credentials, clock),
        TimelineSource(settings.kafka_bootstrap, TIMELINES.name(settings), kafka_client_options(settings)),
        KafkaStateStore(settings.kafka_bootstrap, POLLER_STATE.name(settings), kafka_client_options(settings)),
        KafkaAnswerSink(settings.kafka_bootstrap, partner_topic(settings, partner), kafka_client_options(settings)),
        clock,
    )


async def close(service: PollerService) -> None:
    for part in (service.poll.store, service.poll.sink):
        closing = getattr(part, "close", None)
        if closing is not None:
            await closing()
