"""Usage recording in Cosmos: coalesced in memory, atomic increments across instances, flushed on close."""

from __future__ import annotations

import asyncio

import pytest

from shared.gateway.usage import UsageRecorder, usage_partition
from shared.resources import USAGE
from tests.gateway.gateway_helpers import new_caller

pytestmark = pytest.mark.stack


async def test_two_instances_recording_concurrently_lose_nothing(clients) -> None:
    container = clients.database.get_container_client(USAGE.name)
    first, second = UsageRecorder(container, 0.01), UsageRecorder(container, 0.01)
    caller = new_caller()

    async def burst(recorder: UsageRecorder) -> None:
        for _ in range(40):
            recorder.record(caller, "m", 10, 3)
            await asyncio.sleep(0.002)

    await asyncio.gather(burst(first), burst(second))
    await asyncio.gather(first.aclose(), second.aclose())
    [row] = (await UsageRecorder(container).usage_of(caller, 1)).data
    assert (row.prompt_tokens, row.completion_tokens, row.total_tokens, row.requests) == (800, 240, 1040, 80)


async def test_counts_stay_pending_until_flush_and_are_split_by_model(clients) -> None:
    container = clients.database.get_container_client(USAGE.name)
    recorder = UsageRecorder(container, flush_interval_s=60)
    caller = new_caller()
    recorder.record(caller, "a", 5, 1)
    recorder.record(caller, "b", 7, 2)
    recorder.record(caller, "a", 5, 1)
    query = "SELECT VALUE COUNT(1) FROM c WHERE c.pk = @pk"
    parameters = [{"name": "@pk", "value": usage_partition(caller.tenant_id, caller.user_id)}]
    stored = [n async for n in container.query_items(query, parameters=parameters)]
    assert stored == [0]
    rows = (await recorder.usage_of(caller, 7)).data  # reading flushes the caller's own counts first
    assert {(r.model, r.total_tokens, r.requests) for r in rows} == {("a", 12, 2), ("b", 9, 1)}
    await recorder.aclose()


async def test_failed_flush_keeps_counts_for_the_next_round(clients) -> None:
    container = clients.database.get_container_client(USAGE.name)
    caller = new_caller()

    class Failing:
        def __getattr__(self, name: str) -> object:
            async def fail(*args: object, **kwargs: object) -> None:
                raise ConnectionError("cosmos hiccup")

            return fail

    recorder = UsageRecorder(Failing(), flush_interval_s=60)  # type: ignore[arg-type]
    recorder.record(caller, "m", 4, 4)
    await recorder.flush()
    recorder._container = container
    await recorder.aclose()
    [row] = (await UsageRecorder(container).usage_of(caller, 1)).data
    assert row.total_tokens == 8 and row.requests == 1
