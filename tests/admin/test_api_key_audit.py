"""API key creation, revocation and first use reach the audit trail, whichever way they happen."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from typing import Any

import pytest

from cli.apikeys import main
from shared.admin.audit import AuditRecord
from shared.admin.wiring import build_audit_log
from shared.dependencies import build_api_key_store
from shared.identity.caller import Capability

pytestmark = pytest.mark.stack


async def _records(clients: Any, tenant: str, count: int) -> list[AuditRecord]:
    """The tenant's records once there are `count` (first use is recorded in the background)."""
    log = build_audit_log(clients)
    deadline = time.monotonic() + 30
    while True:
        records, _ = await log.page(tenant, 50, None)
        if len(records) >= count or time.monotonic() > deadline:
            return records
        await asyncio.sleep(0.05)


async def test_first_use_is_recorded_once_across_instances(clients: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    instances = [build_api_key_store(clients) for _ in range(3)]
    record, key = await instances[0].create(tenant, "search", [Capability.COMPLETIONS])

    for store in instances:
        for _ in range(3):
            await store.resolve(key)
    for store in instances:
        await store.flush()

    records = await _records(clients, tenant, 1)
    assert [(r.action, r.target) for r in records] == [("apikey.first_use", f"apikey:{record.id}")]
    assert records[0].actor.user == "service:search" and records[0].before == {"last_used_at": None}


async def test_cli_creation_and_revocation_are_audited(clients: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    out = io.StringIO()
    argv = ["apikeys", "create", "--tenant", tenant, "--service", "batch", "--capability", "completions"]
    assert await main(argv, out) == 0
    created = json.loads(out.getvalue())
    assert await main(["apikeys", "revoke", created["id"]], io.StringIO()) == 0

    records = await _records(clients, tenant, 2)
    assert [r.action for r in records] == ["apikey.revoke", "apikey.create"]
    revoke, create = records
    assert create.before is None and create.after["id"] == created["id"]
    assert revoke.before["revoked_at"] is None and revoke.after["revoked_at"]
    assert create.actor.kind == "operator" and create.actor.user.startswith("cli:")
    assert created["key"] not in json.dumps([r.model_dump(mode="json") for r in records])
