"""`hub gateway-bench`: one `hub gateway` process under CDEK-style webhooks, measured.

Uses the broker HUB_KAFKA_BOOTSTRAP names (or the one `hub broker start` left running) under
fresh partner and topic prefixes, starts one gateway process with a secrets file of its own,
and prints two figures, with no thresholds:
- at a fixed rate (open loop: each request is sent at its scheduled time, and its latency is
  counted from then, so a stall is not hidden): answers by outcome, latency p50 and p99;
- at full speed, `--concurrency` requests in flight: deliveries (answers 200) per second.
A 200 means the broker acknowledged the record (acks=all) or the spool fsynced it; the
outcome counts say which. The bench's topics are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hub.cli._shared import delete_topics_starting, fail, percentile, settings_or_none, step, stop_process_group
from hub.kafka.broker_files import free_port

TOKEN = "bench-token"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gateway-bench", help="measure one gateway: latency at a fixed rate, deliveries/s at full speed")
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second of the fixed-rate run (default 500)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run (default 10)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight in the full-speed run (default 64)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.rate <= 0 or args.seconds <= 0 or args.concurrency < 1:
        return fail("gateway-bench", "--rate and --seconds must be positive, --concurrency at least 1")
    settings = settings_or_none("gateway-bench")
    if settings is None:
        return 1
    run_id = f"gwbench{secrets.token_hex(4)}"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hub-gateway-bench-") as folder:
        secrets_file = Path(folder) / "secrets.toml"
        secrets_file.write_text(f'[cdek]\ntoken = "{TOKEN}"\nrate = 1000000\nburst = 1000000\n')
        env = {**os.environ, "HUB_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "HUB_PARTNER_PREFIX": f"{run_id}.partner.",
               "HUB_TOPIC_PREFIX": f"{run_id}.hub.", "HUB_GATEWAY_SECRETS": str(secrets_file), "HUB_GATEWAY_PORT": str(port),
               "HUB_GATEWAY_SPOOL": str(Path(folder) / "spool"), "HUB_LOG_LEVEL": "WARNING"}
        step(f"starting hub gateway on 127.0.0.1:{port} (broker {settings.kafka_bootstrap})")
        with open(Path(folder) / "gateway.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "hub.cli", "gateway"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            return asyncio.run(_bench(args, f"http://127.0.0.1:{port}", process))
        finally:
            stop_process_group(process)
            asyncio.run(delete_topics_starting(settings, run_id))


async def _bench(args: argparse.Namespace, url: str, process: subprocess.Popen) -> int:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=max(args.concurrency, 256))
    async with aiohttp.ClientSession(connector=connector) as session:
        if not await _broker_up(session, url, process):
            return fail("gateway-bench", "the gateway did not reach the broker within 60 s (is one running? HUB_KAFKA_BOOTSTRAP)")
        post_url = f"{url}/ingest/cdek/{TOKEN}"
        await _post(session, post_url, 0)  # warm-up: the first send fetches the topic's metadata

        step(f"fixed rate: {args.rate:g}/s for {args.seconds:g} s")
        count = int(args.rate * args.seconds)
        start = time.monotonic() + 0.1

        async def scheduled(n: int) -> tuple[int, float]:
            at = start + n / args.rate
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            status = await _post(session, post_url, n)
            return status, time.monotonic() - at

        before = await _outcomes(session, url)
        results = await asyncio.gather(*(scheduled(n) for n in range(count)))
        fixed_outcomes = _difference(await _outcomes(session, url), before)
        latencies = [seconds * 1000 for status, seconds in results if status == 200]

        step(f"full speed: {args.concurrency} in flight for {args.seconds:g} s")
        delivered = 0
        deadline = time.monotonic() + args.seconds
        began = time.monotonic()

        async def worker(offset: int) -> None:
            nonlocal delivered
            n = offset
            while time.monotonic() < deadline:
                if await _post(session, post_url, count + n) == 200:
                    delivered += 1
                n += args.concurrency

        before = await _outcomes(session, url)
        await asyncio.gather(*(worker(i) for i in range(args.concurrency)))
        elapsed = time.monotonic() - began
        full_outcomes = _difference(await _outcomes(session, url), before)

    print(f"hub gateway-bench --rate {args.rate:g} --seconds {args.seconds:g} --concurrency {args.concurrency}")
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"  fixed rate {args.rate:g}/s      {len(latencies)}/{count} answered 200 ({_listed(fixed_outcomes)})")
    if p50 is not None:
        print(f"  latency at {args.rate:g}/s      p50 {p50:.1f} ms, p99 {p99:.1f} ms (from each request's scheduled time)")
        print(f"  inside the gateway     p50 {_gateway_quantile(fixed_outcomes, 0.5)}, p99 {_gateway_quantile(fixed_outcomes, 0.99)}"
              " (received → answer ready, its histogram)")
    print(f"  full speed             {delivered / elapsed:.0f} deliveries/s ({delivered} in {elapsed:.1f} s; {_listed(full_outcomes)})")
    return 0


async def _post(session, url: str, n: int) -> int:
    body = json.dumps({"type": "ORDER_STATUS", "uuid": f"bench-{n}", "attributes": {"cdek_number": f"{n:010d}", "code": "ACCEPTED"}})
    try:
        async with session.post(url, data=body.encode(), headers={"Content-Type": "application/json"}) as response:
            await response.read()
            return response.status
    except OSError:
        return 0


async def _broker_up(session, url: str, process: subprocess.Popen, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            async with session.get(f"{url}/health") as response:
                if (await response.json()).get("broker_up"):
                    return True
        except (OSError, ValueError):
            pass
        await asyncio.sleep(0.3)
    return False


async def _outcomes(session, url: str) -> dict[str, float]:
    """Answers by outcome so far, and the gateway's own latency histogram as `le=<bound>` entries."""
    from prometheus_client.parser import text_string_to_metric_families

    async with session.get(f"{url}/metrics") as response:
        text = await response.text()
    figures = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "hub_gateway_requests_total":
                figures[sample.labels["outcome"]] = sample.value
            elif sample.name == "hub_gateway_request_seconds_bucket":
                figures[f"le={sample.labels['le']}"] = sample.value
    return figures


def _gateway_quantile(counts: dict[str, int], fraction: float) -> str:
    """The histogram bucket bound the gateway's own `fraction` quantile falls under."""
    buckets = sorted((float(k[3:]), v) for k, v in counts.items() if k.startswith("le="))
    total = buckets[-1][1] if buckets else 0
    for bound, count in buckets:
        if total and count >= fraction * total:
            return "over 10 s" if bound == float("inf") else f"≤ {bound * 1000:g} ms"
    return "unknown"


def _difference(after: dict[str, float], before: dict[str, float]) -> dict[str, int]:
    return {k: int(v - before.get(k, 0)) for k, v in after.items() if v - before.get(k, 0)}


def _listed(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()) if not k.startswith("le=")) or "none"
