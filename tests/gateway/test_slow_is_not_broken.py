"""A slow answer is not a broken backend: non-streamed calls have a generation timeout of their own,
and errors the request itself caused never count toward the circuit breaker."""

from __future__ import annotations

import json

import pytest

from devhost.simulators.aoai import FaultSpec
from shared.errors import ApiError
from shared.gateway.pool import BreakerState
from shared.gateway.relay import is_client_caused
from tests.gateway.gateway_helpers import backend, chat, make_service, new_caller, simulators

pytestmark = pytest.mark.stack


async def test_a_long_non_streamed_generation_outlives_the_first_byte_timeout(clients) -> None:
    # The simulator answers a non-streamed call only after 40 tokens x 25 ms = 1 s: five first-byte timeouts.
    async with simulators(1, per_token_ms=25, default_reply_tokens=40) as (sim,):
        service = make_service(
            clients,
            [backend(sim)],
            UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS=0.2,
            UPSTREAM_GENERATION_TIMEOUT_SECONDS=60,
            UPSTREAM_BREAKER_FAILURES=1,
        )
        result = await service.complete(new_caller(), chat("write a long answer"))
        assert result.status == 200 and json.loads(result.body)["choices"][0]["finish_reason"] == "stop"
        assert service.pool.backends["test-model"][0].consecutive_failures == 0


async def test_running_out_of_generation_time_is_a_504_without_failover_or_breaker(clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="hang"))
        service = make_service(
            clients,
            [backend(first, priority=1), backend(second, priority=2)],
            UPSTREAM_GENERATION_TIMEOUT_SECONDS=0.5,
            UPSTREAM_BREAKER_FAILURES=1,
        )
        with pytest.raises(ApiError) as timed_out:
            await service.complete(new_caller(), chat("hi"))
        assert timed_out.value.status == 504 and timed_out.value.code == "upstream_timeout"
        slow = service.pool.backends["test-model"][0]
        assert slow.breaker is BreakerState.CLOSED and slow.consecutive_failures == 0
        assert second.state.stats.total_requests == 0, "an expensive generation is not run twice"


async def test_client_caused_upstream_errors_never_trip_the_breaker(clients) -> None:
    async with simulators(1) as (sim,):
        sim.queue_faults(FaultSpec(kind="status", status=400, count=3, message="Invalid content."))
        service = make_service(clients, [backend(sim)], UPSTREAM_BREAKER_FAILURES=1)
        for _ in range(3):
            assert (await service.complete(new_caller(), chat("hi"))).status == 400
        assert service.pool.backends["test-model"][0].breaker is BreakerState.CLOSED
    assert is_client_caused({"type": "invalid_request_error", "code": "content_filter"})
    assert is_client_caused({"code": "content_filter"}) and not is_client_caused({"type": "server_error"})
