"""Request parsing, the bytes sent upstream, and the prompt token estimate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable

import pytest

from devhost.simulators.tokenizer import count_prompt_tokens
from shared.errors import ApiError
from shared.gateway.estimate import estimate_prompt_tokens, estimate_request_tokens
from shared.gateway.request import (
    OFF_LOOP_BODY_BYTES,
    CompletionRequest,
    parse_completion_request,
    read_completion_request,
)


def body(**fields: object) -> bytes:
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}], **fields}).encode()


def test_non_streaming_body_is_forwarded_as_its_canonical_serialisation() -> None:
    raw = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2}, indent=2)
    request = parse_completion_request(raw.encode(), None)
    assert request.upstream_body() == b'{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.2}'
    assert request.parsed.model_extra == {"temperature": 0.2}


def test_streaming_body_gains_include_usage_and_keeps_everything_else() -> None:
    raw = body(stream=True, seed=3)
    sent = json.loads(parse_completion_request(raw, None).upstream_body())
    assert sent == {**json.loads(raw), "stream_options": {"include_usage": True}}


def test_existing_stream_options_are_merged_not_duplicated() -> None:
    raw = body(stream=True, stream_options={"include_usage": False, "other": 1})
    sent_bytes = parse_completion_request(raw, None).upstream_body()
    assert sent_bytes.count(b"stream_options") == 1
    assert json.loads(sent_bytes)["stream_options"] == {"include_usage": True, "other": 1}


def test_guard_rewrite_is_serialised() -> None:
    request = parse_completion_request(body(), None)
    request.replace_messages([{"role": "user", "content": "[redacted]"}])
    assert json.loads(request.upstream_body())["messages"][0]["content"] == "[redacted]"


def test_azure_route_deployment_wins_over_body_model() -> None:
    assert parse_completion_request(body(), "deployment-x").alias == "deployment-x"


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        (b"", None),
        (b"[1]", None),
        (b"{not json", None),
        (json.dumps({"messages": [{"role": "user", "content": "x"}]}).encode(), "model"),
        (json.dumps({"model": "m", "messages": []}).encode(), "messages"),
        (json.dumps({"model": "m", "messages": [{"content": "x"}]}).encode(), "messages.0.role"),
        (json.dumps({"model": "m", "messages": [{"role": "user"}], "max_tokens": 0}).encode(), "max_tokens"),
    ],
)
def test_bad_requests_are_400(raw: bytes, param: str | None) -> None:
    with pytest.raises(ApiError) as raised:
        parse_completion_request(raw, None)
    assert raised.value.status == 400 and raised.value.param == param


@pytest.mark.parametrize(
    "text",
    [
        "Hello there, how are you today?",
        "def f(x):\n    return {'a': [x, x * 2]}  # code is token-dense",
        "Ünïcödé テキスト 漢字 mixed with English words",
        " ".join(["word"] * 500),
    ],
)
def test_estimate_is_not_below_the_simulator_count(text: str) -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]
    assert estimate_prompt_tokens({"messages": messages}) >= count_prompt_tokens(messages)


def test_reservation_adds_the_reply_allowance_per_choice() -> None:
    payload = {"messages": [{"role": "user", "content": "hi"}], "n": 2}
    assert estimate_request_tokens(payload, 100, 512) == estimate_prompt_tokens(payload) + 200
    assert estimate_request_tokens({"messages": []}, None, 512) == estimate_prompt_tokens({"messages": []}) + 512


def test_images_and_tools_count() -> None:
    image = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:..."}}]}
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    base = estimate_prompt_tokens({"messages": [{"role": "user", "content": ""}]})
    assert estimate_prompt_tokens({"messages": [image]}) >= base + 765
    assert estimate_prompt_tokens({"messages": [{"role": "user", "content": ""}], "tools": tools}) > base


def test_too_many_messages_and_too_deep_json_are_400() -> None:
    from shared.gateway.models import MAX_MESSAGES

    many = {"model": "m", "messages": [{"role": "user", "content": "x"}] * (MAX_MESSAGES + 1)}
    with pytest.raises(ApiError) as too_many:
        parse_completion_request(json.dumps(many).encode(), None)
    assert too_many.value.status == 400
    assert too_many.value.param == "messages"

    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    nested = {"model": "m", "messages": [{"role": "user", "content": "x", "extra": deep}]}
    with pytest.raises(ApiError) as too_deep:
        parse_completion_request(json.dumps(nested).encode(), None)
    assert too_deep.value.status == 400


def _body_of(parts: int) -> bytes:
    content = [{"type": "text", "text": f"part {i} of a long document"} for i in range(parts)]
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": content}]}).encode()


async def _loop_turns_while(parse: Awaitable[CompletionRequest]) -> tuple[CompletionRequest, int]:
    turns = 0

    async def ticker() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = turns
    try:
        parsed = await parse
    finally:
        task.cancel()
    return parsed, turns - before


async def test_a_large_body_is_parsed_while_the_event_loop_keeps_serving() -> None:
    body = _body_of(4000)
    assert len(body) > OFF_LOOP_BODY_BYTES
    parsed, turns = await _loop_turns_while(read_completion_request(body, None))
    assert turns > 0
    assert parsed.payload == json.loads(body)


async def test_a_small_body_is_parsed_inline() -> None:
    body = _body_of(3)
    parsed, turns = await _loop_turns_while(read_completion_request(body, None))
    assert turns == 0
    assert parsed.alias == "m"
