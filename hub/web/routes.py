"""The worker's HTTP routes: health, metrics, the ops page and figures, and shipment look-ups.

Any worker answers `/shipments/{query}`: it redirects to `/_timeline/{id}` or `/_identity/{id}`,
which faust's table routing sends to the worker that owns that key's partition.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import faust
from faust.web import Request, Response, View

from hub import metrics, topics
from hub.config import Settings, kafka_client_options
from hub.kafka.contract_registry import ContractRegistry
from hub.logs import log
from hub.stages.identity import order_shipments, shipment_id_for
from hub.stages.retire import retirement
from hub.stages.timeline import timeline_from_state
from hub.web import auth, ops_figures, ops_page, problem_queue
from hub.web.auth import ApiTokens
from hub.web.bare_numbers import bare_number_answer
from schemas.identifiers import InvalidIdentifier, candidates
from schemas.timeline import TimelineRedirect


def register_routes(app: faust.App, *, identities: faust.Table, timelines: faust.Table, contracts: ContractRegistry,
                    settings: Settings, tokens: ApiTokens | None = None) -> None:
    """Add every page to `app`; the look-ups read the two tables, readiness waits for the contracts.
    With `tokens`, every route but /health is behind them (hub/web/auth.py) and a partner's
    answers are narrowed to what is its own."""
    peer_headers = tokens.operations_header() if tokens else {}
    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            state = _state(app, contracts)
            ready = state == "ready"
            return self.json({"live": True, "ready": ready, "state": state}, status=200 if ready else 503)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

            return self.bytes(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    async def all_worker_metrics() -> list[tuple[str, str]]:
        """(worker URL, /metrics text) of every worker in the group, this one included."""
        import aiohttp
        from prometheus_client import generate_latest

        own = str(app.conf.canonical_url).rstrip("/")
        texts = [(own, generate_latest(metrics.REGISTRY).decode())]
        peers = sorted({str(url).rstrip("/") for url in app.router.tables_metadata()} - {own})
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5), headers=peer_headers) as session:
            for url in peers:
                try:
                    async with session.get(f"{url}/metrics") as response:
                        texts.append((url, await response.text()))
                except (aiohttp.ClientError, TimeoutError) as err:
                    log.warning("peer_metrics_unavailable", worker=url, error=type(err).__name__)
        return texts

    async def all_worker_moving() -> list[dict]:
        """Every worker's parcels still moving (`/_moving`), this one's included."""
        import aiohttp

        own = str(app.conf.canonical_url).rstrip("/")
        answers = [problem_queue.owned_moving(app, settings, timelines)]
        peers = sorted({str(url).rstrip("/") for url in app.router.tables_metadata()} - {own})
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5), headers=peer_headers) as session:
            for url in peers:
                try:
                    async with session.get(f"{url}/_moving") as response:
                        answers.append(await response.json())
                except (aiohttp.ClientError, TimeoutError, ValueError) as err:
                    log.warning("peer_moving_unavailable", worker=url, error=type(err).__name__)
        return answers

    async def figures_with_problems() -> dict:
        figures = ops_figures.aggregate(await all_worker_metrics())
        return {**figures, "problems": problem_queue.queue(figures, await all_worker_moving(), settings.clock)}

    @app.page("/ops")
    class Ops(View):
        """The operations page: every worker's figures, aggregated, drawn on the server."""

        async def get(self, request: Request) -> Response:
            return self.html(ops_page.render_page(await figures_with_problems()))

    @app.page("/ops.json")
    class OpsJson(View):
        async def get(self, request: Request) -> Response:
            return self.json(await figures_with_problems())

    @app.page("/_moving")
    class MovingHere(View):
        """This worker's parcels still moving, for the problem queue of whoever asks."""

        async def get(self, request: Request) -> Response:
            return self.json(problem_queue.owned_moving(app, settings, timelines))

    @app.page("/shipments/{query}")
    class Shipment(View):
        """Any worker answers: a shipment id, `scheme:VALUE`, a bare number or an order id."""

        async def get(self, request: Request, query: str) -> Response:
            caller = request.get("hub_caller")
            if caller is not None and caller.role == auth.PARTNER:
                return await partner_lookup(self, caller.partner, query)
            if query.startswith("shp_"):
                return _redirect(self, f"/_timeline/{query}")
            try:
                found = candidates(query)
            except InvalidIdentifier:
                found = []
            if not found:
                return self.json({"found": False, "query": query, "error": "not a shipment id or a known identifier"}, status=404)
            if len(found) > 1:
                status, body = bare_number_answer(query, [str(i) for i in found], await seen_under([str(i) for i in found]))
                return self.json(body, status=status)
            return _redirect(self, f"/_identity/{found[0]}")

    async def seen_under(identifiers: list[str]) -> dict[str, dict]:
        """Of `identifiers`, those the hub has seen, with their look-up's answer (asked of the
        worker owning each, through this worker's own address, redirects followed)."""
        import aiohttp

        own = str(app.conf.canonical_url).rstrip("/")
        seen = {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10), headers=peer_headers) as session:
            for identifier in identifiers:
                async with session.get(f"{own}/_identity/{quote(identifier, safe=':')}") as response:
                    if response.status == 200:
                        body = await response.json()
                        if body.get("found"):
                            seen[identifier] = body
        return seen

    async def partner_lookup(view: View, partner: str, query: str) -> Response:
        """A partner's look-up, resolved here with the operations token (redirects followed on
        this side, so their targets reveal nothing) and answered only with shipments the partner
        took part in; anything else is the same 404 as a shipment that does not exist."""
        import aiohttp

        own = str(app.conf.canonical_url).rstrip("/")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10), headers=peer_headers) as session:

            async def get(path: str) -> tuple[int, dict]:
                async with session.get(f"{own}{path}") as response:
                    return response.status, await response.json()

            status, body = await get(f"/shipments/{quote(query, safe=':')}")
            if status == 300:  # several schemes fit: the shapes only, never which parcels exist
                return view.json({"found": False, "query": query, "seen": False,
                                  "candidates": [str(i) for i in candidates(query)]}, status=300)
            if status == 200 and "timeline" in body and auth.took_part(body["timeline"], partner):
                return view.json(body)
            if status == 200 and "order" in body:
                own_shipments = []
                for shipment in body["shipments"]:
                    found, timeline = await get(f"/_timeline/{shipment}")
                    if found == 200 and auth.took_part(timeline.get("timeline", {}), partner):
                        own_shipments.append(shipment)
                if own_shipments:
                    return view.json({"found": True, "order": body["order"], "shipments": own_shipments})
        return view.json({"found": False, "query": query}, status=404)

    @app.page("/settlements")
    class Settlements(View):
        """Settlement entries (`?period=2026Q1` narrows them): a partner's token sees those it pays or receives."""

        async def get(self, request: Request) -> Response:
            from hub.kafka.topic_reader import read_all

            records = await read_all(settings.kafka_bootstrap, topics.SETTLEMENTS.name(settings), security=kafka_client_options(settings))
            entries = [json.loads(value) for _, value in records if value]
            caller = request.get("hub_caller")
            if caller is not None and caller.role == auth.PARTNER:
                entries = [e for e in entries if auth.own_entry(e, caller.partner)]
            period = request.query.get("period")
            if period:
                entries = [e for e in entries if e.get("period") == period]
            return self.json({"entries": entries})

    @app.page("/_timeline/{shipment_id}")
    @app.table_route(table=timelines, match_info="shipment_id")
    async def timeline_view(web: View, request: Request, shipment_id: str) -> Response:
        state = timelines.get(shipment_id.encode())
        record = timeline_from_state(shipment_id, state)
        if record is None:
            return web.json({"found": False, "query": shipment_id}, status=404)
        if isinstance(record, TimelineRedirect):
            return _redirect(web, f"/_timeline/{record.to}")
        answer = {"found": True, "timeline": json.loads(record.model_dump_json())}
        retired = retirement(state)
        if retired is not None:
            # A retired shipment shows the events it kept (hub/stages/retire.py): say so.
            answer["retired"] = retired
        return web.json(answer)

    @app.page("/_identity/{identifier}")
    @app.table_route(table=identities, match_info="identifier")
    async def identity_view(web: View, request: Request, identifier: str) -> Response:
        state = identities.get(identifier.encode())
        if not state:
            return web.json({"found": False, "query": identifier}, status=404)
        if "parcels" in state and "label" not in state:
            return web.json({"found": True, "order": identifier, "parcels": state["parcels"], "shipments": order_shipments(state)})
        return _redirect(web, f"/_timeline/{shipment_id_for(state['label'])}")


def _redirect(view: View, location: str) -> Response:
    """307: the client asks again where the answer lives (a merged shipment, an identifier's shipment)."""
    return view.json({"redirect": location}, status=307, headers={"Location": location})


def _state(app: faust.App, contracts: ContractRegistry) -> str:
    """recovering (tables being read back, or a rebalance under way), reading_contracts, or ready."""
    if not _recovered(app):
        return "recovering"
    return "ready" if contracts.ready.is_set() else "reading_contracts"


def _recovered(app: faust.App) -> bool:
    """Ready once table recovery has completed and no rebalance is under way."""
    recovery = app.tables.recovery
    return bool(recovery.completed.is_set()) and not app.rebalancing


