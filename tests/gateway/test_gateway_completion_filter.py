"""Moderated completions: non-streamed choices withheld, and a cut stream's withheld text never stored.

Through the dev host with the official `openai` client; the simulator answers `[[sim:reply:TEXT]]`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import openai
import pytest

from devhost.simulators.tokenizer import split_text_tokens
from shared.gateway.completion_filter import guard_completion
from shared.gateway.relay import JsonCompletion
from tests.conftest import RunningHost, bearer
from tests.gateway.gateway_helpers import chat, new_caller

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
VIOLENT = "I will stab you and massacre your whole family tonight."
BENIGN = ("The quarterly report covers revenue, churn and the three biggest customer wins of the year. " * 3)[:210]


def quoted(reply: str) -> str:
    # Quoted, the scripted reply doesn't decide the prompt's own verdict; the model's reply is unquoted.
    return f'Repeat the quoted line: "[[sim:reply:{reply}]]" and nothing else.'


@pytest.fixture
def sdk(devhost: RunningHost) -> tuple[openai.OpenAI, dict[str, str]]:
    headers = bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")
    token = headers["Authorization"].removeprefix("Bearer ")
    return openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0, timeout=30), headers


def stored_messages(http: httpx.Client, headers: dict[str, str], conversation_id: str, count: int) -> list[Any]:
    deadline, messages = time.monotonic() + 15, list[dict[str, Any]]()
    while len(messages) < count and time.monotonic() < deadline:
        answer = http.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)
        messages = answer.json().get("data", []) if answer.status_code == 200 else []
        time.sleep(0.2)
    return messages


def test_flagged_non_streamed_completion_is_withheld(sdk: tuple[openai.OpenAI, dict[str, str]]) -> None:
    client, _ = sdk
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": quoted(f"{BENIGN} {VIOLENT}")}]
    )
    assert "stab" not in raw.http_response.text and "massacre" not in raw.http_response.text
    completion = raw.parse()
    (choice,) = completion.choices
    assert choice.finish_reason == "content_filter"
    assert not choice.message.content
    results = (choice.model_extra or {})["content_filter_results"]
    assert results["violence"] == {"filtered": True, "severity": "high"}
    assert results["hate"]["filtered"] is False
    assert completion.usage is not None and completion.usage.completion_tokens > 0, "usage is still reported"


def test_clean_non_streamed_completion_is_delivered_unchanged(sdk: tuple[openai.OpenAI, dict[str, str]]) -> None:
    client, _ = sdk
    reply = BENIGN + " And a closing sentence about the weather."
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": quoted(reply)}])
    (choice,) = completion.choices
    assert choice.message.content == reply and choice.finish_reason == "stop"
    upstream_results = (choice.model_extra or {}).get("content_filter_results", {})
    assert not any(result.get("filtered") for result in upstream_results.values())


def test_withheld_completion_is_not_stored_in_the_conversation(
    sdk: tuple[openai.OpenAI, dict[str, str]], http: httpx.Client
) -> None:
    client, headers = sdk
    prompt = quoted(VIOLENT)
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}], extra_headers={"X-Conversation-Id": "new"}
    )
    assert raw.parse().choices[0].finish_reason == "content_filter"
    # The turn travels as one event: had the assistant's text been kept, it would be stored alongside.
    messages = stored_messages(http, headers, raw.headers["X-Conversation-Id"], 1)
    assert [(m["role"], m["content"]) for m in messages] == [("user", prompt)]


def test_cut_stream_stores_only_the_text_the_client_received(
    sdk: tuple[openai.OpenAI, dict[str, str]], http: httpx.Client, stack: Any
) -> None:
    client, headers = sdk
    reply = BENIGN + " " + VIOLENT + " That is all."
    benign_tokens = split_text_tokens(BENIGN)
    assert split_text_tokens(reply)[: len(benign_tokens)] == benign_tokens
    resumed = False
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.aoai}", timeout=10) as sim:
        # The model pauses after the benign text (the role chunk, then a chunk per token) and goes on only
        # once the client got what the guard cleared, however the gateway's reads were batched.
        pause = {"kind": "pause", "after_chunks": 1 + len(benign_tokens)}
        sim.post("/_sim/faults", json=[pause]).raise_for_status()
        try:
            raw = client.chat.completions.with_raw_response.create(
                model=MODEL,
                messages=[{"role": "user", "content": quoted(reply)}],
                stream=True,
                extra_headers={"X-Conversation-Id": "new"},
            )
            chunks = []
            for chunk in raw.parse():
                chunks.append(chunk)
                if not resumed and chunk.choices and chunk.choices[0].delta.content:
                    sim.post("/_sim/resume").raise_for_status()
                    resumed = True
        finally:
            if any(fault["kind"] == "pause" for fault in sim.get("/_sim/faults").json()):
                sim.post("/_sim/reset").raise_for_status()  # never leave a pause for another test
            sim.post("/_sim/resume").raise_for_status()
    delivered = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert resumed, "the cleared benign window reached the client while the model was paused"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "content_filter"
    ]
    assert len(delivered) >= 200 and "stab" not in delivered and reply.startswith(delivered)
    messages = stored_messages(http, headers, raw.headers["X-Conversation-Id"], 2)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == delivered


async def test_only_flagged_choices_are_withheld_and_clean_bodies_pass_byte_for_byte() -> None:
    payload = {
        "id": "c1",
        "model": "gpt-4o-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "fine words"}, "finish_reason": "stop"},
            {"index": 1, "message": {"role": "assistant", "content": "bad words"}, "finish_reason": "stop"},
            {
                "index": 2,
                "message": {"role": "assistant", "content": None, "tool_calls": []},
                "finish_reason": "tool_calls",
            },
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    seen: list[str] = []

    async def guard(caller: Any, request: Any, text: str) -> dict[str, Any] | None:
        seen.append(text)
        return {"violence": {"filtered": True, "severity": "high"}} if "bad" in text else None

    body = json.dumps(payload).encode()
    completion = JsonCompletion(body, json.loads(body), payload["usage"], "fine words", "stop")  # type: ignore[arg-type]
    guarded = await guard_completion(guard, new_caller(), chat("hi"), completion)

    assert sorted(seen) == ["bad words", "fine words"]
    choices = json.loads(guarded.body)["choices"]
    assert choices[0] == payload["choices"][0]  # type: ignore[index]
    assert choices[1]["message"] == {"role": "assistant", "content": None}
    assert choices[1]["finish_reason"] == "content_filter"
    assert choices[1]["content_filter_results"] == {"violence": {"filtered": True, "severity": "high"}}
    assert choices[2]["finish_reason"] == "tool_calls"
    assert guarded.text == "fine words" and guarded.usage == payload["usage"]

    clean = JsonCompletion(body, json.loads(body), None, "fine words", "stop")
    assert (await guard_completion(lambda *_: _none(), new_caller(), chat("hi"), clean)).body is body


async def _none() -> None:
    return None
