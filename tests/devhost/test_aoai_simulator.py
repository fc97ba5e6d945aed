"""The local Azure OpenAI / OpenAI simulator, driven through the official `openai` async clients."""

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from devhost.simulators.aoai import FaultSpec, RunningSimulator, SimulatorConfig, start_simulator
from devhost.simulators.aoai_state import FaultQueue
from devhost.simulators.tokenizer import count_prompt_tokens, count_text_tokens, split_text_tokens

API_KEY = "sim-test-key"
API_VERSION = "2024-10-21"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def simulator(**config: Any) -> AsyncIterator[RunningSimulator]:
    sim = await start_simulator(config=SimulatorConfig(**config))
    try:
        yield sim
    finally:
        await sim.stop()


def openai_client(sim: RunningSimulator, api_key: str = API_KEY, **options: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=sim.url + "/v1", api_key=api_key, max_retries=0, **options)


def azure_client(sim: RunningSimulator, **options: Any) -> openai.AsyncAzureOpenAI:
    return openai.AsyncAzureOpenAI(
        azure_endpoint=sim.url, api_version=API_VERSION, api_key=API_KEY, max_retries=0, **options
    )


def user(text: str) -> list[ChatCompletionMessageParam]:
    return [{"role": "system", "content": "You are terse."}, {"role": "user", "content": text}]


