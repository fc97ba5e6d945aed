"""Per-tenant capture of prompts and completions: off by default, PII-redacted, own TTL, exported."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from shared.admin.capture import capture_partition
from shared.resources import CAPTURES
from tests.conftest import RunningHost, bearer

pytestmark = pytest.mark.stack

PROMPT = "Write to jane.doe@example.com about the launch. [[sim:reply:Sure, mailing jane.doe@example.com now.]]"


async def _complete(http: httpx.AsyncClient, headers: dict[str, str], **extra: Any) -> str:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}], **extra}
    response = await http.post("/api/v1/chat/completions", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.text


async def _captures(
    http: httpx.AsyncClient, headers: dict[str, str], count: int, **params: Any
) -> list[dict[str, Any]]:
    """The export once it holds `count` captures (they are written after the response)."""
    deadline = time.monotonic() + 30
    while True:
        data = (await http.get("/api/v1/admin/captures", params=params, headers=headers)).json()["data"]
        if len(data) >= count or time.monotonic() > deadline:
            return list(data)
        await asyncio.sleep(0.05)


async def test_capture_is_off_by_default_then_redacted_and_exported(devhost: RunningHost, clients: Any) -> None:
    async with httpx.AsyncClient(base_url=devhost.url, timeout=30) as http:
        await _capture_scenario(http, clients)


async def _capture_scenario(http: httpx.AsyncClient, clients: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    admin = bearer(tenant, "admin", extra={"roles": ["Admin"]})
    user = bearer(tenant, "writer")
    assert (await http.get("/api/v1/admin/capture", headers=admin)).json() == {"enabled": False, "retention_days": 30}
    await _complete(http, user)

    changed = await http.put("/api/v1/admin/capture", json={"enabled": True, "retention_days": 7}, headers=admin)
    assert changed.status_code == 200, changed.text
    await _complete(http, user)
    await _complete(http, user, stream=True)
    captures = await _captures(http, admin, 2)

    assert len(captures) == 2, captures
    for capture in captures:
        assert capture["user"] == "writer" and capture["model"] == "gpt-4o-mini"
        assert capture["messages"][0]["content"].startswith("Write to [REDACTED:")
        assert capture["completion"].startswith("Sure, mailing [REDACTED:")
        assert "jane.doe" not in json.dumps(capture)
    assert await _captures(http, admin, 0, user="someone-else") == []
    container = clients.database.get_container_client(CAPTURES.name)
    stored = await container.read_item(captures[0]["id"], partition_key=capture_partition(tenant, "writer"))
    assert stored["ttl"] == 7 * 86_400

    audit = (await http.get("/api/v1/admin/audit", headers=admin)).json()["data"]
    assert (audit[0]["action"], audit[0]["before"], audit[0]["after"]) == (
        "capture.set",
        {"enabled": False, "retention_days": 30},
        {"enabled": True, "retention_days": 7},
    )
