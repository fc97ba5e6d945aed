"""The issue's quota acceptance test, over HTTP: 64 concurrent completions from 4 dev host processes
against a 2,000 tokens-per-minute user budget never admit more than the budget.

The simulator answers only after `UPSTREAM_DELAY_MS`, so every admission decision is taken before
any reservation is reconciled with its (smaller) exact usage; the admitted estimates are then
exactly what the budget held at once, and their sum is the figure the budget has to bound.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devhost.issuer import mint_token
from devhost.stack import LocalStack
from shared.clients import Clients
from shared.gateway.estimate import estimate_request_tokens
from shared.gateway.usage import usage_partition
from shared.quota.models import Scope, WindowKey, WindowKind, window_index
from shared.resources import QUOTAS, USAGE
from tests.quota.gateway_hosts import (
    host_env,
    host_processes,
    leave_room_in_minute,
    simulator_latency,
    stop_hosts,
    wait_healthy,
)

PROCESSES = 4
REQUESTS_EACH = 16
BUDGET = 2_000
TENANT_BUDGET = 1_000_000
MAX_TOKENS = 40
UPSTREAM_DELAY_MS = 2_500
MIN_LEFT_IN_MINUTE_S = 15.0
MODEL = "gpt-4o-mini"
RESET_FORMAT = re.compile(r"^(\d+h)?(\d+m)?\d+s$")
# The simulator replies with the scripted text, cut at max_tokens, so usage stays close to the estimate.
SCRIPT = " ".join(["the quick brown fox jumps over the lazy dog"] * 5)
PROMPT = f"Quota acceptance burst. [[sim:reply:{SCRIPT}]]"


@dataclass
class Answer:
    host: int
    status: int
    headers: httpx.Headers
    body: dict[str, Any]
    received: float
    """time.monotonic() when the answer arrived."""
    left_in_minute: float
    """Seconds left in the wall-clock minute when the answer arrived."""


@dataclass
class Burst:
    answers: list[Answer]
    minute: int
    started: float
    """time.monotonic() when the requests were fired."""
    exit_codes: list[int]


def completion_body() -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}], "max_tokens": MAX_TOKENS}


async def _post(client: httpx.AsyncClient, host: int, url: str, token: str) -> Answer:
    response = await client.post(
        f"{url}/api/v1/chat/completions", json=completion_body(), headers={"Authorization": f"Bearer {token}"}
    )
    left = 60.0 - time.time() % 60
    return Answer(host, response.status_code, response.headers, response.json(), time.monotonic(), left)


async def _documents(container: Any, partition: str) -> list[dict[str, Any]]:
    query = "SELECT * FROM c WHERE c.pk = @pk"
    parameters: list[dict[str, Any]] = [{"name": "@pk", "value": partition}]
    items = container.query_items(query, parameters=parameters, partition_key=partition)
    return [item async for item in items]


async def _burst(stack: LocalStack, clients: Clients, log_dir: Path, tenant: str, user: str) -> Burst:
    """Start the hosts, warm each up (another user), then fire all requests at once; hosts stopped cleanly."""
    env = host_env(
        {**os.environ, **stack.settings()},
        {
            "COSMOS_DATABASE": clients.settings.cosmos_database,
            "QUOTA_USER_TPM": str(BUDGET),
            "QUOTA_TENANT_TPM": str(TENANT_BUDGET),
            # All or nothing: no request is capped to a smaller reply here (see test_capping_processes).
            "COMPLETION_MIN_OUTPUT_TOKENS": str(MAX_TOKENS),
        },
    )
    token = mint_token(tenant, user)
    warm_up_token = mint_token(tenant, f"warm-up-{uuid.uuid4().hex[:8]}")
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with host_processes(PROCESSES, env, log_dir) as hosts:
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            await wait_healthy(client, hosts)
            urls = [host.url for host in hosts]
            warm = await asyncio.gather(*(_post(client, n, url, warm_up_token) for n, url in enumerate(urls)))
            assert [a.status for a in warm] == [200] * PROCESSES, [a.body for a in warm]

            async with simulator_latency(client, f"http://127.0.0.1:{stack.ports.aoai}", UPSTREAM_DELAY_MS):
                await leave_room_in_minute(MIN_LEFT_IN_MINUTE_S)
                minute = window_index(WindowKind.TPM, time.time())
                targets = [(n, url) for n, url in enumerate(urls) for _ in range(REQUESTS_EACH)]
                posts = [_post(client, n, url, token) for n, url in targets]
                started = time.monotonic()
                answers = await asyncio.gather(*posts)
                ended = window_index(WindowKind.TPM, time.time())
                assert ended == minute, "the burst was meant to fit one minute"
        exit_codes = stop_hosts(hosts)
    return Burst(list(answers), minute, started, exit_codes)


def _assert_refusal_shape(answer: Answer) -> None:
    error = answer.body["error"]
    assert error["code"] == "rate_limit_exceeded" and "user tokens per minute" in error["message"], error
    retry_after = answer.headers.get("retry-after")
    assert retry_after is not None, answer.headers
    # Retry-After points at the end of the refusing minute (decided a moment before it arrived).
    assert answer.left_in_minute <= int(retry_after) <= answer.left_in_minute + 2, (retry_after, answer)
    assert 0 <= int(answer.headers["x-ratelimit-remaining-tokens"]) <= BUDGET, answer.headers
    assert RESET_FORMAT.match(answer.headers["x-ratelimit-reset-tokens"]), answer.headers
    assert answer.headers["x-ratelimit-limit-tokens"] == str(BUDGET)


async def test_64_requests_from_4_processes_never_admit_past_the_user_budget(
    stack: LocalStack, clients: Clients, tmp_path: Path
) -> None:
    tenant, user = f"tenant-{uuid.uuid4().hex[:8]}", f"user-{uuid.uuid4().hex[:8]}"
    reserve = clients.settings.completion_reserve_tokens
    estimate = estimate_request_tokens(completion_body(), MAX_TOKENS, reserve)
    assert 100 <= estimate <= 130 and BUDGET % estimate, "a non-dividing estimate shows a 1-request overshoot"

    burst = await _burst(stack, clients, tmp_path, tenant, user)

    answers = burst.answers
    admitted = [a for a in answers if a.status == 200]
    refused = [a for a in answers if a.status == 429]
    admitted_tokens = estimate * len(admitted)
    per_process = [estimate * sum(1 for a in admitted if a.host == i) for i in range(PROCESSES)]
    returned_usage = sum(int(a.body["usage"]["total_tokens"]) for a in admitted)
    usage_container = clients.database.get_container_client(USAGE.name)
    recorded = await _documents(usage_container, usage_partition(tenant, user))
    recorded_usage = sum(int(doc["total_tokens"]) for doc in recorded)
    counter_partition = WindowKey(WindowKind.TPM, Scope(tenant, user), burst.minute).partition
    counters = await _documents(clients.database.get_container_client(QUOTAS.name), counter_partition)
    counted = {int(doc["window"]): int(doc["used"]) for doc in counters}
    print(
        f"\nadmitted {admitted_tokens} of {BUDGET} tokens ({len(admitted)} of {len(answers)} requests; "
        f"per process {per_process}); estimate {estimate} per request; refused {len(refused)}; "
        f"usage returned {returned_usage}, recorded {recorded_usage}; quota counter {counted}; "
        f"refusals within {max(a.received for a in refused) - burst.started:.2f} s, "
        f"replies within {max(a.received for a in admitted) - burst.started:.2f} s"
    )

    unexpected = [(a.status, a.body) for a in answers if a.status not in (200, 429)]
    assert unexpected == []
    assert admitted, "nothing was admitted"
    # Every decision came before the first reconcile (else reconciled tokens are rightly re-admitted
    # and the estimates no longer add up to what the budget held): refusals arrived before any
    # admitted reply, and each admitted reply came at least the upstream delay after its decision.
    first_reply = min(a.received for a in admitted)
    assert all(a.received < first_reply for a in refused)
    assert max(a.received for a in admitted) - UPSTREAM_DELAY_MS / 1000 < first_reply
    assert 0 < admitted_tokens <= BUDGET
    for answer in refused:
        _assert_refusal_shape(answer)
    assert all(a.headers["x-ratelimit-limit-tokens"] == str(BUDGET) for a in admitted)

    assert burst.exit_codes == [0] * PROCESSES, burst.exit_codes
    assert 0 < returned_usage <= admitted_tokens
    assert recorded_usage == returned_usage, "every admitted completion's usage is recorded"
    # Reconciled to exact usage and every lease's spare handed back at shutdown.
    assert counted == {burst.minute: returned_usage}
