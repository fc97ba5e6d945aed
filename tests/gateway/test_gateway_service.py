"""The completion flow on in-process simulators: failover, cool-down, breaker, streaming, usage, cancel."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from devhost.simulators.aoai import FaultSpec
from shared.errors import ApiError
from shared.gateway.pool import BreakerState
from tests.gateway.gateway_helpers import (
    Clock,
    RecordingQuota,
    backend,
    breaker_of,
    chat,
    drain,
    make_service,
    new_caller,
    simulators,
    sse_events,
)

pytestmark = pytest.mark.stack


async def test_non_streaming_answer_with_exact_usage_recorded(clients) -> None:
    quota = RecordingQuota()
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)], quota)
        caller = new_caller()
        result = await service.complete(caller, chat("[[sim:reply:Hello there, world.]]", max_tokens=50))
        body = json.loads(result.body)
        assert result.status == 200
        assert body["choices"][0]["message"]["content"] == "Hello there, world."
        assert result.headers["x-ratelimit-remaining-tokens"] == "999"
        usage = body["usage"]
        await asyncio.sleep(0)  # reconciliation runs right after the response
        assert quota.reconciled == [(quota.reserved[0], usage["total_tokens"])]
        assert quota.reserved[0] >= 50
        listed = await service.usage.usage_of(caller, 1)
        assert [(row.model, row.prompt_tokens, row.completion_tokens, row.requests) for row in listed.data] == [
            ("test-model", usage["prompt_tokens"], usage["completion_tokens"], 1)
        ]


@pytest.mark.parametrize(
    "fault",
    [
        FaultSpec(kind="status", status=429, retry_after_s=7),
        FaultSpec(kind="status", status=503),
        FaultSpec(kind="hang"),
    ],
)
async def test_failover_to_the_second_backend(clients, fault: FaultSpec) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(fault)
        service = make_service(
            clients,
            [backend(first, priority=1), backend(second, priority=2)],
            UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS=0.5,
        )
        # A hang fails over only where headers are due at once (a stream); a non-streamed call is
        # waited for up to the generation timeout (tests/gateway/test_slow_is_not_broken.py).
        streaming = fault.kind == "hang"
        result = await service.complete(new_caller(), chat("[[sim:reply:from whoever answers]]", stream=streaming))
        if streaming:
            assert result.stream is not None
            assert result.stream is not None
            events = sse_events(await drain(result.stream))
            text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1] if e["choices"])
            assert text == "from whoever answers"
        else:
            assert json.loads(result.body)["choices"][0]["message"]["content"] == "from whoever answers"
        assert first.state.stats.faults_applied[fault.kind] == 1
        assert second.state.stats.completed == 1


async def test_retry_after_cools_the_backend_down_then_it_returns(clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="status", status=429, retry_after_s=6))
        service = make_service(clients, [backend(first, priority=1), backend(second, priority=2)])
        service.pool.clock = clock = Clock()
        for _ in range(3):
            await service.complete(new_caller(), chat("hi"))
        assert first.state.stats.total_requests == 1  # only the throttled one while cooling down
        assert second.state.stats.completed == 3
        clock.now += 5.9
        await service.complete(new_caller(), chat("hi"))
        assert first.state.stats.total_requests == 1, "still cooling down"
        clock.now += 0.2
        await service.complete(new_caller(), chat("hi"))
        assert first.state.stats.completed == 1


async def test_all_backends_throttled_answers_429_with_retry_after(clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="status", status=429, retry_after_s=20))
        second.queue_faults(FaultSpec(kind="status", status=429, retry_after_s=3))
        quota = RecordingQuota()
        service = make_service(clients, [backend(first), backend(second)], quota)
        with pytest.raises(ApiError) as raised:
            await service.complete(new_caller(), chat("hi"))
        assert raised.value.status == 429
        assert raised.value.headers["Retry-After"] == "3"
        with pytest.raises(ApiError) as again:  # both cooling down: refused without an upstream call
            await service.complete(new_caller(), chat("hi"))
        assert again.value.status == 429 and int(again.value.headers["Retry-After"]) <= 3
        assert first.state.stats.total_requests + second.state.stats.total_requests == 2
        await asyncio.sleep(0)
        assert [actual for _, actual in quota.reconciled] == [0, 0]


async def test_breaker_opens_after_repeated_failures_and_half_opens_later(clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="status", status=500, count=3))
        service = make_service(
            clients,
            [backend(first, priority=1), backend(second, priority=2)],
            UPSTREAM_BREAKER_FAILURES=3,
            UPSTREAM_BREAKER_OPEN_SECONDS=30,
        )
        service.pool.clock = clock = Clock()
        for _ in range(5):
            await service.complete(new_caller(), chat("hi"))
        assert first.state.stats.total_requests == 3
        assert service.pool.backends["test-model"][0].breaker is BreakerState.OPEN
        clock.now += 31
        await service.complete(new_caller(), chat("hi"))  # the half-open probe succeeds
        assert first.state.stats.completed == 1
        assert breaker_of(service.pool.backends["test-model"][0]) is BreakerState.CLOSED, "narrowed: read again"


async def test_client_error_is_passed_through_without_failover(clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="status", status=400, message="Invalid value for 'n'."))
        service = make_service(clients, [backend(first, priority=1), backend(second, priority=2)])
        result = await service.complete(new_caller(), chat("hi"))
        assert result.status == 400
        assert json.loads(result.body)["error"]["message"] == "Invalid value for 'n'."
        assert second.state.stats.total_requests == 0


async def test_stream_passes_chunks_and_strips_the_usage_it_asked_for(clients) -> None:
    quota = RecordingQuota()
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)], quota)
        result = await service.complete(new_caller(), chat("[[sim:reply:one two three]]", stream=True))
        assert result.headers["Content-Type"].startswith("text/event-stream")
        assert result.stream is not None
        events = sse_events(await drain(result.stream))
        assert events[-1] == "[DONE]"
        text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1] if e["choices"])
        assert text == "one two three"
        assert all(e["choices"] for e in events[:-1])  # no usage-only chunk for this client
        upstream = sim.state.stats.recent_requests[-1]["body"]
        assert upstream["stream_options"] == {"include_usage": True}
        await asyncio.sleep(0)
        assert quota.reconciled[0][1] == sim.state.stats.prompt_tokens + 3


async def test_stream_keeps_usage_when_the_client_asked(clients) -> None:
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)])
        request = chat("[[sim:reply:a b]]", stream=True, stream_options={"include_usage": True})
        assert json.loads(request.upstream_body()) == json.loads(request.body)
        streamed = (await service.complete(new_caller(), request)).stream
        assert streamed is not None
        events = sse_events(await drain(streamed))
        assert events[-2]["choices"] == [] and events[-2]["usage"]["completion_tokens"] == 2


async def test_mid_stream_failure_is_reported_in_stream_not_retried(clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="disconnect", after_chunks=3))
        service = make_service(clients, [backend(first, priority=1), backend(second, priority=2)])
        result = await service.complete(new_caller(), chat("[[sim:reply:a b c d e f g]]", stream=True))
        assert result.stream is not None
        events = sse_events(await drain(result.stream))
        assert events[-1]["error"]["code"] == "upstream_stream_error"
        assert "[DONE]" not in events
        assert second.state.stats.total_requests == 0


async def test_closing_the_stream_cancels_the_upstream_request(clients) -> None:
    quota = RecordingQuota()
    async with simulators(1, per_token_ms=20) as (sim,):
        service = make_service(clients, [backend(sim)], quota)
        words = " ".join(f"w{i}" for i in range(200))
        result = await service.complete(new_caller(), chat(f"[[sim:reply:{words}]]", stream=True))
        stream = result.stream
        assert stream is not None
        await stream.__anext__()
        await stream.__anext__()
        await stream.aclose()  # type: ignore[attr-defined]  # what the ASGI server does when the client disconnects
        deadline = time.monotonic() + 30
        stats = sim.state.stats
        while stats.cancelled == stats.completed == 0 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        assert sim.state.stats.cancelled == 1
        assert sim.state.stats.completed == 0
        await asyncio.sleep(0)
        assert 0 < quota.reconciled[0][1] < quota.reserved[0]


async def test_unknown_model_is_404_before_any_quota(clients) -> None:
    quota = RecordingQuota()
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)], quota)
        with pytest.raises(ApiError) as raised:
            await service.complete(new_caller(), chat("hi", alias="nope"))
        assert raised.value.status == 404 and raised.value.code == "model_not_found"
        assert quota.reserved == []
