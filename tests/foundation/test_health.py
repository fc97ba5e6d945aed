from __future__ import annotations

import asyncio

import httpx

from shared.clients import Clients
from shared.health import SERVICE_KEY, HealthMonitor, check_health
from shared.settings import load_settings


def test_health_is_anonymous_and_reports_every_dependency(http: httpx.Client) -> None:
    response = http.get("/api/health")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "ok"
    assert report["version"]
    names = {dependency["name"] for dependency in report["dependencies"]}
    assert {"cosmos", "storage", "upstream"} <= names
    for dependency in report["dependencies"]:
        assert dependency["status"] == "ok"
        assert dependency["latency_ms"] >= 0


async def test_health_fails_when_a_dependency_is_down(stack: object) -> None:
    from devhost.stack import free_port

    dead = f"AccountEndpoint=https://127.0.0.1:{free_port()}/;AccountKey=a2V5;"
    settings = load_settings(CosmosDb=dead, HEALTH_TIMEOUT_SECONDS=2)
    clients = Clients(settings)
    try:
        healthy, report = await check_health(clients)
    finally:
        await clients.aclose()
    assert not healthy
    by_name = {d["name"]: d for d in report["dependencies"]}
    assert by_name["cosmos"]["status"] == "failed"
    assert by_name["storage"]["status"] == "ok"


async def test_concurrent_probes_share_one_dependency_round(stack: object) -> None:
    clients = Clients(load_settings(HEALTH_MAX_AGE_SECONDS=60))
    try:
        monitor = clients.service(SERVICE_KEY, HealthMonitor)
        reports = await asyncio.gather(*(check_health(clients) for _ in range(50)))
        assert monitor.rounds == 1
        assert all(report is reports[0] for report in reports) and reports[0][0]
        assert await check_health(clients) is reports[0] and monitor.rounds == 1
    finally:
        await clients.aclose()


async def test_a_report_past_half_its_age_is_served_and_refreshed_in_the_background(stack: object) -> None:
    clients = Clients(load_settings(HEALTH_MAX_AGE_SECONDS=60))
    try:
        monitor = clients.service(SERVICE_KEY, HealthMonitor)
        first = await check_health(clients)
        monitor._checked_at -= 40  # older than half the maximum age, younger than it
        assert await check_health(clients) is first
        assert monitor._round is not None
        refreshed = await monitor._round
        assert refreshed is not first and monitor.rounds == 2
        assert await check_health(clients) is refreshed
        monitor._checked_at -= 61  # too old to serve: the probe waits for a fresh round
        assert await check_health(clients) is not refreshed and monitor.rounds == 3
    finally:
        await clients.aclose()


async def test_no_maximum_age_checks_the_dependencies_on_every_probe(stack: object) -> None:
    clients = Clients(load_settings(HEALTH_MAX_AGE_SECONDS=0))
    try:
        for _ in range(3):
            await check_health(clients)
        assert clients.service(SERVICE_KEY, HealthMonitor).rounds == 3
    finally:
        await clients.aclose()
