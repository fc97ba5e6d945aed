"""Soak: 20,000 mixed requests at concurrency 32 against one dev host, looking for errors and leaks.

Usage: .venv/bin/python bench/soak.py [--requests 20000] [--concurrency 32]
Starts the local stack and a dev host (queue triggers on, moderation and auth on) in processes of
their own, then sends a fixed mix: chat completions (streamed and not, some with X-Conversation-Id
so their turns go through the `conversation-events` queue), conversation message writes, message
lists and conversation reads, and moderations. Reports errors, p50/p99 per route, and the dev host's
RSS, open file descriptors and asyncio tasks once idle after the first 1k requests and again after
all of them (the host writes its task and fd counts from inside, every second, to a stats file).
Throughput here is a floor: load generator, host, emulators and simulators share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.issuer import mint_token  # noqa: E402
from devhost.stack import LocalStack, StackPorts, free_port  # noqa: E402

MODEL = "gpt-4o-mini"
USERS = 32
MIX = (
    ("completion", 3),
    ("completion-stream", 3),
    ("completion-stream+conversation", 2),
    ("message-write", 2),
    ("message-list", 2),
    ("conversation-read", 1),
    ("moderation", 2),
)
"""Route and weight: one cycle of 15 requests, repeated."""
LETTERS = str.maketrans("0123456789", "abcdefghij")
"""Request numbers spelt in letters: digits such as "88" read as coded hate to the moderator."""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve_host(port: int, stats_path: str) -> None:
    """The dev host, plus a task writing its own fd and asyncio task counts to `stats_path` each second."""
    from devhost.__main__ import run_loop
    from devhost.server import DevHost

    async def main() -> None:
        host = DevHost(port=port)

        async def stats() -> None:
            while True:
                figures = {
                    "tasks": len(asyncio.all_tasks()),
                    "fds": len(os.listdir("/proc/self/fd")),
                    "at": time.time(),
                }
                Path(stats_path).write_text(json.dumps(figures))  # noqa: ASYNC240 - a few bytes a second
                await asyncio.sleep(1)

        writer = asyncio.create_task(stats())
        try:
            await host.serve()
        finally:
            writer.cancel()

    run_loop(main())


class Soak:
    def __init__(self, url: str, pid: int, total: int, concurrency: int) -> None:
        self.url, self.pid, self.total, self.concurrency = url, pid, total, concurrency
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)
        self.errors: list[str] = []
        self.sent = 0
        self.rss_at_1k = 0.0
        self.idle_at_1k: dict[str, Any] = {}
        self.schedule = [route for route, weight in MIX for _ in range(weight)]
        self.users = [{"Authorization": f"Bearer {mint_token('soak', f'user-{n}')}"} for n in range(USERS)]
        self.conversations: list[str] = []

    async def setup(self, session: aiohttp.ClientSession) -> None:
        for headers in self.users:
            async with session.post(f"{self.url}/api/v1/conversations", json={"title": "soak"}, headers=headers) as r:
                r.raise_for_status()
                self.conversations.append((await r.json())["id"])

    async def one(self, session: aiohttp.ClientSession, number: int) -> None:
        route = self.schedule[number % len(self.schedule)]
        user = number % USERS
        headers, conversation = dict(self.users[user]), self.conversations[user]
        prompt = f"Say something short about item {str(number).translate(LETTERS)}."
        method, path, body = "POST", "/api/v1/chat/completions", None
        if route.startswith("completion"):
            body = {"model": MODEL, "stream": "stream" in route, "messages": [{"role": "user", "content": prompt}]}
            if route.endswith("conversation"):
                headers["X-Conversation-Id"] = conversation
        elif route == "message-write":
            path, body = f"/api/v1/conversations/{conversation}/messages", {"role": "user", "content": prompt}
        elif route == "message-list":
            method, path = "GET", f"/api/v1/conversations/{conversation}/messages?limit=20"
        elif route == "conversation-read":
            method, path = "GET", f"/api/v1/conversations/{conversation}"
        else:
            path, body = "/api/v1/moderations", {"input": prompt}
        started = time.perf_counter()
        try:
            async with session.request(method, self.url + path, json=body, headers=headers) as response:
                payload = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            self.errors.append(f"{route}: {type(error).__name__}")
            self.statuses[route][0] += 1
            return
        self.latencies[route].append((time.perf_counter() - started) * 1000)
        self.statuses[route][status] += 1
        if status >= 300 or ("stream" in route and not payload.rstrip().endswith(b"data: [DONE]")):
            self.errors.append(f"{route} #{number}: {status} {payload[:120]!r}")

    async def run(self, numbers: range) -> None:
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
            if not self.conversations:
                await self.setup(session)
            queue: asyncio.Queue[int] = asyncio.Queue()
            for number in numbers:
                queue.put_nowait(number)

            async def worker() -> None:
                while not queue.empty():
                    number = queue.get_nowait()
                    await self.one(session, number)
                    self.sent += 1

            await asyncio.gather(*(worker() for _ in range(self.concurrency)))


def connections_by_peer(pid: int, names: dict[int, str]) -> Counter[str]:
    """The process's TCP sockets by the port they are connected to (named after the stack's parts)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    peers: Counter[str] = Counter()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                local, remote = int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)
                peers[names.get(remote) or ("listening" if remote == 0 else names.get(local, "inbound"))] += 1
    return peers


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the dev host exited")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def idle_stats(path: Path, settled_s: int = 5, timeout_s: float = 300) -> dict[str, Any]:
    """The host's own figures once it is idle: the same task count `settled_s` readings in a row
    (queued work, such as the turns of completions with X-Conversation-Id, drained)."""
    deadline = time.monotonic() + timeout_s
    readings: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        time.sleep(1)
        if not path.exists():
            continue
        figures: dict[str, Any] = json.loads(path.read_text() or "{}")
        if not figures or (readings and figures.get("at") == readings[-1].get("at")):
            continue
        readings.append(figures)
        last = readings[-settled_s:]
        if len(last) == settled_s and len({r["tasks"] for r in last}) == 1:
            return figures
    return readings[-1] if readings else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--serve-host", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_host:
        serve_host(args.serve_host, args.stats)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    stack = LocalStack(StackPorts.random())
    stack.start()
    stats = Path(f"/tmp/soak-stats-{uuid.uuid4().hex[:8]}.json")
    host: subprocess.Popen[bytes] | None = None
    try:
        port = free_port()
        env = {**os.environ, **stack.settings(), "COSMOS_DATABASE": "copilot-soak", "PYTHONPATH": str(ROOT)}
        command = [sys.executable, __file__, "--serve-host", str(port), "--stats", str(stats)]
        host = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
        wait_until_up(host, f"http://127.0.0.1:{port}/api/health")
        load_before = os.getloadavg()[0]
        soak = Soak(f"http://127.0.0.1:{port}", host.pid, args.requests, args.concurrency)
        first = min(1000, args.requests)
        started = time.monotonic()
        asyncio.run(soak.run(range(first)))
        elapsed = time.monotonic() - started
        soak.idle_at_1k = idle_stats(stats)
        soak.rss_at_1k = rss_mb(host.pid)
        names = {stack.ports.cosmos: "cosmos", stack.ports.queue: "azurite", stack.ports.aoai: "model",
                 stack.ports.content_safety: "content-safety", port: "server"}  # fmt: skip
        sockets_at_1k = connections_by_peer(host.pid, names)
        started = time.monotonic()
        asyncio.run(soak.run(range(first, args.requests)))
        elapsed += time.monotonic() - started
        figures = idle_stats(stats)
        rss_end = rss_mb(host.pid)
        fds_outside = len(os.listdir(f"/proc/{host.pid}/fd"))
        report(soak, elapsed, rss_end, figures, fds_outside, load_before)
        print(f"TCP sockets by peer, idle after 1k: {dict(sockets_at_1k)}")
        print(f"TCP sockets by peer, idle after {soak.sent}: {dict(connections_by_peer(host.pid, names))}")
    finally:
        if host is not None:
            host.send_signal(signal.SIGTERM)
            host.wait(30)
        stack.stop()
        stats.unlink(missing_ok=True)


