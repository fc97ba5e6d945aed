"""Dev hosts in processes of their own for the HTTP-level quota test, and the knobs around them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from devhost.paths import PROJECT_ROOT
from devhost.stack import free_port


@dataclass
class HostProcess:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _start(env: Mapping[str, str], log_dir: Path, number: int, queues: bool = False) -> HostProcess:
    port = free_port()
    log = log_dir / f"devhost-{number}-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "devhost", "serve", "--port", str(port), *([] if queues else ["--no-queues"])],
            cwd=PROJECT_ROOT, env=dict(env), stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return HostProcess(process, port, log)


def stop_hosts(hosts: list[HostProcess], grace_s: float = 10.0) -> list[int]:
    """SIGTERM every host, wait for them together, kill the stragglers; the exit codes."""
    for host in hosts:
        if host.process.poll() is None:
            host.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    codes = []
    for host in hosts:
        try:
            codes.append(host.process.wait(max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            host.process.kill()
            codes.append(host.process.wait())
    return codes


@contextmanager
def host_processes(
    count: int, env: Mapping[str, str], log_dir: Path, *, queues: bool = False
) -> Iterator[list[HostProcess]]:
    """`count` dev hosts (`python -m devhost serve`, HTTP only unless `queues`), stopped on the way out."""
    hosts: list[HostProcess] = []
    try:
        for number in range(count):
            hosts.append(_start(env, log_dir, number, queues))
        yield hosts
    finally:
        stop_hosts(hosts)


async def wait_healthy(client: httpx.AsyncClient, hosts: list[HostProcess], timeout_s: float = 60.0) -> None:
    """Until every host answers GET /api/health (any answer: the stack may report a dependency as slow)."""

    async def one(host: HostProcess) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if host.process.poll() is not None:
                raise AssertionError(f"dev host on {host.port} exited:\n{host.log_tail()}")
            try:
                await client.get(f"{host.url}/api/health", timeout=5)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    message = f"dev host on {host.port} never answered:\n{host.log_tail()}"
                    raise AssertionError(message) from None
                await asyncio.sleep(0.1)

    await asyncio.gather(*(one(host) for host in hosts))


@asynccontextmanager
async def simulator_latency(
    client: httpx.AsyncClient, simulator_url: str, first_token_ms: float
) -> AsyncIterator[None]:
    """Slow the shared model simulator down for a while, restoring its previous latency afterwards."""
    before = (await client.get(f"{simulator_url}/_sim/config")).json()["first_token_ms"]
    changed = await client.post(f"{simulator_url}/_sim/config", json={"first_token_ms": first_token_ms})
    changed.raise_for_status()
    try:
        yield
    finally:
        await client.post(f"{simulator_url}/_sim/config", json={"first_token_ms": before})


async def leave_room_in_minute(min_left_s: float) -> None:
    """Quota windows are wall-clock UTC minutes: wait for the next one if this one is nearly over."""
    left = 60.0 - time.time() % 60
    if left < min_left_s:
        await asyncio.sleep(left + 0.2)


def host_env(base: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    env = {**base, **overrides}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), base.get("PYTHONPATH", "")) if p)
    return env
