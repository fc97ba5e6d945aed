from __future__ import annotations

import httpx

from shared.clients import Clients
from shared.health import check_health
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
