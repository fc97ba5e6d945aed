"""The fault-injection suite's own stack and dev host process, and the counts each test prints.

Faults stop, freeze or kill real processes, so these tests never share the session's stack: one
stack of their own (Azurite keeping its data on disk, so queues survive its restart) and a dev host
in a process of its own (`python -m devhost serve`, queue triggers on) that a test may SIGKILL.
The app's store timeouts are set short here so that outages can stay short and still be several
times longer than any timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devhost.issuer import mint_token
from devhost.paths import PROJECT_ROOT
from devhost.stack import LocalStack, free_port
from shared.clients import Clients
from shared.settings import load_settings

DATABASE = "copilot-resilience"
MODEL = "gpt-4o-mini"
STORE_TIMEOUTS = {
    "COSMOS_REQUEST_TIMEOUT_SECONDS": "1",
    "COSMOS_RETRY_TOTAL": "1",
    "STORAGE_REQUEST_TIMEOUT_SECONDS": "2",
    "DEVHOST_QUEUE_LEASE_SECONDS": "10",
    "HEALTH_TIMEOUT_SECONDS": "1",
    "HEALTH_MAX_AGE_SECONDS": "0",
}
"""A store call gives up after about 2 x 1 s; a message being processed is leased for 10 s."""
OUTAGE_S = 8.0
"""How long a store stays frozen: several times the longest store-call bound above."""
ANSWER_BOUND_S = 60.0
"""Client timeout: an answer later than this is a hang (the store bound is ~2 s; the slack is for a busy machine)."""
EVENTUAL_S = 120.0
"""Bound for eventual outcomes (queue redelivery after recovery)."""


def stack_env(stack: LocalStack, **overrides: str) -> dict[str, str]:
    env = {**os.environ, **stack.settings(), "COSMOS_DATABASE": DATABASE, **STORE_TIMEOUTS, **overrides}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def app_settings(stack: LocalStack) -> dict[str, str]:
    """The settings the app would read, for `provision` and for clients opened by a test."""
    return {**stack.settings(), "COSMOS_DATABASE": DATABASE}


@dataclass
class AppHost:
    """`python -m devhost serve` with queue triggers, on a free port, logging to `log_dir`."""

    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path.lstrip('/')}"

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"devhost-{self.port}-{self.starts}.log"
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devhost", "serve", "--port", str(self.port)],
                cwd=PROJECT_ROOT, env=self.env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip

    async def ready(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"dev host exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    await client.get(self.api("health"))
                    return
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"dev host never answered:\n{self.log_tail()}") from None
                    await asyncio.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL, as a crash or an instance recycled without notice."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, grace_s: float = 15.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob(f"devhost-{self.port}-*.log")))

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]


_LETTERS = str.maketrans("0123456789abcdef", "bcdfghjmnpqrtvwz")


@contextlib.asynccontextmanager
async def app_clients(stack: LocalStack, **overrides: str) -> AsyncIterator[Clients]:
    """The app's SDK clients against `stack` (with settings `overrides`), closed on the way out."""
    clients = Clients(load_settings(**app_settings(stack), **overrides))
    try:
        yield clients
    finally:
        await clients.aclose()


def word(prefix: str = "") -> str:
    """A unique token of consonants only: digits can read as coded hate numerics ("88") to the moderator
    and random letters can spell a word it refuses ("kill"); a refused prompt is not the fault under test."""
    return prefix + uuid.uuid4().hex[:12].translate(_LETTERS)


def auth(tenant: str, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(tenant, user)}"}


@dataclass
class Tally:
    """What a fault test counted; printed so that CI logs show it."""

    name: str
    sent: int = 0
    acknowledged: int = 0
    stored: int = 0
    duplicated: int = 0
    lost: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def answered(self, status: int) -> None:
        self.sent += 1
        self.statuses[status] += 1
        if 200 <= status < 300:
            self.acknowledged += 1

    def undocumented_5xx(self) -> dict[int, int]:
        return {status: n for status, n in self.statuses.items() if status >= 500 and status != 503}

    def report(self) -> str:
        line = (
            f"[{self.name}] sent={self.sent} acknowledged={self.acknowledged} stored={self.stored} "
            f"duplicated={self.duplicated} lost={self.lost} statuses={dict(sorted(self.statuses.items()))}"
        )
        print(line)
        return line


async def eventually(check: Any, timeout_s: float = EVENTUAL_S, every_s: float = 0.5) -> Any:
    """Poll an async `check` until it returns a truthy value (returned), or fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(every_s)
    raise AssertionError(f"condition not reached within {timeout_s} s; last value: {last!r}")


async def all_messages(
    client: httpx.AsyncClient, host: AppHost, headers: dict[str, str], conversation: str
) -> list[dict[str, Any]]:
    """Every message of a conversation, following cursors."""
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = await client.get(host.api(f"v1/conversations/{conversation}/messages"), params=params, headers=headers)
        page.raise_for_status()
        body = page.json()
        messages.extend(body["data"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return messages