def report(soak: Soak, elapsed: float, rss_end: float, figures: dict[str, Any], fds: int, load: float) -> None:
    total_errors = len(soak.errors)
    print(
        f"requests: {soak.sent} at concurrency {soak.concurrency} in {elapsed:.1f} s "
        f"({soak.sent / elapsed:.0f} req/s); load average before: {load:.1f}, after: {os.getloadavg()[0]:.1f}"
    )
    print(f"errors: {total_errors}" + (f" (first: {soak.errors[:3]})" if total_errors else ""))
    print("| route | requests | statuses | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for route, _ in MIX:
        values = soak.latencies[route]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(soak.statuses[route].items()))
        if values:
            print(
                f"| {route} | {len(values)} | {statuses} | {statistics.median(values):.1f} | {pct(values, 0.99):.1f} |"
            )
    growth = (rss_end / soak.rss_at_1k - 1) * 100 if soak.rss_at_1k else float("nan")
    print(f"RSS idle after 1k requests: {soak.rss_at_1k:.1f} MB; after {soak.sent}: {rss_end:.1f} MB ({growth:+.1f}%)")
    before = soak.idle_at_1k
    print(f"idle after 1k requests: asyncio tasks {before.get('tasks')}, open fds {before.get('fds')}")
    print(
        f"idle after {soak.sent} requests: asyncio tasks {figures.get('tasks')}, open fds {figures.get('fds')} "
        f"(from outside: {fds})"
    )


if __name__ == "__main__":
    main()
