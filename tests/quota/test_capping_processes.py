"""Budgets that can't be overspent, over HTTP: 64 concurrent completions without `max_tokens`, from
4 dev host processes, against a 2,000-token user budget, consume at most 2,000 tokens upstream.

The simulator is told to write 5,000-token replies when no limit is set, so a single uncapped
request would pass the budget on its own; the gateway must cap each reply at what is left.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.issuer import mint_token
from devhost.stack import LocalStack
from shared.clients import Clients
from shared.quota.completion_cap import CAPPED_HEADER
from shared.quota.models import WindowKind, window_index
from tests.quota.gateway_hosts import host_env, host_processes, stop_hosts, wait_healthy

pytestmark = pytest.mark.stack

PROCESSES = 4
REQUESTS_EACH = 16
BUDGET = 2_000
LONG_REPLY_TOKENS = 5_000
MODEL = "gpt-4o-mini"


def _body(text: str) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}]}


async def _post(client: httpx.AsyncClient, url: str, token: str) -> httpx.Response:
    body = _body(f"Summarise the history of tea in two lines, request {uuid.uuid4().hex[:6]}.")
    return await client.post(f"{url}/api/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {token}"})


async def test_64_requests_without_max_tokens_from_4_processes_never_consume_past_the_budget(
    stack: LocalStack, clients: Clients, tmp_path: Path
) -> None:
    tenant, user = f"tenant-{uuid.uuid4().hex[:8]}", f"user-{uuid.uuid4().hex[:8]}"
    env = host_env(
        {**os.environ, **stack.settings()},
        {"COSMOS_DATABASE": clients.settings.cosmos_database, "QUOTA_USER_TPD": str(BUDGET)},
    )
    simulator = f"http://127.0.0.1:{stack.ports.aoai}"
    token = mint_token(tenant, user)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with host_processes(PROCESSES, env, tmp_path) as hosts:
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            await wait_healthy(client, hosts)
            before_config = (await client.get(f"{simulator}/_sim/config")).json()
            await client.post(f"{simulator}/_sim/config", json={"default_reply_tokens": LONG_REPLY_TOKENS})
            try:
                # Long replies from the start: each host's warm-up also starts its moderation pool.
                warm = [await _post(client, h.url, mint_token(tenant, f"warm-{n}")) for n, h in enumerate(hosts)]
                assert [r.status_code for r in warm] == [200] * PROCESSES, [r.text for r in warm]
                before = (await client.get(f"{simulator}/_sim/stats")).json()
                day = window_index(WindowKind.TPD, time.time())
                answers = await asyncio.gather(
                    *(_post(client, h.url, token) for h in hosts for _ in range(REQUESTS_EACH))
                )
                after = (await client.get(f"{simulator}/_sim/stats")).json()
            finally:
                restore = {"default_reply_tokens": before_config["default_reply_tokens"]}
                await client.post(f"{simulator}/_sim/config", json=restore)
            assert window_index(WindowKind.TPD, time.time()) == day, "the burst was meant to fit one UTC day"
        exit_codes = stop_hosts(hosts)

    admitted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    consumed = sum(int(a.json()["usage"]["total_tokens"]) for a in admitted)
    upstream = (after["prompt_tokens"] - before["prompt_tokens"]) + (
        after["completion_tokens"] - before["completion_tokens"]
    )
    caps = [int(a.headers[CAPPED_HEADER]) for a in admitted]
    print(
        f"\nconsumed {consumed} of {BUDGET} tokens by upstream usage (simulator counted {upstream}); "
        f"{len(admitted)} admitted with caps {caps}, {len(refused)} refused"
    )

    assert [a.status_code for a in answers if a.status_code not in (200, 429)] == []
    assert admitted, "nothing was admitted"
    assert 0 < consumed <= BUDGET
    assert upstream == consumed
    assert all(a.json()["choices"][0]["finish_reason"] == "length" for a in admitted)
    for answer in refused:
        error = answer.json()["error"]
        assert error["type"] == "rate_limit_error" and error["code"] == "rate_limit_exceeded", error
        assert "user tokens per day" in error["message"] and answer.headers.get("retry-after"), error
    assert exit_codes == [0] * PROCESSES
