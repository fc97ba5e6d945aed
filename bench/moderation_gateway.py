"""Moderation cost, in one run: embedded latency per 1 KB prompt, and the gateway's added p50 with it on vs off.

Usage (from the project root):
    .venv/bin/python bench/moderation_gateway.py [--calls 2000] [--requests 300]

Part 1 (in process): EmbeddedModerator.analyze() and ModerationService.moderate() (analysis + policy +
decision, the gateway's per-prompt work) on distinct 1 KB prompts; wall-clock per awaited call. No timed
text repeats one seen before (warm-up included), so the service's analysis cache never answers.
Part 2: the local stack, plus two dev hosts as subprocesses that differ only in MODERATION_ENABLED, each
in front of the same model simulator (no simulated latency). Requests with a 1 KB user prompt go one at
a time, round-robin over direct-to-simulator, gateway with moderation off, and gateway with it on, so
all three see the same machine conditions. Added p50 = gateway p50 - direct p50.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.issuer import mint_token  # noqa: E402
from devhost.stack import SIMULATOR_API_KEY, LocalStack, StackPorts, free_port  # noqa: E402
from shared.moderation.embedded import EmbeddedModerator  # noqa: E402
from shared.moderation.policy import PolicyStore, policy_from_setting  # noqa: E402
from shared.moderation.service import ModerationService  # noqa: E402

MODEL = "gpt-4o-mini"
PHRASES = (
    "Could you outline a rollout plan for the new billing service across three regions?",
    "List the trade-offs between a queue-based design and direct HTTP calls for order intake.",
    "Rewrite this paragraph so that it reads well for a non-technical audience of managers.",
    "Which indexes would speed up a query that filters orders by customer and sorts by date?",
    "Suggest names for an internal tool that tracks laptop loans in the London office.",
    "Contact the vendor at orders@supplier.example or call +44 20 7946 0958 before Friday.",
    "Explain how retries with jitter avoid synchronised load spikes after an outage.",
    "Turn these bullet points into a short status update for the weekly engineering sync.",
    "What should a checklist for reviewing a pull request that changes the database schema hold?",
    "Compare two approaches to caching user profiles and recommend one for a read-heavy API.",
)


def prompt_of(rng: random.Random, size: int = 1024) -> str:
    words: list[str] = []
    while sum(len(word) + 1 for word in words) < size:
        words.extend(rng.choice(PHRASES).split())
        rng.shuffle(words[-6:])
    return " ".join(words)[:size]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def embedded_latency(calls: int) -> dict[str, tuple[float, float, float]]:
    rng = random.Random(7)
    warm_up = [prompt_of(rng) for _ in range(100)]
    prompts = [prompt_of(rng) for _ in range(calls)]
    moderator = EmbeddedModerator()
    service = ModerationService(moderator, PolicyStore(None, policy_from_setting(None)))
    timings: dict[str, tuple[float, float, float]] = {}
    for name, call in (
        ("EmbeddedModerator.analyze", lambda text: moderator.analyze(text)),
        ("ModerationService.moderate", lambda text: service.moderate(text, tenant_id="bench")),
    ):
        for text in warm_up:  # distinct from the timed prompts: the service caches analyses of repeated texts
            await call(text)
        samples = []
        for text in prompts:
            started = time.perf_counter()
            await call(text)
            samples.append((time.perf_counter() - started) * 1000)
        timings[name] = (quantile(samples, 0.5), quantile(samples, 0.99), statistics.fmean(samples))
    return timings


def start_host(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "devhost", "serve", "--port", str(port), "--no-queues"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("dev host did not start")


async def timed(session: aiohttp.ClientSession, url: str, headers: dict[str, str], body: bytes) -> float:
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {await response.text()}")
        async for _ in response.content.iter_any():
            pass
    return (time.perf_counter() - started) * 1000


async def gateway_latency(sim: str, hosts: dict[str, str], requests: int) -> dict[tuple[str, bool], list[float]]:
    token = mint_token("bench-moderation", "bench-user", lifetime_s=7200)
    gateway_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    targets = {
        "direct": (f"{sim}/openai/deployments/{MODEL}/chat/completions?api-version=2024-10-21",
                   {"api-key": SIMULATOR_API_KEY, "Content-Type": "application/json"}),
        **{name: (f"{url}/api/v1/chat/completions", gateway_headers) for name, url in hosts.items()},
    }  # fmt: skip
    rng = random.Random(11)
    results: dict[tuple[str, bool], list[float]] = {}
    async with aiohttp.ClientSession() as session:
        for stream in (False, True):
            bodies = [
                json.dumps({"model": MODEL, "stream": stream,
                            "messages": [{"role": "user", "content": prompt_of(rng)}]}).encode()
                for _ in range(requests + 20)
            ]  # fmt: skip
            warm_up, bodies = bodies[:20], bodies[20:]  # no timed prompt repeats one the gateway saw
            for name, (url, headers) in targets.items():
                for body in warm_up:  # connections, policy cache, rule compilation
                    await timed(session, url, headers, body)
                results[(name, stream)] = []
            for body in bodies:
                for name, (url, headers) in targets.items():
                    results[(name, stream)].append(await timed(session, url, headers, body))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000, help="in-process moderation calls")
    parser.add_argument("--requests", type=int, default=300, help="requests per target and mode")
    args = parser.parse_args()

    print(f"Embedded moderation on 1 KB prompts ({args.calls} distinct prompts)\n")
    print("| call | p50 ms | p99 ms | mean ms |\n|---|---|---|---|")
    for name, (p50, p99, mean) in asyncio.run(embedded_latency(args.calls)).items():
        print(f"| {name} | {p50:.3f} | {p99:.3f} | {mean:.3f} |")

    stack = LocalStack(StackPorts.random())
    stack.start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        base = {**os.environ, **stack.settings(), "COSMOS_DATABASE": "copilot-bench", "MODERATION_PROVIDER": "embedded"}
        hosts: dict[str, str] = {}
        for name, enabled in (("moderation off", "false"), ("moderation on", "true")):
            port = free_port()
            processes.append(start_host({**base, "MODERATION_ENABLED": enabled}, port))
            hosts[name] = f"http://127.0.0.1:{port}"
        results = asyncio.run(gateway_latency(f"http://127.0.0.1:{stack.ports.aoai}", hosts, args.requests))
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        stack.stop()

    print(f"\nGateway with a 1 KB prompt, concurrency 1, {args.requests} requests per target and mode\n")
    print("| mode | direct p50 ms | gateway off p50 ms | gateway on p50 ms | added p50 off / on ms "
          "| moderation adds p50 ms |\n|---|---|---|---|---|---|")  # fmt: skip
    for stream in (False, True):
        direct, off, on = (quantile(results[(name, stream)], 0.5) for name in ("direct", *hosts))
        print(f"| {'stream' if stream else 'json'} | {direct:.2f} | {off:.2f} | {on:.2f} "
              f"| {off - direct:+.2f} / {on - direct:+.2f} | {on - off:+.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
