"""Dependency checks behind GET /api/health, at most one round in flight and served from a recent report.

The route is anonymous, so a probe must neither cost the dependencies a call per request (anyone could
turn it into load on Cosmos DB) nor wait on them while a report a moment old would do: a probe answers
from the last report while it is younger than `HEALTH_MAX_AGE_SECONDS`, starts one refresh in the
background once that report is half that age, and waits for a fresh round only when there is no report
young enough. Concurrent probes share one round. So under any load a probe costs the serving process
a lookup, and the report it gets is never older than the setting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from shared.clients import Clients
from shared.resources import QUEUES

Check = Callable[[], Awaitable[None]]
SERVICE_KEY = "health"


async def _timed(name: str, check: Check, timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout_s)
        status, error = "ok", None
    except TimeoutError:
        status, error = "failed", f"no answer within {timeout_s:g} s"
    except Exception as exc:  # a health probe reports every failure instead of raising
        status, error = "failed", f"{type(exc).__name__}: {str(exc)[:200]}"
    result: dict[str, Any] = {
        "name": name,
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if error:
        result["error"] = error
    return result


async def _upstream_reachable(session: aiohttp.ClientSession, endpoint: str) -> None:
    # Any HTTP answer proves the endpoint is reachable; auth is checked on real calls.
    async with session.get(endpoint, allow_redirects=False) as response:
        await response.read()


def _checks(clients: Clients) -> dict[str, Check]:
    async def cosmos() -> None:
        await clients.database.read()

    async def storage() -> None:
        await clients.queues.get_queue_client(QUEUES[0]).get_queue_properties()

    checks: dict[str, Check] = {"cosmos": cosmos, "storage": storage}
    endpoints = sorted({backend.endpoint for backend in clients.settings.openai_backends})
    for index, endpoint in enumerate(endpoints):
        name = "upstream" if len(endpoints) == 1 else f"upstream:{index}"

        async def upstream(endpoint: str = endpoint) -> None:
            await _upstream_reachable(clients.http, endpoint)

        checks[name] = upstream
    return checks


class HealthMonitor:
    """The latest dependency report of one set of clients and the single round that refreshes it."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._max_age_s = clients.settings.health_max_age_s
        self._report: tuple[bool, dict[str, Any]] | None = None
        self._checked_at = 0.0
        self._round: asyncio.Task[tuple[bool, dict[str, Any]]] | None = None
        self.rounds = 0
        """Dependency rounds run so far."""
        clients.on_close(self.aclose)

    async def report(self) -> tuple[bool, dict[str, Any]]:
        age = time.monotonic() - self._checked_at
        if self._report is not None and age < self._max_age_s:
            if age >= self._max_age_s / 2:
                self._refresh()
            return self._report
        return await asyncio.shield(self._refresh())

    def _refresh(self) -> asyncio.Task[tuple[bool, dict[str, Any]]]:
        if self._round is None:
            self._round = asyncio.ensure_future(self._run_round())
        return self._round

    async def _run_round(self) -> tuple[bool, dict[str, Any]]:
        started = time.monotonic()
        try:
            self.rounds += 1
            report = await _check_all(self._clients)
            self._report, self._checked_at = report, started
            return report
        finally:
            self._round = None

    async def aclose(self) -> None:
        if self._round is not None:
            self._round.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._round


def anonymous_view(report: dict[str, Any]) -> dict[str, Any]:
    """The report without failure details: exception text may name hosts, accounts or paths."""
    return {**report, "dependencies": [{k: v for k, v in d.items() if k != "error"} for d in report["dependencies"]]}


async def check_health(clients: Clients) -> tuple[bool, dict[str, Any]]:
    """The clients' health report, at most `HEALTH_MAX_AGE_SECONDS` old (see the module's docstring)."""
    return await clients.service(SERVICE_KEY, HealthMonitor).report()


async def _check_all(clients: Clients) -> tuple[bool, dict[str, Any]]:
    timeout_s = clients.settings.health_timeout_s
    checks = _checks(clients)
    results = await asyncio.gather(*(_timed(name, check, timeout_s) for name, check in checks.items()))
    healthy = all(result["status"] == "ok" for result in results)
    report = {
        "status": "ok" if healthy else "failed",
        "version": clients.settings.app_version,
        "dependencies": list(results),
    }
    return healthy, report
