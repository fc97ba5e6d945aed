"""Two model backends, one of them throttling (429 + Retry-After), then failing (500), then hanging,
under concurrent load: callers see no error while the other backend is healthy, and the sick
backend's circuit opens, re-opens on a failed half-open probe, and closes once it answers again
(as `shared/gateway/pool.py` documents).

The hangs take streamed requests only: a non-streamed call's headers come with the whole completion,
so a silent backend there is indistinguishable from a long generation and is bounded by
`UPSTREAM_GENERATION_TIMEOUT_SECONDS` (504), not failed over (`shared/gateway/upstream.py`)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from devhost.stack import SIMULATOR_API_KEY, LocalStack
from tests.resilience.conftest import HostFactory
from tests.resilience.harness import ANSWER_BOUND_S, MODEL, Tally, auth, eventually, word

pytestmark = [pytest.mark.stack, pytest.mark.resilience]

SICK, HEALTHY = "sick-deployment", "healthy-deployment"
CONCURRENCY = 8
MAX_REQUESTS = 100_000
"""A bound on the load; the test ends on outcomes (faults used up, circuit closed, traffic back) well before."""
BREAKER = {
    "UPSTREAM_BREAKER_FAILURES": "3",
    "UPSTREAM_BREAKER_OPEN_SECONDS": "2",
    "UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS": "2",
    "UPSTREAM_ERROR_COOLDOWN_SECONDS": "1",
}
FAULTS = [
    {"kind": "status", "target": SICK, "status": 429, "retry_after_s": 1, "count": 3},
    {"kind": "status", "target": SICK, "status": 500, "count": 6},
    # Streamed requests only: a stream's hang is a failure the caller never sees (first-byte timeout,
    # next backend); a non-streamed call is only slow until its generation timeout (a 504, by design).
    {"kind": "hang", "target": SICK, "streamed": True, "count": 2},
]


def backends(simulator: str) -> str:
    return json.dumps(
        [
            {"alias": MODEL, "endpoint": simulator, "deployment": name, "priority": 1, "auth": "api_key",
             "api_key": SIMULATOR_API_KEY}
            for name in (SICK, HEALTHY)
        ]
    )  # fmt: skip


async def one_request(client: httpx.AsyncClient, url: str, headers: dict[str, str], n: int) -> tuple[int, bool]:
    streamed = n % 2 == 0
    body = {"model": MODEL, "stream": streamed, "messages": [{"role": "user", "content": f"Say hello {word()}."}]}
    async with client.stream("POST", url, json=body, headers=headers) as answer:
        payload = b"".join([chunk async for chunk in answer.aiter_bytes()])
    if answer.status_code != 200:
        return answer.status_code, False
    if streamed:
        return 200, payload.rstrip().endswith(b"data: [DONE]")
    # The simulator's generated words can, rarely, spell something the completion guard withholds
    # ("take my life"): a withheld answer is complete, and no backend fault.
    choice = json.loads(payload)["choices"][0]
    return 200, bool(choice["message"]["content"]) or choice["finish_reason"] == "content_filter"


async def test_sick_backend_never_reaches_callers(host_with: HostFactory, fault_stack: LocalStack) -> None:
    simulator = f"http://127.0.0.1:{fault_stack.ports.aoai}"
    tally = Tally("backend faults")
    async with (
        httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client,
        host_with(OPENAI_BACKENDS=backends(simulator), **BREAKER) as host,
    ):
        await client.post(f"{simulator}/_sim/reset")
        (await client.post(f"{simulator}/_sim/faults", json=FAULTS)).raise_for_status()
        url = host.api("v1/chat/completions")
        headers = auth("resilience", f"backends-{uuid.uuid4().hex[:8]}")
        stop = asyncio.Event()
        broken: list[int] = []

        async def worker(offset: int) -> None:
            n = offset
            while not stop.is_set() and tally.sent < MAX_REQUESTS:
                status, complete = await one_request(client, url, headers, n)
                tally.answered(status)
                if not complete:
                    broken.append(n)
                n += CONCURRENCY

        async def recovered() -> bool:
            faults = (await client.get(f"{simulator}/_sim/faults")).json()
            return not faults and "upstream circuit closed" in host.log_text()

        workers = [asyncio.create_task(worker(offset)) for offset in range(CONCURRENCY)]
        try:
            await eventually(recovered)
            before = (await client.get(f"{simulator}/_sim/stats")).json()["by_deployment"].get(SICK, 0)

            async def sick_serves_again() -> bool:
                stats = (await client.get(f"{simulator}/_sim/stats")).json()
                return bool(stats["by_deployment"].get(SICK, 0) >= before + 3)

            await eventually(sick_serves_again)
        finally:
            stop.set()
            await asyncio.gather(*workers)
        stats = (await client.get(f"{simulator}/_sim/stats")).json()
        await client.post(f"{simulator}/_sim/reset")
    tally.stored = tally.acknowledged
    tally.report()
    print(f"[backend faults] simulator by_deployment={stats['by_deployment']} faults={stats['faults_applied']}")
    log = host.log_text()
    assert tally.statuses == {200: tally.sent}, tally.statuses
    assert not broken, f"incomplete answers: {broken[:10]}"
    label = simulator.split("//", 1)[1]
    opened = log.count(f"upstream circuit opened for 2 s: {label}/{SICK}")
    assert opened >= 2, "the circuit opens after the 500s and re-opens after a hung half-open probe"
    assert f"circuit opened for 2 s: {label}/{HEALTHY}" not in log
    assert log.rfind(f"upstream circuit closed: {label}/{SICK}") > log.rfind(f"opened for 2 s: {label}/{SICK}")
