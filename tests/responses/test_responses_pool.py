"""Responses over a dev host process of its own, configured with two model aliases:

- `failover`: two simulator backends (priority 1 and 2); the first is stopped mid-conversation and the
  conversation carries on on the second, which receives the whole history (no session affinity);
- `small`: a 300-token context window, to exercise context assembly and truncation.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest

from devhost.simulators.aoai import RunningSimulator, SimulatorConfig, start_simulator
from devhost.stack import SIMULATOR_API_KEY, LocalStack
from tests.conftest import bearer
from tests.quota.gateway_hosts import HostProcess, host_env, host_processes, wait_healthy

pytestmark = pytest.mark.stack

SMALL_CONTEXT = 300
OUTPUT_RESERVE = 50


def upstream_messages(sim: RunningSimulator, marker: str) -> list[dict[str, Any]]:
    bodies = [
        request["body"]
        for request in sim.state.stats.recent_requests
        if marker in str(request["body"]["messages"][-1].get("content"))
    ]
    assert len(bodies) == 1, bodies
    return list(bodies[0]["messages"])


@pytest.fixture(scope="module")
async def pool(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Any]]:
    first = await start_simulator(config=SimulatorConfig(api_key=SIMULATOR_API_KEY))
    second = await start_simulator(config=SimulatorConfig(api_key=SIMULATOR_API_KEY))
    small = await start_simulator(config=SimulatorConfig(api_key=SIMULATOR_API_KEY))

    def backend(sim: RunningSimulator, alias: str, priority: int, **extra: Any) -> dict[str, Any]:
        return {"alias": alias, "endpoint": sim.url, "deployment": "gpt-4o-mini", "priority": priority,
                "auth": "api_key", "api_key": SIMULATOR_API_KEY, **extra}  # fmt: skip

    backends = [
        backend(first, "failover", 1),
        backend(second, "failover", 2),
        backend(small, "small", 1, context_tokens=SMALL_CONTEXT),
    ]
    env = host_env(dict(os.environ), {"OPENAI_BACKENDS": json.dumps(backends), "UPSTREAM_ERROR_COOLDOWN_SECONDS": "60"})
    try:
        with host_processes(1, env, tmp_path_factory.mktemp("responses-hosts")) as hosts:
            async with httpx.AsyncClient() as probe:
                await wait_healthy(probe, hosts, timeout_s=120)
            yield {"host": hosts[0], "first": first, "second": second, "small": small}
    finally:
        for sim in (first, second, small):
            await sim.stop()


def client_for(host: HostProcess) -> openai.AsyncOpenAI:
    token = bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")["Authorization"].removeprefix("Bearer ")
    return openai.AsyncOpenAI(base_url=f"{host.url}/api/v1", api_key=token, max_retries=0, timeout=60)


async def test_conversation_survives_failover(pool: dict[str, Any]) -> None:
    first, second = pool["first"], pool["second"]
    client = client_for(pool["host"])
    mark = uuid.uuid4().hex
    conv = await client.conversations.create(items=[{"role": "user", "content": f"remember {mark}"}])
    one = await client.responses.create(
        model="failover", input=f"turn one {mark} [[sim:reply:ONE]]", conversation=conv.id
    )
    chained = await client.responses.create(model="failover", input=f"chain one {mark} [[sim:reply:CHAIN]]")
    assert one.output_text == "ONE" and chained.output_text == "CHAIN"
    assert first.state.stats.completed == 2 and second.state.stats.completed == 0

    await first.stop()  # the first backend goes away: connections are refused from now on

    two = await client.responses.create(model="failover", input=f"turn two {mark}", conversation=conv.id)
    assert two.status == "completed"
    assert upstream_messages(second, f"turn two {mark}") == [
        {"role": "user", "content": f"remember {mark}"},
        {"role": "user", "content": f"turn one {mark} [[sim:reply:ONE]]"},
        {"role": "assistant", "content": "ONE"},
        {"role": "user", "content": f"turn two {mark}"},
    ]
    follow = await client.responses.create(
        model="failover", previous_response_id=chained.id, input=f"chain two {mark}", stream=True
    )
    kinds = [event.type async for event in follow]
    assert kinds[-1] == "response.completed"
    assert upstream_messages(second, f"chain two {mark}") == [
        {"role": "user", "content": f"chain one {mark} [[sim:reply:CHAIN]]"},
        {"role": "assistant", "content": "CHAIN"},
        {"role": "user", "content": f"chain two {mark}"},
    ]
    items = [item async for item in client.conversations.items.list(conv.id, order="asc")]
    assert len(items) == 5


async def _long_conversation(client: openai.AsyncOpenAI, mark: str, turns: int) -> str:
    words = " ".join(["history"] * 30)
    roles = ["user", "assistant"]
    items = [{"role": roles[n % 2], "content": f"item {n} {mark} {words}"} for n in range(turns)]
    conv = await client.conversations.create(items=items)  # type: ignore[arg-type]
    return conv.id


async def test_truncation_disabled_refuses_an_over_long_context(pool: dict[str, Any]) -> None:
    client = client_for(pool["host"])
    mark = uuid.uuid4().hex
    conv = await _long_conversation(client, mark, 12)
    before = pool["small"].state.stats.total_requests
    with pytest.raises(openai.BadRequestError) as raised:
        await client.responses.create(
            model="small", conversation=conv, input=f"go {mark}", max_output_tokens=OUTPUT_RESERVE
        )
    assert raised.value.code == "context_length_exceeded" and raised.value.status_code == 400
    assert pool["small"].state.stats.total_requests == before, "nothing went upstream"
    assert len([item async for item in client.conversations.items.list(conv)]) == 12, "and nothing was stored"


async def test_truncation_auto_drops_the_oldest_and_says_so(pool: dict[str, Any]) -> None:
    client = client_for(pool["host"])
    mark = uuid.uuid4().hex
    conv = await _long_conversation(client, mark, 12)
    made = await client.responses.create(
        model="small", conversation=conv, input=f"go {mark}", truncation="auto", max_output_tokens=OUTPUT_RESERVE
    )
    assert made.status == "completed" and made.usage is not None
    dropped = made.usage.model_extra["truncated_input_items"]  # type: ignore[index]
    sent = upstream_messages(pool["small"], f"go {mark}")
    kept = len(sent) - 1
    assert dropped > 0 and kept > 0 and dropped + kept == 12
    assert [message["content"].split()[1] for message in sent[:-1]] == [str(n) for n in range(dropped, 12)]
    assert made.usage.input_tokens <= SMALL_CONTEXT - OUTPUT_RESERVE, "the estimate kept the context within budget"


async def test_new_input_alone_too_long_is_refused_even_with_auto(pool: dict[str, Any]) -> None:
    client = client_for(pool["host"])
    with pytest.raises(openai.BadRequestError) as raised:
        await client.responses.create(model="small", input="word " * 400, truncation="auto", store=False)
    assert raised.value.code == "context_length_exceeded"


async def test_auto_truncation_of_a_response_chain(pool: dict[str, Any]) -> None:
    client = client_for(pool["host"])
    mark = uuid.uuid4().hex
    words = " ".join(["chain"] * 30)
    previous = None
    for n in range(6):
        made = await client.responses.create(
            model="small", input=f"link {n} {mark} {words}", previous_response_id=previous, truncation="auto",
            max_output_tokens=OUTPUT_RESERVE,
        )  # fmt: skip
        previous = made.id
    last = await client.responses.create(
        model="small", input=f"end {mark}", previous_response_id=previous, truncation="auto",
        max_output_tokens=OUTPUT_RESERVE,
    )  # fmt: skip
    assert last.usage is not None
    sent = upstream_messages(pool["small"], f"end {mark}")
    dropped = last.usage.model_extra["truncated_input_items"]  # type: ignore[index]
    assert dropped > 0 and dropped + len(sent) - 1 == 12, "6 inputs and 6 outputs in the chain"
    assert sent[-2]["role"] == "assistant" and sent[-3]["content"].startswith("link 5 ")
