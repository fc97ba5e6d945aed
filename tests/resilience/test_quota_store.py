"""The quota store (Cosmos DB) unavailable: admission fails open within the instance's lease and
closed beyond it (503 with Retry-After), as docs/quotas.md documents; never a 500 or a hang."""

from __future__ import annotations

import uuid

import httpx
import pytest

from devhost.stack import LocalStack
from tests.quota.gateway_hosts import leave_room_in_minute
from tests.resilience.conftest import HostFactory
from tests.resilience.harness import ANSWER_BOUND_S, MODEL, Tally, auth

pytestmark = [pytest.mark.stack, pytest.mark.resilience]

BUDGET = 64_000
LEASE_BLOCK = BUDGET // 16
QUOTA = {"QUOTA_USER_TPM": str(BUDGET), "QUOTA_LEASE_DIVISOR": "16"}
WITHIN_LEASE = 8
MIN_LEFT_IN_MINUTE_S = 25.0
"""The frozen phase takes a few seconds; starting with this much of the minute left keeps it in one
window (a roll-over would be covered only if the next block had been leased ahead)."""


def completion(max_tokens: int) -> dict[str, object]:
    return {"model": MODEL, "max_tokens": max_tokens, "messages": [{"role": "user", "content": "Say hi."}]}


async def test_quota_store_unavailable(host_with: HostFactory, fault_stack: LocalStack) -> None:
    tally = Tally("quota store frozen")
    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client, host_with(**QUOTA) as host:
        url = host.api("v1/chat/completions")
        headers = auth("resilience-quota", f"quota-{uuid.uuid4().hex[:8]}")
        await leave_room_in_minute(MIN_LEFT_IN_MINUTE_S)
        warm = await client.post(url, json=completion(8), headers=headers)
        assert warm.status_code == 200, warm.text  # the lease holds a block of the user's budget now

        fault_stack.freeze("cosmos")
        try:
            within = [await client.post(url, json=completion(8), headers=headers) for _ in range(WITHIN_LEASE)]
            beyond = await client.post(url, json=completion(LEASE_BLOCK + 500), headers=headers)
        finally:
            fault_stack.thaw("cosmos")
        after = await client.post(url, json=completion(LEASE_BLOCK + 500), headers=headers)

    for answer in (warm, *within, beyond, after):
        tally.answered(answer.status_code)
    tally.stored = tally.acknowledged
    tally.report()
    assert [a.status_code for a in within] == [200] * WITHIN_LEASE, "fail open within the lease"
    assert beyond.status_code == 503 and beyond.headers.get("retry-after"), beyond.text
    assert beyond.json()["error"]["code"] == "service_unavailable"
    assert after.status_code == 200, after.text
    assert not tally.undocumented_5xx()
