"""Quotas that can't be dodged: a request that reached upstream is charged at least its prompt
estimate, whether the client walks away or the stream breaks before any content."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from devhost.simulators.aoai import FaultSpec
from shared.clients import Clients
from shared.gateway.estimate import estimate_prompt_tokens
from tests.gateway.gateway_helpers import RecordingQuota, backend, chat, make_service, new_caller, simulators

pytestmark = pytest.mark.stack


async def _until(condition: Callable[[], bool], what: str, bound_s: float = 30.0) -> None:
    deadline = time.monotonic() + bound_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.02)


async def test_client_gone_while_upstream_works_is_charged_the_prompt(clients: Clients) -> None:
    async with simulators(1) as (sim,):
        sim.queue_faults(FaultSpec(kind="hang"))
        quota = RecordingQuota()
        service = make_service(clients, [backend(sim)], quota)
        request = chat("Summarise the quarterly report in detail, please.")
        prompt = estimate_prompt_tokens(request.payload)

        call = asyncio.create_task(service.complete(new_caller(), request))
        await _until(lambda: sim.state.stats.in_flight >= 1 or sim.state.stats.faults_applied["hang"] >= 1, "sent")
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        await _until(lambda: bool(quota.reconciled), "the reservation was reconciled")

        assert quota.reconciled == [(quota.reserved[0], prompt)]
        await service.aclose()


async def test_stream_broken_before_any_content_is_charged_the_prompt(clients: Clients) -> None:
    async with simulators(1) as (sim,):
        sim.queue_faults(FaultSpec(kind="disconnect", after_chunks=0))
        quota = RecordingQuota()
        service = make_service(clients, [backend(sim)], quota)
        request = chat("Write a long poem about the sea.", stream=True)
        prompt = estimate_prompt_tokens(request.payload)

        response = await service.complete(new_caller(), request)
        assert response.stream is not None
        async for _ in response.stream:
            pass
        await _until(lambda: bool(quota.reconciled), "the reservation was reconciled")

        assert quota.reconciled[0][1] == prompt > 0
        await service.aclose()


async def test_client_leaving_a_stream_after_the_first_event_is_charged_the_prompt(clients: Clients) -> None:
    async with simulators(1, per_token_ms=200) as (sim,):
        quota = RecordingQuota()
        service = make_service(clients, [backend(sim)], quota)
        request = chat("Write a long poem about the sea.", stream=True)
        prompt = estimate_prompt_tokens(request.payload)

        response = await service.complete(new_caller(), request)
        assert response.stream is not None
        stream = response.stream
        await stream.__anext__()
        await stream.aclose()  # type: ignore[attr-defined]
        await _until(lambda: bool(quota.reconciled), "the reservation was reconciled")

        assert quota.reconciled[0][1] >= prompt > 0
        await service.aclose()
