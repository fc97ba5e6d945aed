"""Cost over HTTP: /api/v1/usage and the admin report price the simulator's usage (cached and
reasoning tokens included) exactly, and a spent calendar-month budget answers 429 insufficient_quota."""

from __future__ import annotations

import json
import os
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.issuer import mint_token
from devhost.stack import LocalStack
from shared.clients import Clients
from tests.quota.gateway_hosts import host_env, host_processes, wait_healthy

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
# USD per million tokens, dear enough that a few calls cost cents.
PRICE = {"input": 2000, "cached_input": 500, "output": 6000, "reasoning": 9000}


def _cost(usage: dict[str, Any]) -> Decimal:
    cached = usage["prompt_tokens_details"]["cached_tokens"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    per_token = {name: Decimal(value) / 1_000_000 for name, value in PRICE.items()}
    cost: Decimal = (
        (usage["prompt_tokens"] - cached) * per_token["input"]
        + cached * per_token["cached_input"]
        + (usage["completion_tokens"] - reasoning) * per_token["output"]
        + reasoning * per_token["reasoning"]
    )
    return cost


async def test_cost_is_the_price_table_applied_to_upstream_usage_and_a_month_budget_stops_spend(
    stack: LocalStack, clients: Clients, tmp_path: Path
) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    env = host_env(
        {**os.environ, **stack.settings()},
        {
            "COSMOS_DATABASE": clients.settings.cosmos_database,
            "MODEL_PRICES": json.dumps({MODEL: PRICE}),
            "QUOTA_LIMITS_CACHE_SECONDS": "0",
            "ADMIN_PLATFORM_TENANTS": f"platform-{tenant}",
        },
    )
    simulator = f"http://127.0.0.1:{stack.ports.aoai}"
    user = {"Authorization": f"Bearer {mint_token(tenant, 'user-1')}"}
    admin = {"Authorization": f"Bearer {mint_token(tenant, 'admin', extra={'roles': ['Admin']})}"}
    with host_processes(1, env, tmp_path) as (host,):
        async with httpx.AsyncClient(base_url=f"{host.url}/api", timeout=30) as client:
            await wait_healthy(client, [host])
            before = (await client.get(f"{simulator}/_sim/config")).json()
            await client.post(f"{simulator}/_sim/config", json={"cached_prompt_tokens": 6, "reasoning_tokens": 9})
            try:
                usages = []
                for n in range(3):
                    body = {"model": MODEL, "max_tokens": 30, "messages": [{"role": "user", "content": f"Hi {n}"}]}
                    answer = await client.post("/v1/chat/completions", json=body, headers=user)
                    assert answer.status_code == 200, answer.text
                    usages.append(answer.json()["usage"])
            finally:
                restore = {name: before[name] for name in ("cached_prompt_tokens", "reasoning_tokens")}
                await client.post(f"{simulator}/_sim/config", json=restore)
            expected = sum((_cost(usage) for usage in usages), Decimal(0))

            [row] = (await client.get("/v1/usage", params={"days": 1}, headers=user)).json()["data"]
            report = (await client.get("/v1/admin/usage", params={"group_by": "model"}, headers=admin)).json()

            spent = await client.put(
                "/v1/admin/quotas", json={"tenant_usd_per_month": float(round(expected, 6))}, headers=admin
            )
            assert spent.status_code == 200, spent.text
            body = {"model": MODEL, "messages": [{"role": "user", "content": "One more?"}]}
            refused = await client.post("/v1/chat/completions", json=body, headers=user)

            platform = {
                "Authorization": f"Bearer {mint_token(f'platform-{tenant}', 'ops', extra={'roles': ['Admin']})}"
            }
            cheaper = {"models": {MODEL: {"input": 1, "output": 2}}}
            assert (await client.put("/v1/admin/prices", json=cheaper, headers=admin)).status_code == 403
            repriced = await client.put("/v1/admin/prices", json=cheaper, headers=platform)
            assert repriced.status_code == 200, repriced.text
            prices = (await client.get("/v1/admin/prices", headers=admin)).json()["models"]
            across = await client.get("/v1/admin/quotas", params={"tenant": tenant}, headers=platform)
            await client.put("/v1/admin/prices", json={"models": {}}, headers=platform)
            trail = (await client.get("/v1/admin/audit", headers=platform)).json()["data"]

    print(f"\ncost of {len(usages)} calls: expected ${expected}, /v1/usage ${row['cost_usd']}, report {report}")
    assert row["cached_tokens"] == sum(u["prompt_tokens_details"]["cached_tokens"] for u in usages) == 18
    assert row["reasoning_tokens"] == sum(u["completion_tokens_details"]["reasoning_tokens"] for u in usages) == 27
    assert row["total_tokens"] == sum(u["total_tokens"] for u in usages)
    assert expected >= Decimal("0.10")
    assert round(Decimal(str(row["cost_usd"])), 2) == round(expected, 2)
    assert Decimal(str(row["cost_usd"])) == expected
    assert [r["model"] for r in report["data"]] == [MODEL] and report["data"][0]["user"] is None
    assert Decimal(str(report["total_cost_usd"])) == expected == Decimal(str(report["data"][0]["cost_usd"]))

    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert (error["type"], error["code"]) == ("insufficient_quota", "insufficient_quota")
    assert "tenant spending limit per calendar month" in error["message"]
    assert int(refused.headers["retry-after"]) >= 1

    assert prices[MODEL] == {"input": 1.0, "output": 2.0, "cached_input": None, "reasoning": None}
    assert across.status_code == 200 and across.json()["override"] == {
        "tenant_usd_per_month": float(round(expected, 6))
    }
    assert [(r["action"], r["before"], r["after"]) for r in trail] == [
        ("prices.set", {MODEL: {"input": 1.0, "output": 2.0}}, {}),
        ("prices.set", {}, {MODEL: {"input": 1.0, "output": 2.0}}),
    ]
