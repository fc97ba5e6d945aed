"""The Content Safety provider failing (5xx), gone or slow: with the documented default
(`MODERATION_FAIL_OPEN=false`) prompts and moderation calls are refused with 503 + Retry-After,
never a 500 and never passed unmoderated; the same app process serves again once it is back.
Slow means answering after `CONTENT_SAFETY_DEADLINE_SECONDS`: the client gives up at its deadline
instead of retrying for minutes, and the policy decides (503, or through with fail-open)."""

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
DEADLINE = {"CONTENT_SAFETY_DEADLINE_SECONDS": "2"}
"""Below one attempt's own timeout (3 s), so a held call is tried once and then given up."""
PAUSE = {"delay_s": 3600, "count": FAILING}
"""Content Safety holding every call: far past any deadline; released by /_sim/reset."""


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


async def _paused(client: httpx.AsyncClient, host: AppHost, simulator: str) -> tuple[list[httpx.Response], int]:
    """The calls answered while Content Safety holds every request; with how many requests it received."""
    await client.post(f"{simulator}/_sim/reset")
    await client.post(f"{simulator}/_sim/faults", json=PAUSE)
    try:
        answers = await _calls(client, host)
        received = int((await client.get(f"{simulator}/_sim/stats")).json()["received"])
    finally:
        await client.post(f"{simulator}/_sim/reset")
    return answers, received


async def test_content_safety_slow_fails_closed_at_the_deadline(
    host_with: HostFactory, fault_stack: LocalStack
) -> None:
    tally = Tally("content safety slow")
    simulator = f"http://127.0.0.1:{fault_stack.ports.content_safety}"
    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client, host_with(**CONTENT_SAFETY, **DEADLINE) as host:
        slow, received = await _paused(client, host, simulator)
        back = await _calls(client, host)
    for answer in (*slow, *back):
        tally.answered(answer.status_code)
    tally.stored = tally.acknowledged
    tally.report()
    for answer in slow:
        assert answer.status_code == 503 and answer.headers.get("retry-after"), answer.text
        assert answer.json()["error"]["code"] == "moderation_unavailable"
    assert received <= 4, "one attempt per call (analyze and Prompt Shields of two prompts), no retry loop"
    assert [a.status_code for a in back] == [200, 200]
    assert not tally.undocumented_5xx()


async def test_content_safety_slow_with_fail_open_lets_content_through(
    host_with: HostFactory, fault_stack: LocalStack
) -> None:
    tally = Tally("content safety slow, fail open")
    simulator = f"http://127.0.0.1:{fault_stack.ports.content_safety}"
    settings = {**CONTENT_SAFETY, **DEADLINE, "MODERATION_FAIL_OPEN": "true"}
    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client, host_with(**settings) as host:
        slow, _ = await _paused(client, host, simulator)
    for answer in slow:
        tally.answered(answer.status_code)
    tally.stored = tally.acknowledged
    tally.report()
    completion, moderation = slow
    assert completion.status_code == 200, completion.text
    assert completion.json()["choices"][0]["message"]["content"]
    assert moderation.status_code == 200, moderation.text
    assert moderation.json()["results"][0]["flagged"] is False
