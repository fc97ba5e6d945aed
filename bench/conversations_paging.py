"""First-page latency of GET /conversations and GET /conversations/{id}/messages: 100 vs 10,000 items.

Usage: .venv/bin/python bench/conversations_paging.py [--small 100] [--large 10000] [--runs 20] [--limit 20]
Starts its own local stack (emulators) and dev host, seeds two users directly through the repository
(one with `--small` conversations and a conversation of `--small` messages, one with `--large` of each),
then times the HTTP endpoints alternately and prints medians and the large/small ratio (goal < 1.3).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.issuer import mint_token  # noqa: E402
from devhost.stack import LocalStack, StackPorts, free_port  # noqa: E402

TURN = 16
NOTE = (
    "Both callers share one emulator container holding both data sets. The local Cosmos emulator has no\n"
    "index and ignores the partition key, so it scans the whole container on every query: that scan is\n"
    "the absolute latency above, and both callers pay it equally. The ratio shows what our code adds as\n"
    "the caller's data grows: nothing (no OFFSET, no reading past the page, no client-side sort). On\n"
    "Cosmos DB the same single-partition, index-ordered query with `max_item_count` costs O(page).\n"
)


@dataclass
class Seeded:
    tenant: str
    user: str
    conversation_id: str


async def _seed(count: int) -> Seeded:
    from shared.clients import Clients
    from shared.conversations.keys import EventOwner, new_conversation_id
    from shared.conversations.models import MessageInput
    from shared.conversations.repository import ConversationRepository
    from shared.resources import ensure_resources
    from shared.settings import load_settings

    clients = Clients(load_settings())
    try:
        await ensure_resources(clients)
        repository = ConversationRepository.from_clients(clients)
        owner = EventOwner(f"bench-{uuid.uuid4().hex[:8]}", f"user-{count}")
        limit = asyncio.Semaphore(32)

        async def create(index: int) -> None:
            async with limit:
                await repository.create(owner, new_conversation_id(), f"conversation {index}")

        await asyncio.gather(*(create(index) for index in range(count - 1)))
        target = (await repository.create(owner, new_conversation_id(), "the long one"))["id"]
        for start in range(0, count, TURN):
            size = min(TURN, count - start)
            turn = [(i, MessageInput(role="user", content=f"message {start + i} " + "x" * 200)) for i in range(size)]
            await repository.append_turn(owner, target, turn, idempotency_key=f"seed-{start}", turn_size=size)
        return Seeded(owner.tenant_id, owner.user_id, target)
    finally:
        await clients.aclose()


def _start_host(app_module: str) -> tuple[str, threading.Thread, object, asyncio.AbstractEventLoop]:
    from devhost.server import DevHost

    host = DevHost(port=free_port(), shutdown_grace_s=2, run_queues=False, app_module=app_module)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        host.ready = asyncio.Event()

        async def main() -> None:
            serving = asyncio.create_task(host.serve())
            await asyncio.wait({serving, asyncio.create_task(host.ready.wait())}, return_when=asyncio.FIRST_COMPLETED)
            ready.set()
            await serving

        loop.run_until_complete(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(60):
        raise RuntimeError("dev host did not start")
    return host.url, thread, host, loop


def _time(client: httpx.Client, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def _measure(base: str, seeded: dict[str, Seeded], runs: int, limit: int) -> dict[tuple[str, str], float]:
    samples: dict[tuple[str, str], list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(runs):
            for size, data in seeded.items():
                headers = {"Authorization": f"Bearer {mint_token(data.tenant, data.user)}"}
                for endpoint, url in (
                    ("GET /conversations", f"/api/v1/conversations?limit={limit}"),
                    (
                        "GET /conversations/{id}/messages",
                        f"/api/v1/conversations/{data.conversation_id}/messages?limit={limit}",
                    ),
                ):
                    samples.setdefault((endpoint, size), []).append(_time(client, url, headers))
    return {key: statistics.median(values[3:]) for key, values in samples.items()}


def _report(medians: dict[tuple[str, str], float], small: int, large: int, runs: int, limit: int) -> str:
    lines = [
        f"| endpoint (first page, limit={limit}) | {small} items (ms) | {large:,} items (ms) | ratio |",
        "|---|---:|---:|---:|",
    ]
    for endpoint in ("GET /conversations", "GET /conversations/{id}/messages"):
        a, b = medians[(endpoint, "small")], medians[(endpoint, "large")]
        lines.append(f"| `{endpoint}` | {a * 1000:.2f} | {b * 1000:.2f} | {b / a:.2f} |")
    return "\n".join(lines) + f"\n\nMedians of {runs - 3} timed requests each (3 warm-up), alternated.\n"


def _record(table: str) -> None:
    readme = ROOT / "bench" / "README.md"
    start, end = "<!-- conversations-paging:start -->", "<!-- conversations-paging:end -->"
    section = (
        f"{start}\n## Conversation paging: 100 vs 10,000 items\n\n"
        "`.venv/bin/python bench/conversations_paging.py` (starts its own emulators and dev host)\n\n"
        f"{table}\n{NOTE}\n{end}"
    )
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    readme.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--app-module", default="function_app")
    parser.add_argument("--no-record", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the emulators on kill, too
    for noisy in ("azure", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stack = LocalStack(StackPorts.random())
    stack.start()
    try:
        os.environ.update(stack.settings())
        os.environ["COSMOS_DATABASE"] = "copilot-bench"
        started = time.perf_counter()
        seeded = {"small": asyncio.run(_seed(args.small)), "large": asyncio.run(_seed(args.large))}
        print(f"seeded {args.small} + {args.large} conversations and messages in {time.perf_counter() - started:.1f}s")
        base, thread, host, loop = _start_host(args.app_module)
        for noisy in ("azure", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        try:
            medians = _measure(base, seeded, args.runs, args.limit)
        finally:
            loop.call_soon_threadsafe(host.stop)  # type: ignore[attr-defined]
            thread.join(30)
        table = _report(medians, args.small, args.large, args.runs, args.limit)
        print(table)
        if not args.no_record:
            _record(table)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
