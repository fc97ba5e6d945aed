"""Gateway vs direct-to-simulator vs a minimal pass-through proxy, in the same run: added latency, time to
first chunk, throughput, CPU, RSS.

Usage: .venv/bin/python bench/gateway.py [--quick] [--rss-requests 20000] [--moderation on|off|both]
       .venv/bin/python bench/gateway.py --focus-only --repeat-focus 3 --moderation both
         (the goal's scenario only: everything on, moderation off, and the reference proxy side by side)
Starts the local stack (emulators + model simulator), a dev host and a reference proxy (a bare
aiohttp pass-through, the yardstick the issue quotes) as subprocesses on free ports, and drives all
three with aiohttp clients at concurrency 1/16/64, streaming and not, with upstream latency 0 and
50 ms (the simulator's first-token delay), with auth and quota on. Every request has its own prompt
(and so its own reply), so no cache sees a repeat. CPU ms/request is the server process's
utime+stime delta (from /proc/<pid>/stat) over its requests; RSS from /proc/<pid>/status.
With --repeat-focus, a framework-floor proxy (the same pass-through on the stack the Functions worker
imposes: FastAPI under uvicorn, the gateway's streaming response class; `--framework-floor off` to skip)
is driven too, so the focus table shows what the framework alone costs over the bare reference.
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
import tempfile
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
SYSTEM = {"role": "system", "content": "You are terse."}


def body_for(number: int, stream: bool) -> bytes:
    """A request of its own: a distinct prompt, so the simulator's reply (words hashed from it) differs too."""
    user = f"Say something short about item {number}."
    messages = [SYSTEM, {"role": "user", "content": user}]
    return json.dumps({"model": MODEL, "messages": messages, "stream": stream}).encode()


_run_serial = 0


def _serial() -> int:
    """Offsets request numbers per run so that no two runs send the same prompt."""
    return _run_serial * 1_000_000


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
    stream: bool,
    concurrency: int,
    total: int,
    pid: int | None,
    stagger_s: float = 0.0,
) -> Run:
    latencies: list[float] = []
    firsts: list[float] = []
    remaining = total
    sent = 0
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            nonlocal sent
            sent += 1
            body = body_for(_serial() + sent, stream)
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

        async def worker(index: int) -> None:
            nonlocal remaining
            # Staggered: worker i starts i/concurrency of an upstream period late, so the clients are
            # not phase-locked; with a fixed upstream latency, simultaneous starts stay in lockstep forever.
            await asyncio.sleep(index * stagger_s)
            while remaining > 0:
                remaining -= 1
                await one()

        global _run_serial
        _run_serial += 1
        for _ in range(min(concurrency, 4)):  # warm the connections
            await one()
        latencies.clear()
        firsts.clear()
        cpu_before = cpu_seconds(pid) if pid else 0.0
        started = time.perf_counter()
        await asyncio.gather(*(worker(index) for index in range(concurrency)))
        wall = time.perf_counter() - started
        cpu = (cpu_seconds(pid) - cpu_before) * 1000 / total if pid else None
    return Run(latencies, firsts, wall, cpu)


async def configure(sim_url: str, latency_ms: float) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sim_url}/_sim/config", json={"first_token_ms": latency_ms}) as response:
            response.raise_for_status()
        async with session.post(f"{sim_url}/_sim/reset", json={}) as response:
            response.raise_for_status()


def wait_until_up(process: subprocess.Popen[bytes], url: str) -> subprocess.Popen[bytes]:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # it answers
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{url} did not come up")


