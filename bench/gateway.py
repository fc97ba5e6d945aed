"""Gateway vs direct-to-simulator, in the same run: added latency, time to first chunk, throughput, CPU, RSS.

Usage: .venv/bin/python bench/gateway.py [--quick] [--rss-requests 20000]
Starts the local stack (emulators + model simulator) and a dev host as subprocesses on free ports,
drives both with aiohttp clients at concurrency 1/16/64, streaming and not, with upstream latency
0 and 50 ms (the simulator's first-token delay), with auth and quota on. CPU ms/request is the dev
host process's utime+stime delta (from /proc/<pid>/stat) over its requests; RSS from /proc/<pid>/status.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.issuer import mint_token  # noqa: E402
from devhost.stack import SIMULATOR_API_KEY, LocalStack, StackPorts, free_port  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MODEL = "gpt-4o-mini"
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say something short."},
]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Run:
    latencies_ms: list[float]
    first_chunk_ms: list[float]
    wall_s: float
    cpu_ms_per_request: float | None

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.wall_s

    def pct(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(
    url: str,
    headers: dict[str, str],
    body: bytes,
    stream: bool,
    concurrency: int,
    total: int,
    pid: int | None,
) -> Run:
    latencies: list[float] = []
    firsts: list[float] = []
    remaining = total
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                if response.status != 200:
                    raise RuntimeError(f"{url}: {response.status} {await response.text()}")
                first = None
                async for _ in response.content.iter_any():
                    if first is None:
                        first = time.perf_counter()
            ended = time.perf_counter()
            latencies.append((ended - started) * 1000)
            firsts.append(((first or ended) - started) * 1000)

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await one()

        for _ in range(min(concurrency, 4)):  # warm the connections and caches
            await one()
        latencies.clear()
        firsts.clear()
        cpu_before = cpu_seconds(pid) if pid else 0.0
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        cpu = (cpu_seconds(pid) - cpu_before) * 1000 / total if pid else None
    return Run(latencies, firsts, wall, cpu)


async def configure(sim_url: str, latency_ms: float) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sim_url}/_sim/config", json={"first_token_ms": latency_ms}) as response:
            response.raise_for_status()
        async with session.post(f"{sim_url}/_sim/reset", json={}) as response:
            response.raise_for_status()


def start_host(env: dict[str, str], port: int, profile: str | None) -> subprocess.Popen[bytes]:
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    process = subprocess.Popen(
        [sys.executable, *profiler, "-m", "devhost", "serve", "--port", str(port), "--no-queues"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            import urllib.request

            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("dev host did not start")


async def bench(args: argparse.Namespace, sim_url: str, host_url: str, pid: int) -> None:
    token = mint_token("bench-tenant", "bench-user", lifetime_s=7200)
    gateway_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    direct_headers = {"api-key": SIMULATOR_API_KEY, "Content-Type": "application/json"}
    direct_url = f"{sim_url}/openai/deployments/{MODEL}/chat/completions?api-version=2024-10-21"
    gateway_url = f"{host_url}/api/v1/chat/completions"
    sizes = {1: 60, 16: 320, 64: 640} if args.quick else {1: 150, 16: 800, 64: 1600}
    print(
        "| upstream | mode | conc | direct p50/p99 ms | gateway p50/p99 ms | added p50/p99 ms "
        "| first chunk direct/gateway p50 ms | throughput ratio | host CPU ms/req |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for latency in (0, 50):
        await configure(sim_url, latency)
        for stream in (False, True):
            body = json.dumps({"model": MODEL, "messages": MESSAGES, "stream": stream}).encode()
            for concurrency, total in sizes.items():
                direct = await drive(direct_url, direct_headers, body, stream, concurrency, total, None)
                via = await drive(gateway_url, gateway_headers, body, stream, concurrency, total, pid)
                d50, d99 = direct.pct(direct.latencies_ms, 0.5), direct.pct(direct.latencies_ms, 0.99)
                g50, g99 = via.pct(via.latencies_ms, 0.5), via.pct(via.latencies_ms, 0.99)
                f_d, f_g = direct.pct(direct.first_chunk_ms, 0.5), via.pct(via.first_chunk_ms, 0.5)
                print(
                    f"| {latency} ms | {'stream' if stream else 'json'} | {concurrency} "
                    f"| {d50:.2f} / {d99:.2f} | {g50:.2f} / {g99:.2f} | {g50 - d50:+.2f} / {g99 - d99:+.2f} "
                    f"| {f_d:.2f} / {f_g:.2f} | {via.rps / direct.rps:.2f} | {via.cpu_ms_per_request:.2f} |",
                    flush=True,
                )
    await configure(sim_url, 0)
    body = json.dumps({"model": MODEL, "messages": MESSAGES}).encode()
    samples = [rss_mb(pid)]
    step = args.rss_requests // 10
    for _ in range(10):
        await drive(gateway_url, gateway_headers, body, False, 64, step, pid)
        samples.append(rss_mb(pid))
    print(
        f"\nRSS of the dev host over {args.rss_requests} more requests (MB, every {step}): "
        + ", ".join(f"{value:.1f}" for value in samples)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer requests per scenario")
    parser.add_argument("--rss-requests", type=int, default=20_000)
    parser.add_argument("--profile", help="write a cProfile of the dev host to this file")
    args = parser.parse_args()
    stack = LocalStack(StackPorts.random())
    stack.start()
    host = None
    try:
        port = free_port()
        env = {**os.environ, **stack.settings(), "COSMOS_DATABASE": "copilot-bench"}
        host = start_host(env, port, args.profile)
        asyncio.run(bench(args, f"http://127.0.0.1:{stack.ports.aoai}", f"http://127.0.0.1:{port}", host.pid))
        print(f"\nfinal RSS of the dev host: {rss_mb(host.pid):.1f} MB")
    finally:
        if host is not None:
            host.send_signal(signal.SIGINT)  # lets a profiled host write its profile
            host.wait(30)
        stack.stop()


if __name__ == "__main__":
    main()
