"""The gateway's HTTP server and its one request pipeline: the composition root of `hub gateway`.

Every partner route runs the same stages, in this order: know the partner, check its source,
read the body (at most 256 KiB, within a time limit), authenticate, drop a replayed webhook,
take a token from its bucket, make the record durable, answer. Each request ends with exactly
one outcome, counted and logged in one line (no payload, no secret, no token).
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from aiohttp import web

from hub.config import Settings, kafka_client_options
from hub.gateway import aliexpress, cdek, native, ozon
from hub.gateway.delivery import Delivery, Durable
from hub.gateway.incoming import Incoming, PartnerRoute
from hub.gateway.metrics import GatewayMetrics
from hub.gateway.outcomes import ANSWERED_OK, Outcome
from hub.gateway.partner_access import PartnerAccess, PartnerFileError, load_partner_access
from hub.gateway.rate_limit import TokenBucket
from hub.gateway.record import gateway_record
from hub.gateway.spool import Spool
from hub.logs import log

MAX_BODY = 256 * 1024
BODY_SECONDS = 10.0  # a client that has not sent its whole body by then is cut off

# Partner id → its route, for the partners with a route of their own; hub-native partners share one.
OWN_ROUTES: dict[str, PartnerRoute] = {"ozon": ozon.ROUTE, "cdek": cdek.ROUTE, "aliexpress": aliexpress.ROUTE}

_DURABLE_OUTCOME = {Durable.DELIVERED: Outcome.DELIVERED, Durable.SPOOLED: Outcome.SPOOLED, Durable.UNAVAILABLE: Outcome.UNAVAILABLE}


@dataclass
class Gateway:
    """Everything one gateway process holds: who may call, where records go, what is counted."""

    access: dict[str, PartnerAccess]
    topic_for: dict[str, str]  # partner id → its partner topic
    delivery: Delivery
    instance: str
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    seen: native.SeenWebhooks = field(default_factory=native.SeenWebhooks)
    body_seconds: float = BODY_SECONDS

    def __post_init__(self) -> None:
        self.metrics = GatewayMetrics(self.delivery)
        self.buckets = {p: TokenBucket(a.rate, a.burst) for p, a in self.access.items()}


def make_app(gateway: Gateway) -> web.Application:
    # client_max_size above MAX_BODY: the pipeline answers 413 itself, in the partner's shape.
    app = web.Application(client_max_size=MAX_BODY + 1)

    async def partner_route(request: web.Request) -> web.StreamResponse:
        partner = request.match_info["partner"]
        return await _handle(gateway, request, partner, OWN_ROUTES[partner], request.match_info.get("token", ""))

    async def native_route(request: web.Request) -> web.StreamResponse:
        partner = request.match_info["partner"]
        if partner in OWN_ROUTES:  # a partner with its own route is never reached as hub-native
            partner = "?"
        return await _handle(gateway, request, partner, native.ROUTE, None)

    async def aliexpress_liveness(request: web.Request) -> web.StreamResponse:  # noqa: ARG001
        _count(gateway, "aliexpress", Outcome.LIVENESS, 0.0)
        return web.Response(status=200, body=b"")

    async def health(request: web.Request) -> web.StreamResponse:  # noqa: ARG001
        ready = gateway.delivery.ready()
        body = {"ready": ready, "broker_up": gateway.delivery.broker_up, "spooled": gateway.delivery.spool.depth(),
                "instance": gateway.instance}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(request: web.Request) -> web.StreamResponse:  # noqa: ARG001
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return web.Response(body=generate_latest(gateway.metrics.registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    app.router.add_post(r"/ingest/{partner:ozon|cdek}/{token}", partner_route)
    app.router.add_post(r"/ingest/{partner:ozon|cdek}", partner_route)  # no token: 401, in the partner's shape
    app.router.add_post(r"/ingest/{partner:aliexpress}", partner_route)
    app.router.add_get("/ingest/aliexpress", aliexpress_liveness)
    app.router.add_post("/ingest/native/{partner}", native_route)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)

    async def lifecycle(app: web.Application):  # noqa: ARG001
        await gateway.delivery.start()
        yield
        await gateway.delivery.stop()

    app.cleanup_ctx.append(lifecycle)
    return app


async def _handle(gateway: Gateway, request: web.Request, partner: str, route: PartnerRoute, token: str | None) -> web.StreamResponse:
    started = time.monotonic()
    received_at = datetime.now(timezone.utc)
    outcome, response, incoming = await _pipeline(gateway, request, partner, route, token, received_at)
    label = partner if partner in gateway.access else "unknown"
    _count(gateway, label, outcome, time.monotonic() - started)
    log.info("gateway_request_answered", partner=label, outcome=outcome.value, status=response.status,
             bytes=len(incoming.body) if incoming else None)
    return response


async def _pipeline(gateway: Gateway, request: web.Request, partner: str, route: PartnerRoute, token: str | None,
                    received_at: datetime) -> tuple[Outcome, web.Response, Incoming | None]:
    def refuse(outcome: Outcome, incoming: Incoming | None = None) -> tuple[Outcome, web.Response, Incoming | None]:
        return outcome, route.refused(outcome), incoming

    access = gateway.access.get(partner)
    if access is None or partner not in gateway.topic_for:
        return refuse(Outcome.UNKNOWN_PARTNER)
    if not access.source_allowed(request.remote):
        return refuse(Outcome.SOURCE_REFUSED)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return refuse(Outcome.TOO_LARGE)
    try:
        body = await asyncio.wait_for(request.read(), gateway.body_seconds)
    except web.HTTPRequestEntityTooLarge:
        return refuse(Outcome.TOO_LARGE)
    except TimeoutError:
        return refuse(Outcome.SLOW_BODY)
    except (ConnectionError, OSError, ValueError, asyncio.IncompleteReadError) as err:
        # aiohttp's ClientPayloadError / ClientConnectionResetError are ConnectionError or ValueError subclasses.
        log.info("gateway_body_unread", partner=partner, error=type(err).__name__)
        return refuse(Outcome.TRUNCATED)
    headers = {k.lower(): v for k, v in request.headers.items()}
    incoming = Incoming(partner, token, headers, body, received_at)
    failed = route.authenticate(access, incoming)
    if failed is not None:
        return refuse(failed, incoming)
    webhook_id = headers.get("webhook-id") if route is native.ROUTE else None
    if webhook_id and gateway.seen.seen(partner, webhook_id):
        return Outcome.DUPLICATE, native.duplicate(), incoming
    if not gateway.buckets[partner].take():
        return refuse(Outcome.RATE_LIMITED, incoming)
    record = gateway_record(
        topic=gateway.topic_for[partner], partner=partner, body=body, received_at=received_at, source=request.remote,
        instance=gateway.instance, auth=route.auth.value, content_type=request.headers.get("Content-Type"), webhook_id=webhook_id,
    )
    outcome = _DURABLE_OUTCOME[await gateway.delivery.deliver(record)]
    if outcome is Outcome.UNAVAILABLE:
        return refuse(outcome, incoming)
    if webhook_id:
        gateway.seen.remember(partner, webhook_id)
    return outcome, route.accepted(incoming), incoming


def _count(gateway: Gateway, partner: str, outcome: Outcome, seconds: float) -> None:
    gateway.metrics.requests.labels(partner, outcome.value).inc()
    gateway.metrics.latency.labels(partner).observe(seconds)
    if outcome in ANSWERED_OK:
        gateway.metrics.last_accepted.labels(partner).set(time.time())


def gateway_from_settings(settings: Settings) -> Gateway:
    """The gateway HUB_GATEWAY_* describe. PartnerFileError or SpoolLocked say in one line what is wrong."""
    from hub.partners import PARTNERS
    from hub.topics import ensure_topics, partner_topic

    if not settings.gateway_secrets:
        raise PartnerFileError("HUB_GATEWAY_SECRETS is not set: it names the partner file (deploy/gateway-secrets.example.toml)")
    native_partners = {p.id for p in PARTNERS.values() if p.adapter == "hub_native"}
    access = load_partner_access(Path(settings.gateway_secrets), set(PARTNERS), native_partners)
    instance = settings.gateway_instance or f"{socket.gethostname()}:{settings.gateway_port}"
    delivery = Delivery(
        settings.kafka_bootstrap, Spool(Path(settings.gateway_spool_dir)), settings.gateway_ack_budget, client_id=f"hub-gateway-{instance}",
        prepare_topics=lambda: ensure_topics(settings, sorted(access), retry_for=0, hub_topics=()),
        security=kafka_client_options(settings),
    )
    return Gateway(access, {p: partner_topic(settings, p) for p in access}, delivery, instance)


async def serve(gateway: Gateway, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve until `stop` is set; then finish the requests in flight, flush the producer, close the spool."""
    runner = web.AppRunner(make_app(gateway), access_log=None, shutdown_timeout=10.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("gateway_started", host=host, port=port, instance=gateway.instance, partners=sorted(gateway.access))
        await stop.wait()
    finally:
        await runner.cleanup()
        log.info("gateway_stopped", instance=gateway.instance)
