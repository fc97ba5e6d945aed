"""Cosmos DB requests per API operation, counted at the app's HTTP transport (the input to docs/capacity.md).

Usage: .venv/bin/python bench/cosmos_calls.py [--repeat 20]
Starts the local stack, serves the app in this process (the dev host, queue triggers on), and runs
each operation `--repeat` times through HTTP, counting the Cosmos requests the app's SDK client sends
while it runs (classified as point read, create/replace/upsert, patch, query, other). Background work
the operation causes (the usage flush, the queued conversation turn) is waited for and counted with it.
Quota leases are per process, so the steady state (a warm lease) is what a request costs; the lease
takes are reported separately.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.issuer import mint_token  # noqa: E402
from devhost.stack import LocalStack, StackPorts, free_port  # noqa: E402

counts: Counter[str] = Counter()
"""Cosmos requests by kind, across the process."""


def classify(method: str, url: str, headers: Any) -> str:
    path = url.split("?", 1)[0].rstrip("/")
    if headers.get("x-ms-documentdb-isquery") == "True" or headers.get("Content-Type") == "application/query+json":
        return "query"
    if "/docs" not in path:
        return "metadata"
    if method == "GET":
        return "point read" if not path.endswith("/docs") else "read feed"
    if method == "PATCH":
        return "patch"
    if method in ("POST", "PUT"):
        return "write"
    if method == "DELETE":
        return "delete"
    return method.lower()


def count_cosmos_requests(cosmos_port: int) -> None:
    from azure.core.pipeline.transport import AioHttpTransport

    send = AioHttpTransport.send

    async def counted(self: Any, request: Any, **kwargs: Any) -> Any:
        if f":{cosmos_port}/" in request.url:
            counts[classify(request.method, request.url, request.headers)] += 1
        return await send(self, request, **kwargs)

    AioHttpTransport.send = counted  # type: ignore[method-assign]


def serve(port: int) -> None:
    from devhost.server import DevHost

    loop = asyncio.new_event_loop()
    host = DevHost(port=port)
    threading.Thread(target=loop.run_until_complete, args=(host.serve(),), daemon=True).start()


def wait_up(client: httpx.Client, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("dev host did not come up")


def settle(seconds: float = 2.5) -> None:
    """Let background work (usage flush every second, the queue consumer) finish."""
    time.sleep(seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)  # a handler of our own: the app installs no JSON log lines
    stack = LocalStack(StackPorts.random())
    stack.start()
    try:
        os.environ.update({**stack.settings(), "COSMOS_DATABASE": "copilot-calls"})
        count_cosmos_requests(stack.ports.cosmos)
        port = free_port()
        serve(port)
        base = f"http://127.0.0.1:{port}/api"
        headers = {"Authorization": f"Bearer {mint_token('calls', 'user-1')}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            wait_up(client, f"{base}/health")
            measure(client, args.repeat)
    finally:
        stack.stop()


def measure(client: httpx.Client, repeat: int) -> None:
    conversation = client.post("/v1/conversations", json={"title": "calls"}).json()["id"]
    completion = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}
    client.post("/v1/chat/completions", json=completion).raise_for_status()  # leases taken here
    settle()
    operations: dict[str, Callable[[int], httpx.Response]] = {
        "POST /v1/conversations": lambda n: client.post("/v1/conversations", json={"title": "t"}),
        "GET /v1/conversations/{id}": lambda n: client.get(f"/v1/conversations/{conversation}"),
        "POST .../messages": lambda n: client.post(
            f"/v1/conversations/{conversation}/messages", json={"role": "user", "content": "a note"}
        ),
        "GET .../messages?limit=20": lambda n: client.get(f"/v1/conversations/{conversation}/messages?limit=20"),
        "GET /v1/conversations?limit=20": lambda n: client.get("/v1/conversations?limit=20"),
        "POST /v1/chat/completions": lambda n: client.post("/v1/chat/completions", json=completion),
        "POST /v1/chat/completions + X-Conversation-Id": lambda n: client.post(
            "/v1/chat/completions", json=completion, headers={"X-Conversation-Id": conversation}
        ),
        "POST /v1/moderations": lambda n: client.post("/v1/moderations", json={"input": "Say hello."}),
    }
    print(f"Cosmos requests per operation (mean of {repeat}, background work included):")
    print("| operation | total | by kind |")
    print("|---|---|---|")
    for name, call in operations.items():
        counts.clear()
        for n in range(repeat):
            call(n).raise_for_status()
        settle()
        total = sum(counts.values()) / repeat
        kinds = ", ".join(f"{kind} {value / repeat:.2f}" for kind, value in sorted(counts.items()))
        print(f"| {name} | {total:.2f} | {kinds} |")


if __name__ == "__main__":
    main()
