"""Dependency checks behind GET /api/health."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from shared.clients import Clients
from shared.resources import QUEUES

Check = Callable[[], Awaitable[None]]


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


def anonymous_view(report: dict[str, Any]) -> dict[str, Any]:
    """The report without failure details: exception text may name hosts, accounts or paths."""
    return {**report, "dependencies": [{k: v for k, v in d.items() if k != "error"} for d in report["dependencies"]]}


async def check_health(clients: Clients) -> tuple[bool, dict[str, Any]]:
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
