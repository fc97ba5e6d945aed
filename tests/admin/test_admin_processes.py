"""A change made through the admin API on one dev host process is enforced by another within the
documented bound: the limits / policy cache lifetime, plus the one background read that refreshes it."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.issuer import mint_token
from devhost.stack import LocalStack
from shared.clients import Clients
from tests.quota.gateway_hosts import host_env, host_processes, wait_healthy

pytestmark = pytest.mark.stack

CACHE_S = 3
BOUND_S = CACHE_S + 20
"""The cache lifetime, plus generous room for the refresh read on a loaded machine."""


def _completion(text: str) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}], "max_tokens": 20}


async def _until(check: Callable[[], Any], bound_s: float) -> float:
    """Seconds until `check()` (awaited) is true; fails past the bound."""
    started = time.monotonic()
    while True:
        if await check():
            return time.monotonic() - started
        assert time.monotonic() - started < bound_s, f"not enforced within {bound_s} s"
        await asyncio.sleep(0.05)


async def test_budget_and_policy_changes_reach_the_second_process(
    stack: LocalStack, clients: Clients, tmp_path: Path
) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    env = host_env(
        {**os.environ, **stack.settings()},
        {
            "COSMOS_DATABASE": clients.settings.cosmos_database,
            "QUOTA_LIMITS_CACHE_SECONDS": str(CACHE_S),
            "MODERATION_POLICY_CACHE_SECONDS": str(CACHE_S),
        },
    )
    admin = {"Authorization": f"Bearer {mint_token(tenant, 'admin', extra={'roles': ['Admin']})}"}
    user = {"Authorization": f"Bearer {mint_token(tenant, 'user-1')}"}
    with host_processes(2, env, tmp_path) as hosts:
        async with httpx.AsyncClient(timeout=30) as client:
            await wait_healthy(client, hosts)
            first, second = (f"{host.url}/api" for host in hosts)
            warm = await client.post(f"{second}/v1/chat/completions", json=_completion("zorpfish hello"), headers=user)
            assert warm.status_code == 200, warm.text

            changed = await client.put(f"{first}/v1/admin/quotas/users/user-1", json={"user_tpd": 5}, headers=admin)
            assert changed.status_code == 200, changed.text

            async def budget_enforced() -> bool:
                answer = await client.post(f"{second}/v1/chat/completions", json=_completion("hi"), headers=user)
                assert answer.status_code in (200, 429), answer.text
                return answer.status_code == 429 and answer.json()["error"]["code"] == "rate_limit_exceeded"

            budget_s = await _until(budget_enforced, BOUND_S)

            other = {"Authorization": f"Bearer {mint_token(tenant, 'user-2')}"}
            policy = {"blocklists": {"fish": ["zorpfish"]}}
            put = await client.put(f"{first}/v1/admin/moderation/policy", json=policy, headers=admin)
            assert put.status_code == 200, put.text

            async def policy_enforced() -> bool:
                answer = await client.post(
                    f"{second}/v1/chat/completions", json=_completion("zorpfish hello"), headers=other
                )
                assert answer.status_code in (200, 400), answer.text
                return answer.status_code == 400 and answer.json()["error"]["code"] == "content_filter"

            policy_s = await _until(policy_enforced, BOUND_S)
    print(f"\nbudget change enforced by the second process after {budget_s:.2f} s, policy after {policy_s:.2f} s")
