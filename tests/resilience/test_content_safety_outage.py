"""The Content Safety provider failing (5xx) or gone: with the documented default
(`MODERATION_FAIL_OPEN=false`) prompts and moderation calls are refused with 503 + Retry-After,
never a 500 and never passed unmoderated; the same app process serves again once it is back."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from devhost.stack import LocalStack
from tests.resilience.conftest import HostFactory
from tests.resilience.harness import ANSWER_BOUND_S, MODEL, AppHost, Tally, auth

pytestmark = [pytest.mark.stack, pytest.mark.resilience]

CONTENT_SAFETY = {"MODERATION_PROVIDER": "content_safety"}
FAILING = 1000
"""More 500s than the provider client's retries can use up during the test."""


async def _calls(client: httpx.AsyncClient, host: AppHost) -> list[httpx.Response]:
    headers = auth("resilience-moderation", f"cs-{uuid.uuid4().hex[:8]}")
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Tell me about tea."}]}
    return [
        await client.post(host.api("v1/chat/completions"), json=body, headers=headers),
        await client.post(host.api("v1/moderations"), json={"input": "Tell me about tea."}, headers=headers),
    ]


async def test_content_safety_failing_then_gone_fails_closed(host_with: HostFactory, fault_stack: LocalStack) -> None:
    tally = Tally("content safety down")
    simulator = f"http://127.0.0.1:{fault_stack.ports.content_safety}"
    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client, host_with(**CONTENT_SAFETY) as host:
        healthy = await _calls(client, host)
        await client.post(f"{simulator}/_sim/faults", json={"status": 500, "count": FAILING, "retry_after_ms": 10})
        try:
            failing = await _calls(client, host)
        finally:
            await client.post(f"{simulator}/_sim/reset")
        fault_stack.kill("content-safety-simulator")
        try:
            gone = await _calls(client, host)
        finally:
            await asyncio.to_thread(fault_stack.restart, "content-safety-simulator")
        back = await _calls(client, host)
    for answer in (*healthy, *failing, *gone, *back):
        tally.answered(answer.status_code)
    tally.stored = tally.acknowledged
    tally.report()
    assert [a.status_code for a in healthy + back] == [200] * 4
    for answer in failing + gone:
        assert answer.status_code == 503 and answer.headers.get("retry-after"), answer.text
        assert answer.json()["error"]["code"] == "moderation_unavailable"
    assert not tally.undocumented_5xx()