def start_host(env: dict[str, str], port: int, profile: str | None, tree: Path = ROOT) -> subprocess.Popen[bytes]:
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    process = subprocess.Popen(
        [sys.executable, *profiler, "-m", "devhost", "serve", "--port", str(port), "--no-queues"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return wait_until_up(process, f"http://127.0.0.1:{port}/api/health")


SINK_RECEIVED: dict[str, int] = {}
"""OTLP export requests the sink received, per path (`/v1/traces`, ...)."""


def start_telemetry_sink() -> str:
    """An OTLP/HTTP endpoint that accepts and drops everything, so the hosts export spans, metrics and
    logs as deployed (batching, encoding, sending) without a collector; it runs in the load generator's
    process, whose CPU is not counted."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            SINK_RECEIVED[self.path] = SINK_RECEIVED.get(self.path, 0) + 1
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def start_reference(port: int, upstream: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "--serve-reference", str(port), "--upstream", upstream]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    return wait_until_up(process, f"http://127.0.0.1:{port}/")


def serve_reference(port: int, upstream: str) -> None:
    """The yardstick: a bare aiohttp pass-through (no auth, quota, moderation or telemetry) on uvloop."""
    import uvloop
    from aiohttp import web

    async def proxy(request: web.Request) -> web.StreamResponse:
        session: aiohttp.ClientSession = request.app["session"]
        body = await request.read()
        headers = {"api-key": SIMULATOR_API_KEY, "Content-Type": "application/json"}
        async with session.post(upstream, data=body, headers=headers) as answer:
            response = web.StreamResponse(status=answer.status)
            response.content_type = answer.content_type
            await response.prepare(request)
            async for chunk in answer.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    async def start(app: web.Application) -> None:
        app["session"] = aiohttp.ClientSession(auto_decompress=False)

    async def stop(app: web.Application) -> None:
        await app["session"].close()

    app = web.Application()
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/proxy", proxy)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, loop=uvloop.new_event_loop())


def start_framework_floor(port: int, upstream: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "--serve-framework-floor", str(port), "--upstream", upstream]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    return wait_until_up(process, f"http://127.0.0.1:{port}/")


def serve_framework_floor(port: int, upstream: str) -> None:
    """What the Functions worker's stack costs on its own: a pass-through proxy as a FastAPI route under
    uvicorn (httptools, uvloop, as the dev host serves), answered with the gateway's streaming response
    class, upstream over an aiohttp session set up as `shared.clients` sets up the gateway's; no auth,
    quota, moderation, parsing or telemetry."""
    from collections.abc import AsyncIterator

    import uvicorn
    import uvloop
    from fastapi import FastAPI, Request

    from shared.web import LeanStreamingResponse

    sessions: list[aiohttp.ClientSession] = []

    def session() -> aiohttp.ClientSession:
        if not sessions:
            sessions.append(
                aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=300, keepalive_timeout=60),
                    timeout=aiohttp.ClientTimeout(total=300.0, connect=3.0),
                    auto_decompress=False,
                )
            )
        return sessions[0]

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    async def proxy(request: Request) -> LeanStreamingResponse:
        body = await request.body()
        headers = {"api-key": SIMULATOR_API_KEY, "Content-Type": "application/json"}
        answer = await session().post(upstream, data=body, headers=headers)

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.content.iter_any():
                    yield chunk
            finally:
                answer.release()

        return LeanStreamingResponse(relay(), answer.status, media_type=answer.content_type)

    proxy.__annotations__ = {"request": Request, "return": LeanStreamingResponse}  # this module's are strings
    app.add_api_route("/proxy", proxy, methods=["POST"])

    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", http="httptools", access_log=False
    )
    with contextlib.suppress(KeyboardInterrupt):  # the bench stops it with SIGINT
        uvloop.run(uvicorn.Server(config).serve())


def percentiles(run: Run) -> tuple[float, float, float]:
    return run.pct(run.latencies_ms, 0.5), run.pct(run.latencies_ms, 0.99), run.pct(run.first_chunk_ms, 0.5)


async def bench(
    args: argparse.Namespace,
    sim_url: str,
    hosts: list[tuple[str, str, int]],
    ref_url: str,
    ref_pid: int,
    floor: tuple[str, int] | None = None,
) -> None:
    """`hosts`: (label, base URL, pid) per dev host; the table uses the first, the focus all of them;
    `floor`: (URL, pid) of the framework-floor proxy, a focus target before the reference."""
    _, host_url, pid = hosts[0]
    token = mint_token("bench-tenant", "bench-user", lifetime_s=7200)
    gateway_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    direct_headers = {"api-key": SIMULATOR_API_KEY, "Content-Type": "application/json"}
    direct_url = f"{sim_url}/openai/deployments/{MODEL}/chat/completions?api-version=2024-10-21"
    gateway_url = f"{host_url}/api/v1/chat/completions"
    sizes = {1: 60, 16: 320, 64: 640} if args.quick else {1: 150, 16: 800, 64: 1600}
    if not args.focus_only:
        print(
            "| upstream | arrivals | mode | conc | direct p50/p99 ms | gateway p50/p99 ms | added p50/p99 ms "
            "| first chunk direct/gateway p50 ms | throughput ratio | gateway CPU ms/req "
            "| reference added p50 ms | reference CPU ms/req |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    scenarios = [] if args.focus_only else [(0, "burst"), (50, "burst"), (50, "staggered")]
    for latency, arrivals in scenarios:
        await configure(sim_url, latency)
        for stream in (False, True):
            for concurrency, total in sizes.items():
                stagger = latency / 1000 / concurrency if arrivals == "staggered" else 0.0
                direct = await drive(direct_url, direct_headers, stream, concurrency, total, None, stagger)
                via = await drive(gateway_url, gateway_headers, stream, concurrency, total, pid, stagger)
                ref = await drive(
                    ref_url, {"Content-Type": "application/json"}, stream, concurrency, total, ref_pid, stagger
                )
                (d50, d99, f_d), (g50, g99, f_g), (r50, _, _) = percentiles(direct), percentiles(via), percentiles(ref)
                print(
                    f"| {latency} ms | {arrivals} | {'stream' if stream else 'json'} | {concurrency} "
                    f"| {d50:.2f} / {d99:.2f} | {g50:.2f} / {g99:.2f} | {g50 - d50:+.2f} / {g99 - d99:+.2f} "
                    f"| {f_d:.2f} / {f_g:.2f} | {via.rps / direct.rps:.2f} | {via.cpu_ms_per_request:.2f} "
                    f"| {r50 - d50:+.2f} | {ref.cpu_ms_per_request:.2f} |",
                    flush=True,
                )
    if args.repeat_focus:
        targets = [
            (f"gateway, {label}", f"{url}/api/v1/chat/completions", gateway_headers, pid) for label, url, pid in hosts
        ]
        if floor is not None:
            targets.append(("framework floor", floor[0], {"Content-Type": "application/json"}, floor[1]))
        targets.append(("reference proxy", ref_url, {"Content-Type": "application/json"}, ref_pid))
        await focus(args.repeat_focus, sim_url, direct_url, direct_headers, targets)
    await configure(sim_url, 0)
    if args.focus_only:
        return
    samples = [rss_mb(pid)]
    step = args.rss_requests // 10
    for _ in range(10):
        await drive(gateway_url, gateway_headers, False, 64, step, pid)
        samples.append(rss_mb(pid))
    print(
        f"\nRSS of the dev host over {args.rss_requests} more requests (MB, every {step}): "
        + ", ".join(f"{value:.1f}" for value in samples)
    )


async def focus(
    rounds: int,
    sim_url: str,
    direct_url: str,
    direct_headers: dict[str, str],
    targets: list[tuple[str, str, dict[str, str], int]],
) -> None:
    """The goal's scenario (50 ms upstream, concurrency 16) repeated, targets interleaved within each round,
    medians of rounds; CPU ratios against the last target (the reference proxy)."""
    await configure(sim_url, 50)
    print(f"\nFocus: 50 ms upstream, concurrency 16, {rounds} rounds of 800 requests per target")
    print(
        "| arrivals | mode | target | added p50 ms per round | median added p50 ms | CPU ms/req per round "
        "| median CPU ms/req | CPU ratio to reference |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for arrivals in ("burst", "staggered"):
        stagger = 0.05 / 16 if arrivals == "staggered" else 0.0
        for stream in (False, True):
            added: dict[str, list[float]] = {label: [] for label, *_ in targets}
            cpu: dict[str, list[float]] = {label: [] for label, *_ in targets}
            for _ in range(rounds):
                d50 = percentiles(await drive(direct_url, direct_headers, stream, 16, 800, None, stagger))[0]
                for label, url, headers, pid in targets:
                    run = await drive(url, headers, stream, 16, 800, pid, stagger)
                    added[label].append(percentiles(run)[0] - d50)
                    cpu[label].append(run.cpu_ms_per_request or 0.0)
            reference_cpu = max(statistics.median(cpu[targets[-1][0]]), 1e-9)
            for label, *_ in targets:
                print(
                    f"| {arrivals} | {'stream' if stream else 'json'} | {label} "
                    f"| {', '.join(f'{a:+.2f}' for a in added[label])} | {statistics.median(added[label]):+.2f} "
                    f"| {', '.join(f'{c:.2f}' for c in cpu[label])} | {statistics.median(cpu[label]):.2f} "
                    f"| {statistics.median(cpu[label]) / reference_cpu:.2f} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer requests per scenario")
    parser.add_argument("--rss-requests", type=int, default=20_000)
    parser.add_argument(
        "--moderation",
        choices=("on", "off", "both"),
        default="on",
        help="MODERATION_ENABLED of the host; both: two hosts (on, off), side by side in the focus rounds",
    )
    parser.add_argument(
        "--telemetry",
        choices=("on", "off"),
        default="off",
        help="on: the hosts export traces, metrics and logs over OTLP to a discarding sink",
    )
    parser.add_argument(
        "--trace-ratio",
        type=float,
        default=1.0,
        help="with --telemetry on: share of traces sampled (deployed: Azure Monitor's 5 traces/s per instance)",
    )
    parser.add_argument("--profile", help="write a cProfile of the dev host to this file")
    parser.add_argument(
        "--repeat-focus",
        type=int,
        default=0,
        metavar="N",
        help="also repeat the goal's scenario (50 ms, concurrency 16) N times and report medians",
    )
    parser.add_argument("--focus-only", action="store_true", help="skip the table; run only --repeat-focus")
    parser.add_argument(
        "--framework-floor",
        choices=("on", "off"),
        default="on",
        help="with --repeat-focus: also drive a pass-through proxy on the worker's stack (FastAPI under uvicorn)",
    )
    parser.add_argument(
        "--time-moderator",
        action="store_true",
        help="time the embedded analyses inside the first dev host (bench/host_probe) and in a warm loop here",
    )
    parser.add_argument(
        "--compare-tree",
        metavar="DIR",
        help="also run each dev host from this source tree (e.g. `git archive` of an older commit), side by side",
    )
    parser.add_argument("--serve-reference", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-framework-floor", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--upstream", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_reference:
        serve_reference(args.serve_reference, args.upstream)
        return
    if args.serve_framework_floor:
        serve_framework_floor(args.serve_framework_floor, args.upstream)
        return
    stack = LocalStack(StackPorts.random())
    stack.start()
    processes: list[subprocess.Popen[bytes]] = []
    probe = ""
    try:
        port, ref_port = free_port(), free_port()
        env = {**os.environ, **stack.settings(), "COSMOS_DATABASE": "copilot-bench"}
        if args.telemetry == "on":
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = start_telemetry_sink()
            env["OTEL_TRACES_SAMPLER"] = "traceidratio"
            env["OTEL_TRACES_SAMPLER_ARG"] = str(args.trace_ratio)
        sim_url = f"http://127.0.0.1:{stack.ports.aoai}"
        upstream = f"{sim_url}/openai/deployments/{MODEL}/chat/completions?api-version=2024-10-21"
        hosts: list[tuple[str, str, int]] = []
        for moderation in ("on", "off") if args.moderation == "both" else (args.moderation,):
            host_env = {**env, "MODERATION_ENABLED": "true" if moderation == "on" else "false"}
            if args.time_moderator and not hosts:
                probe = str(Path(tempfile.mkdtemp()) / "analyses.json")
                python_path = [str(ROOT / "bench" / "host_probe"), env.get("PYTHONPATH", "")]
                host_env |= {"GATEWAY_BENCH_PROBE": probe, "PYTHONPATH": os.pathsep.join(filter(None, python_path))}
            host = start_host(host_env, port, args.profile if not hosts else None)
            processes.append(host)
            hosts.append((f"moderation {moderation}", f"http://127.0.0.1:{port}", host.pid))
            port = free_port()
            if args.compare_tree:
                tree = Path(args.compare_tree).resolve()
                host = start_host(host_env, port, None, tree)
                processes.append(host)
                hosts.append((f"moderation {moderation}, {tree.name}", f"http://127.0.0.1:{port}", host.pid))
                port = free_port()
        reference = start_reference(ref_port, upstream)
        processes.append(reference)
        ref_url = f"http://127.0.0.1:{ref_port}/proxy"
        floor: tuple[str, int] | None = None
        if args.repeat_focus and args.framework_floor == "on":
            floor_port = free_port()
            floor_process = start_framework_floor(floor_port, upstream)
            processes.append(floor_process)
            floor = (f"http://127.0.0.1:{floor_port}/proxy", floor_process.pid)
        asyncio.run(bench(args, sim_url, hosts, ref_url, reference.pid, floor))
        for label, _, pid in hosts:
            print(f"final RSS of the dev host ({label}): {rss_mb(pid):.1f} MB")
        if args.telemetry == "on":
            print(f"OTLP export requests received: {dict(sorted(SINK_RECEIVED.items()))}")
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)  # lets a profiled host write its profile
            process.wait(30)
        stack.stop()
    if probe:
        report_moderator_time(probe)


def report_moderator_time(probe: str) -> None:
    """The engine's CPU per analysis inside the serving host, beside the same kind of texts in a warm loop."""
    from shared.moderation.embedded import EmbeddedModerator

    in_host = json.loads(Path(probe).read_text())
    moderator = EmbeddedModerator()
    texts = [json.loads(body_for(number, False))["messages"] for number in range(9_000_000, 9_002_000)]
    prompts = ["\n\n".join(message["content"] for message in messages) for messages in texts]
    started = time.thread_time()
    for prompt in prompts:
        moderator.analyze_sync(prompt)
    warm = (time.thread_time() - started) * 1000 / len(prompts)
    per_call = in_host["seconds"] * 1000 / max(1, in_host["calls"])
    print(
        f"embedded analyses in the first dev host: {in_host['calls']} in {in_host['seconds']:.2f} s CPU, "
        f"{per_call:.3f} ms each; the bench's prompts in a warm loop here: {warm:.3f} ms each"
    )


if __name__ == "__main__":
    main()