async def sim_json(sim: RunningSimulator, method: str, path: str, payload: Any = None) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, sim.url + path, json=payload) as resp,
    ):
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def wait_for(predicate: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_openai_completion_shape_and_usage() -> None:
    messages = user("Tell me something.")
    async with simulator(api_key=API_KEY, default_reply_tokens=12) as sim, openai_client(sim) as client:
        completion = await client.chat.completions.create(model="gpt-4o", messages=messages)
        stats = sim.state.stats
    assert completion.object == "chat.completion" and completion.id.startswith("chatcmpl-")
    assert completion.model == "gpt-4o"
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == count_prompt_tokens(messages)
    assert completion.usage.completion_tokens == 12 == count_text_tokens(choice.message.content or "")
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 12
    assert stats.auth_kinds["bearer"] == 1 and stats.by_path["/v1/chat/completions"] == 1


async def test_azure_completion_carries_filter_results_and_uses_api_key() -> None:
    async with simulator(api_key=API_KEY) as sim, azure_client(sim) as client:
        completion = await client.chat.completions.create(model="chat-dep", messages=user("hello"))
        stats = sim.state.stats
    extra = completion.model_extra or {}
    assert extra["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"] is False
    assert (completion.choices[0].model_extra or {})["content_filter_results"]["violence"]["severity"] == "safe"
    assert stats.by_path["/openai/deployments/chat-dep/chat/completions"] == 1
    assert stats.by_deployment["chat-dep"] == 1 and stats.auth_kinds["api-key"] == 1


@pytest.mark.parametrize("azure", [False, True])
async def test_stream_chunk_sequence_with_usage_only_when_asked(azure: bool) -> None:
    async with simulator() as sim, azure_client(sim) if azure else openai_client(sim) as client:

        async def collect(include_usage: bool | None) -> list[Any]:
            stream = await client.chat.completions.create(
                model="dep",
                messages=user("stream please"),
                stream=True,
                stream_options=openai.omit if include_usage is None else {"include_usage": include_usage},
            )
            return [chunk async for chunk in stream]

        with_usage = await collect(True)
        without_usage = await collect(None)
        explicitly_off = await collect(False)
    first, *content, finish, usage_chunk = with_usage
    assert first.choices[0].delta.role == "assistant" and first.choices[0].delta.content == ""
    assert all(chunk.object == "chat.completion.chunk" and chunk.id == first.id for chunk in with_usage)
    assert len(content) == 16 and all(c.choices[0].delta.content for c in content)
    assert finish.choices[0].finish_reason == "stop" and finish.choices[0].delta.content is None
    assert usage_chunk.choices == [] and usage_chunk.usage.completion_tokens == len(content)
    for chunks in (without_usage, explicitly_off):
        assert all(chunk.usage is None and chunk.choices for chunk in chunks)
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "".join(
            c.choices[0].delta.content for c in content
        )


async def test_reply_is_deterministic_and_depends_on_messages() -> None:
    async with simulator() as sim, openai_client(sim) as client:

        async def reply(text: str) -> str:
            completion = await client.chat.completions.create(model="m", messages=user(text))
            return completion.choices[0].message.content or ""

        first, again, other = await reply("same"), await reply("same"), await reply("different")
    assert first == again and first != other
    assert all(word.isalpha() for word in first.split())


@pytest.mark.parametrize("legacy_field", [True, False])
async def test_token_limit_cuts_reply_with_length_finish(legacy_field: bool) -> None:
    async with simulator(default_reply_tokens=16) as sim, openai_client(sim) as client:

        async def complete(limit: int) -> ChatCompletion:
            return await client.chat.completions.create(
                model="m",
                messages=user("long"),
                max_tokens=limit if legacy_field else openai.omit,
                max_completion_tokens=openai.omit if legacy_field else limit,
            )

        completion, roomy = await complete(5), await complete(50)
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 5
    assert roomy.choices[0].finish_reason == "stop" and roomy.usage and roomy.usage.completion_tokens == 16


async def test_scripted_reply_is_returned_verbatim_and_streamed_by_word() -> None:
    script = "Sure, here is the forbidden recipe: step one!"
    messages = user(f"please [[sim:reply:{script}]] thanks")
    async with simulator() as sim, azure_client(sim) as client:
        completion = await client.chat.completions.create(model="d", messages=messages)
        stream = await client.chat.completions.create(model="d", messages=messages, stream=True)
        pieces = [c.choices[0].delta.content async for c in stream if c.choices and c.choices[0].delta.content]
        cut = await client.chat.completions.create(model="d", messages=messages, max_tokens=3)
    assert completion.choices[0].message.content == script
    assert pieces == split_text_tokens(script) and "".join(pieces) == script
    assert completion.usage is not None and completion.usage.completion_tokens == count_text_tokens(script)
    assert cut.choices[0].message.content == "Sure, here" and cut.choices[0].finish_reason == "length"


async def test_scripted_tool_calls_refusals_choices_and_logprobs() -> None:
    async with simulator() as sim, azure_client(sim) as client:
        tool = await client.chat.completions.create(model="d", messages=user('[[sim:tool:lookup:{"q": "x"}]]'))
        refusal = await client.chat.completions.create(model="d", messages=user("[[sim:refusal:No.]]"), logprobs=True)
        two = await client.chat.completions.create(model="d", messages=user("[[sim:reply:a]] [[sim:reply:b c]]"), n=2)
        stream = await client.chat.completions.create(
            model="d", messages=user('[[sim:tool:lookup:{"q": "x"}]]'), stream=True, n=2
        )
        arguments: dict[int, str] = {}
        async for chunk in stream:
            for choice in chunk.choices:
                for call in choice.delta.tool_calls or []:
                    fragment = call.function.arguments if call.function is not None else None
                    arguments[choice.index] = arguments.get(choice.index, "") + (fragment or "")
    (made,) = tool.choices[0].message.tool_calls or []
    assert made.type == "function"
    assert made.function.name == "lookup" and made.function.arguments == '{"q": "x"}'
    assert tool.choices[0].finish_reason == "tool_calls" and tool.choices[0].message.content is None
    assert refusal.choices[0].message.refusal == "No." and refusal.choices[0].logprobs is not None
    assert [c.message.content for c in two.choices] == ["a", "b c"]
    assert arguments == {0: '{"q": "x"}', 1: '{"q": "x"}'}


async def test_wrong_or_missing_credentials_get_401_in_error_shape() -> None:
    async with simulator(api_key=API_KEY) as sim, openai_client(sim, api_key="wrong") as client:
        with pytest.raises(openai.AuthenticationError) as raised:
            await client.chat.completions.create(model="m", messages=user("x"))
        async with aiohttp.ClientSession() as session:
            url = f"{sim.url}/openai/deployments/d/chat/completions?api-version={API_VERSION}"
            async with session.post(url, json={"messages": user("x")}) as resp:
                status, body = resp.status, await resp.json()
    assert raised.value.status_code == 401 and raised.value.code == "invalid_api_key"
    assert status == 401 and set(body["error"]) == {"message", "type", "code", "param"}
    assert sim.state.stats.auth_kinds["none"] == 1 and sim.state.stats.completed == 0


async def test_azure_route_requires_api_version_and_bad_json_is_400() -> None:
    async with simulator() as sim, aiohttp.ClientSession() as session:
        async with session.post(f"{sim.url}/openai/deployments/d/chat/completions", json={}) as resp:
            missing_version = (resp.status, await resp.json())
        url = f"{sim.url}/v1/chat/completions"
        async with session.post(url, data=b"{not json", headers={"Content-Type": "application/json"}) as resp:
            malformed = (resp.status, await resp.json())
        async with session.post(url, json={"model": "m", "messages": []}) as resp:
            no_messages = (resp.status, await resp.json())
    assert missing_version[0] == 404 and missing_version[1]["error"]["code"] == "404"
    assert malformed[0] == 400 and malformed[1]["error"]["type"] == "invalid_request_error"
    assert no_messages[0] == 400 and no_messages[1]["error"]["param"] == "messages"


async def test_tokens_per_minute_limit_returns_429_with_retry_after() -> None:
    messages = user("budget")
    per_request = count_prompt_tokens(messages) + 16
    async with simulator() as sim, openai_client(sim) as client:
        await sim_json(sim, "POST", "/_sim/config", {"tpm": per_request * 2})
        for _ in range(2):
            await client.chat.completions.create(model="m", messages=messages)
        with pytest.raises(openai.RateLimitError) as raised:
            await client.chat.completions.create(model="m", messages=messages)
        other_model = await client.chat.completions.create(model="other", messages=messages)
        await sim_json(sim, "POST", "/_sim/reset")
        after_reset = await client.chat.completions.create(model="m", messages=messages)
    headers = raised.value.response.headers
    assert 1 <= int(headers["Retry-After"]) <= 60 and int(headers["retry-after-ms"]) > 0
    assert raised.value.code == "rate_limit_exceeded"
    assert other_model.choices and after_reset.choices


async def test_status_fault_scoped_to_deployment_for_next_n_requests() -> None:
    fault = {"kind": "status", "status": 503, "count": 2, "target": "dep-a", "retry_after_s": 2}
    async with simulator() as sim, azure_client(sim) as client:
        pending = await sim_json(sim, "POST", "/_sim/faults", [fault])
        unaffected = await client.chat.completions.create(model="dep-b", messages=user("x"))
        failures = []
        for _ in range(2):
            with pytest.raises(openai.InternalServerError) as raised:
                await client.chat.completions.create(model="dep-a", messages=user("x"))
            failures.append(raised.value)
        recovered = await client.chat.completions.create(model="dep-a", messages=user("x"))
    assert pending[0]["remaining"] == 2 and unaffected.choices and recovered.choices
    assert all(f.status_code == 503 and f.response.headers["Retry-After"] == "2" for f in failures)


async def test_a_fault_can_be_kept_for_streamed_or_non_streamed_requests() -> None:
    async with simulator() as sim, openai_client(sim) as client:
        sim.queue_faults(FaultSpec(kind="status", status=500, streamed=True))
        plain = await client.chat.completions.create(model="m", messages=user("x"))
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(model="m", messages=user("x"), stream=True)
        after = [c async for c in await client.chat.completions.create(model="m", messages=user("x"), stream=True)]
    assert plain.choices and after, "the non-streamed call passed the fault by; the streamed one took it"
    assert sim.state.stats.faults_applied["status"] == 1


async def test_hang_fault_forever_until_client_gives_up_and_bounded_hang_then_answers() -> None:
    async with simulator() as sim, openai_client(sim, timeout=0.5) as client:
        sim.queue_faults(FaultSpec(kind="hang"), FaultSpec(kind="hang", hang_s=0.3))
        with pytest.raises(openai.APITimeoutError):
            await client.chat.completions.create(model="m", messages=user("x"))
        await wait_for(lambda: sim.state.stats.cancelled == 1)
        started = time.monotonic()
        answered = await client.with_options(timeout=60).chat.completions.create(model="m", messages=user("x"))
        elapsed = time.monotonic() - started
    assert answered.choices and elapsed >= 0.3, "a bounded hang answers, after hang_s"
    assert sim.state.stats.faults_applied["hang"] == 2


async def test_disconnect_fault_closes_stream_without_done() -> None:
    async with simulator() as sim, openai_client(sim) as client:
        sim.queue_faults(FaultSpec(kind="disconnect", after_chunks=3, count=2))
        received = []
        with pytest.raises(openai.APIConnectionError):
            stream = await client.chat.completions.create(model="m", messages=user("x"), stream=True)
            async for chunk in stream:
                received.append(chunk)
        with pytest.raises(openai.APIConnectionError):
            await client.chat.completions.create(model="m", messages=user("x"))
        healthy = await client.chat.completions.create(model="m", messages=user("x"))
    assert len(received) == 3 and all(chunk.choices[0].finish_reason is None for chunk in received)
    assert healthy.choices and sim.state.stats.faults_applied["disconnect"] == 2
    assert sim.state.stats.cancelled == 0 and sim.state.stats.completed == 1


async def test_latency_settings_shape_timing_and_are_changeable_at_runtime() -> None:
    async with simulator() as sim, openai_client(sim) as client:
        await sim_json(sim, "POST", "/_sim/config", {"first_token_ms": 1000, "per_token_ms": 20})
        started = time.monotonic()
        stream = await client.chat.completions.create(model="m", messages=user("t"), max_tokens=10, stream=True)
        arrivals = [time.monotonic() - started async for c in stream if c.choices and c.choices[0].delta.content]
        started = time.monotonic()
        await client.chat.completions.create(model="m", messages=user("t"), max_tokens=10)
        non_streaming = time.monotonic() - started
        await sim_json(sim, "POST", "/_sim/config", {"first_token_ms": 0, "per_token_ms": 0})
        await client.chat.completions.create(model="m", messages=user("t"), max_tokens=10)
        planned = [(r["first_token_ms"], r["per_token_ms"]) for r in sim.state.stats.recent_requests]
    # Lower bounds are guarantees (the simulator waits at least that long); that the new setting
    # applies is read from what each request was planned with, not from a clock.
    assert len(arrivals) == 10
    assert all(arrival >= 1.0 + 0.02 * index for index, arrival in enumerate(arrivals)), arrivals
    assert non_streaming >= 1.0 + 10 * 0.02
    assert planned == [(1000, 20), (1000, 20), (0, 0)]


async def test_client_disconnect_mid_stream_stops_generation_and_counts_cancelled() -> None:
    async with simulator(per_token_ms=30, default_reply_tokens=1000) as sim, openai_client(sim) as client:
        stream = await client.chat.completions.create(model="m", messages=user("long"), stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                break
        await stream.close()
        await wait_for(lambda: sim.state.stats.cancelled == 1)
        streamed = sim.state.stats.tokens_streamed
        await asyncio.sleep(0.15)
        stats = await sim_json(sim, "GET", "/_sim/stats")
    assert stats["tokens_streamed"] == streamed < 1000
    assert stats["completed"] == 0 and stats["in_flight"] == 0


async def test_stats_record_bodies_and_reset_clears_everything() -> None:
    async with simulator() as sim, openai_client(sim) as client:
        await client.chat.completions.create(model="m", messages=user("secret prompt"))
        await sim_json(sim, "POST", "/_sim/faults", {"kind": "status", "status": 500})
        before = await sim_json(sim, "GET", "/_sim/stats")
        await sim_json(sim, "POST", "/_sim/reset")
        after = await sim_json(sim, "GET", "/_sim/stats")
        faults = await sim_json(sim, "GET", "/_sim/faults")
        models = await client.models.list()
    assert before["total_requests"] == 1 and before["by_status"] == {"200": 1}
    assert before["recent_requests"][0]["body"]["messages"][1]["content"] == "secret prompt"
    assert after["total_requests"] == 0 and after["recent_requests"] == [] and faults == []
    assert {model.id for model in models.data} >= {"gpt-4o"}


async def test_config_endpoint_rejects_unknown_settings() -> None:
    async with (
        simulator() as sim,
        aiohttp.ClientSession() as session,
        session.post(sim.url + "/_sim/config", json={"no_such_knob": 1}) as resp,
    ):
        assert resp.status == 400
    assert sim.state.config == SimulatorConfig()


def test_token_counter_round_trips_and_counts_words_and_punctuation() -> None:
    text = "Hello, world!  Two  spaces.\n"
    assert "".join(split_text_tokens(text)) == text
    assert count_text_tokens(text) == 7 == len(split_text_tokens(text))
    assert count_prompt_tokens(user("a b c")) > count_prompt_tokens(user("a"))


def test_command_line_prints_listening_line_and_serves() -> None:
    command = [sys.executable, "-m", "devhost.simulators.aoai", "--port", "0", "--api-key", API_KEY]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line.startswith("aoai-simulator listening on http://127.0.0.1:")
            url = line.rsplit(" ", 1)[1]
            with openai.OpenAI(base_url=url + "/v1", api_key=API_KEY, max_retries=0) as client:
                completion = client.chat.completions.create(model="m", messages=user("cli"))
            assert completion.usage is not None and completion.usage.completion_tokens == 16
        finally:
            process.terminate()
            assert process.wait(timeout=5) == 0


def test_fault_limited_to_streamed_requests_waits_for_one() -> None:
    faults = FaultQueue()
    faults.add([FaultSpec(kind="hang", target="d", streamed=True), FaultSpec(kind="status", status=500)])
    assert faults.take("d", streamed=False) == FaultSpec(kind="status", status=500)
    assert faults.take("d", streamed=False) is None
    taken = faults.take("d", streamed=True)
    assert taken is not None and taken.kind == "hang"
    assert faults.take("d", streamed=True) is None
