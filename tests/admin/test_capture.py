"""Per-tenant capture of prompts and completions: off by default, PII-redacted, own TTL, exported."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest

from shared.admin.capture import capture_partition
from shared.resources import CAPTURES
from tests.conftest import bearer

pytestmark = pytest.mark.stack

PROMPT = "Write to jane.doe@example.com about the launch. [[sim:reply:Sure, mailing jane.doe@example.com now.]]"


def _complete(http: httpx.Client, headers: dict[str, str], **extra: Any) -> str:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}], **extra}
    response = http.post("/api/v1/chat/completions", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def _captures(http: httpx.Client, headers: dict[str, str], count: int, **params: Any) -> list[dict[str, Any]]:
    """The export once it holds `count` captures (they are written after the response)."""
    deadline = time.monotonic() + 30
    while True:
        data = http.get("/api/v1/admin/captures", params=params, headers=headers).json()["data"]
        if len(data) >= count or time.monotonic() > deadline:
            return list(data)
        time.sleep(0.05)


async def test_capture_is_off_by_default_then_redacted_and_exported(http: httpx.Client, clients: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    admin = bearer(tenant, "admin", extra={"roles": ["Admin"]})
    user = bearer(tenant, "writer")
    assert http.get("/api/v1/admin/capture", headers=admin).json() == {"enabled": False, "retention_days": 30}
    _complete(http, user)

    changed = http.put("/api/v1/admin/capture", json={"enabled": True, "retention_days": 7}, headers=admin)
    assert changed.status_code == 200, changed.text
    _complete(http, user)
    _complete(http, user, stream=True)
    captures = _captures(http, admin, 2)

    assert len(captures) == 2, captures
    for capture in captures:
        assert capture["user"] == "writer" and capture["model"] == "gpt-4o-mini"
        assert capture["messages"][0]["content"].startswith("Write to [REDACTED:")
        assert capture["completion"].startswith("Sure, mailing [REDACTED:")
        assert "jane.doe" not in json.dumps(capture)
    assert _captures(http, admin, 1, user="someone-else") == []
    container = clients.database.get_container_client(CAPTURES.name)
    stored = await container.read_item(captures[0]["id"], partition_key=capture_partition(tenant, "writer"))
    assert stored["ttl"] == 7 * 86_400

    audit = http.get("/api/v1/admin/audit", headers=admin).json()["data"]
    assert (audit[0]["action"], audit[0]["before"], audit[0]["after"]) == (
        "capture.set",
        {"enabled": False, "retention_days": 30},
        {"enabled": True, "retention_days": 7},
    )
