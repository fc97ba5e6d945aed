"""Does hostile moderation input stall the instance? /api/health latency while 32 KB adversarial texts run.

Usage (from the project root):
    .venv/bin/python bench/moderation_stall.py [--seconds 30] [--attackers 8] [--rounds 1] [--with-inline]

The local stack and a dev host (moderation on, embedded provider) as a subprocess. One prober calls
GET /api/health every 20 ms, first with the host idle, then while `--attackers` clients each post a
32,000-character adversarial text (spaced letters of harm keywords, the rule engine's worst case;
each one distinct, so the service's analysis cache never answers) to
POST /api/v1/moderations in a loop. Each attacker's answer is counted by status (200: analysed in
time; 503 moderation_timeout: failed closed at the budget). It only calls the public routes, so it
measures whichever moderation engine the host runs.

Two hosts side by side, one after the other on the same stack (`--rounds` repeats the pair): "per-probe
checks" answers every probe with a fresh round of dependency calls (HEALTH_MAX_AGE_SECONDS=0, the
behaviour before health reports were shared), "default settings" answers from a report at most
HEALTH_MAX_AGE_SECONDS old. `--with-inline` adds a host that analyses every text on its event loop
(MODERATION_INLINE_CHARS above the text size, the behaviour before offloading).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.moderation_gateway import quantile, start_host  # noqa: E402
from devhost.issuer import mint_token  # noqa: E402
from devhost.stack import LocalStack, StackPorts, free_port  # noqa: E402

ADVERSARIAL = ("k i l l " * 4000)[:32_000]
PROBE_INTERVAL_S = 0.02


async def probe(session: aiohttp.ClientSession, url: str, seconds: float) -> list[float]:
    samples: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        async with session.get(url) as response:
            await response.read()
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(PROBE_INTERVAL_S)
    return samples


async def attack(session: aiohttp.ClientSession, url: str, headers: dict[str, str], stop: asyncio.Event,
                 statuses: collections.Counter[str]) -> None:  # fmt: skip
    while not stop.is_set():
        text = f"{uuid.uuid4().hex} {ADVERSARIAL}"[: len(ADVERSARIAL)]  # distinct: no analysis-cache hit
        async with session.post(url, json={"input": text}, headers=headers) as response:
            body = await response.json(content_type=None) if response.content_type == "application/json" else {}
        code = body.get("error", {}).get("code") if response.status != 200 else None
        statuses[f"{response.status}{' ' + code if code else ''}"] += 1


async def scenario(host: str, seconds: float, attackers: int) -> tuple[list[float], list[float], dict[str, int]]:
    token = mint_token("bench-stall", "bench-user", lifetime_s=7200)
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await probe(session, f"{host}/api/health", 2)  # warm-up
        idle = await probe(session, f"{host}/api/health", seconds)
        stop, statuses = asyncio.Event(), collections.Counter[str]()
        tasks = [
            asyncio.ensure_future(attack(session, f"{host}/api/v1/moderations", headers, stop, statuses))
            for _ in range(attackers)
        ]
        await asyncio.sleep(1)  # every attacker's first text is in analysis
        loaded = await probe(session, f"{host}/api/health", seconds)
        stop.set()
        await asyncio.wait(tasks, timeout=600)
    return idle, loaded, dict(statuses)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--with-inline", action="store_true")
    args = parser.parse_args()

    stack = LocalStack(StackPorts.random())
    stack.start()
    variants: dict[str, dict[str, str]] = {
        "per-probe checks (HEALTH_MAX_AGE_SECONDS=0)": {"HEALTH_MAX_AGE_SECONDS": "0"},
        "default settings": {},
    }
    if args.with_inline:
        variants["inline (MODERATION_INLINE_CHARS=100000)"] = {"MODERATION_INLINE_CHARS": "100000"}
    rows = []
    try:
        base = {**os.environ, **stack.settings(), "COSMOS_DATABASE": "copilot-bench", "MODERATION_PROVIDER": "embedded"}
        for name, extra in [item for _ in range(args.rounds) for item in variants.items()]:
            port = free_port()
            process = start_host({**base, **extra}, port)
            try:
                rows.append((name, *asyncio.run(scenario(f"http://127.0.0.1:{port}", args.seconds, args.attackers))))
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
    finally:
        stack.stop()

    load = os.getloadavg()[0]
    print(f"/api/health while {args.attackers} clients post 32,000-character adversarial texts, {args.seconds:g} s"
          f" (load average at the end: {load:.1f})\n")  # fmt: skip
    print("| host | idle p50 / p99 ms | under attack p50 / p99 / max ms | probes | attackers' answers |")
    print("|---|---|---|---|---|")
    for name, idle, loaded, statuses in rows:
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        print(f"| {name} | {quantile(idle, 0.5):.1f} / {quantile(idle, 0.99):.1f} "
              f"| {quantile(loaded, 0.5):.1f} / {quantile(loaded, 0.99):.1f} / {max(loaded):.1f} "
              f"| {len(loaded)} | {answers} |")  # fmt: skip


if __name__ == "__main__":
    main()
