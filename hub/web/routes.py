"""The worker's HTTP routes: health, metrics, the ops page and figures, and shipment look-ups.

Any worker answers `/shipments/{query}`: it redirects to `/_timeline/{id}` or `/_identity/{id}`,
which faust's table routing sends to the worker that owns that key's partition.
"""

from __future__ import annotations

import json

import faust
from faust.web import Request, Response, View

from hub import metrics
from hub.kafka.contract_registry import ContractRegistry
from hub.logs import log
from hub.stages.identity import order_shipments, shipment_id_for
from hub.stages.timeline import timeline_from_state
from hub.web import ops_figures, ops_page
from schemas.identifiers import InvalidIdentifier, candidates
from schemas.timeline import TimelineRedirect


def register_routes(app: faust.App, *, identities: faust.Table, timelines: faust.Table, contracts: ContractRegistry) -> None:
    """Add every page to `app`; the look-ups read the two tables, readiness waits for the contracts."""
    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            ready = _recovered(app) and contracts.ready.is_set()
            return self.json({"live": True, "ready": ready}, status=200 if ready else 503)

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
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            for url in peers:
                try:
                    async with session.get(f"{url}/metrics") as response:
                        texts.append((url, await response.text()))
                except (aiohttp.ClientError, TimeoutError) as err:
                    log.warning("peer_metrics_unavailable", worker=url, error=type(err).__name__)
        return texts

    @app.page("/ops")
    class Ops(View):
        """The operations page: every worker's figures, aggregated, drawn on the server."""

        async def get(self, request: Request) -> Response:
            figures = ops_figures.aggregate(await all_worker_metrics())
            return self.html(ops_page.render_page(figures))

    @app.page("/ops.json")
    class OpsJson(View):
        async def get(self, request: Request) -> Response:
            return self.json(ops_figures.aggregate(await all_worker_metrics()))

    @app.page("/shipments/{query}")
    class Shipment(View):
        """Any worker answers: a shipment id, `scheme:VALUE`, a bare number or an order id."""

        async def get(self, request: Request, query: str) -> Response:
            if query.startswith("shp_"):
                return _redirect(self, f"/_timeline/{query}")
            try:
                found = candidates(query)
            except InvalidIdentifier:
                found = []
            if not found:
                return self.json({"found": False, "query": query, "error": "not a shipment id or a known identifier"}, status=404)
            if len(found) > 1:
                return self.json({"found": False, "query": query, "candidates": [str(i) for i in found]}, status=300)
            return _redirect(self, f"/_identity/{found[0]}")

    @app.page("/_timeline/{shipment_id}")
    @app.table_route(table=timelines, match_info="shipment_id")
    async def timeline_view(web: View, request: Request, shipment_id: str) -> Response:
        record = timeline_from_state(shipment_id, timelines.get(shipment_id.encode()))
        if record is None:
            return web.json({"found": False, "query": shipment_id}, status=404)
        if isinstance(record, TimelineRedirect):
            return _redirect(web, f"/_timeline/{record.to}")
        return web.json({"found": True, "timeline": json.loads(record.model_dump_json())})

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


def _recovered(app: faust.App) -> bool:
    """Ready once table recovery has completed and no rebalance is under way."""
    recovery = app.tables.recovery
    return bool(recovery.completed.is_set()) and not app.rebalancing


