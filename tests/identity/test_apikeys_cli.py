"""`python -m cli apikeys create|list|revoke` against the stack's Cosmos."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from typing import Any

from cli.apikeys import main
from devhost.paths import PROJECT_ROOT
from devhost.stack import LocalStack
from shared.dependencies import build_api_key_store
from shared.errors import ApiError


async def cli(*argv: str) -> tuple[int, Any]:
    out = io.StringIO()
    code = await main(list(argv), out)
    return code, json.loads(out.getvalue()) if out.getvalue() else None


async def test_create_list_revoke(stack: LocalStack, clients: Any) -> None:
    owner = f"t-{uuid.uuid4().hex[:8]}"
    code, created = await cli(
        "apikeys",
        "create",
        "--tenant",
        owner,
        "--service",
        "search",
        "--capability",
        "completions",
        "--capability",
        "moderation",
    )
    assert code == 0 and created["key"].startswith(f"cpk_{created['id']}_")
    assert sorted(created["capabilities"]) == ["completions", "moderation"] and "hash" not in created
    store = clients.service("api_keys", build_api_key_store)
    assert (await store.resolve(created["key"])).tenant_id == owner

    code, listed = await cli("apikeys", "list", "--tenant", owner)
    assert code == 0 and [entry["id"] for entry in listed] == [created["id"]]
    assert "key" not in listed[0] and created["key"] not in json.dumps(listed)

    code, revoked = await cli("apikeys", "revoke", created["id"])
    assert code == 0 and revoked["revoked_at"]
    fresh = build_api_key_store(clients)
    try:
        await fresh.resolve(created["key"])
        raise AssertionError("a revoked key resolved")
    except ApiError as error:
        assert error.status == 401


async def test_unknown_key_and_bad_input_fail(stack: LocalStack) -> None:
    assert (await cli("apikeys", "revoke", "0000000000000000"))[0] == 1
    assert (await cli("apikeys", "create", "--tenant", "t", "--service", "no spaces", "--capability", "completions"))[
        0
    ] == 2


def test_module_entry_point(clients: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "apikeys", "list", "--tenant", f"nobody-{uuid.uuid4().hex}"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
