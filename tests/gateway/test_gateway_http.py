"""The gateway over HTTP through the dev host, driven by the official `openai` client (both shapes)."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from tests.conftest import bearer

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
API_VERSION = "2024-10-21"


def token_for() -> tuple[str, dict[str, str]]:
    headers = bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")
    return headers["Authorization"].removeprefix("Bearer "), headers


@pytest.fixture
def sim(stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.aoai}", timeout=10) as client:
        yield client


def sim_stats(sim: httpx.Client) -> dict[str, Any]:
    stats: dict[str, Any] = sim.get("/_sim/stats").json()
    return stats


def wait_for_in_flight(sim: httpx.Client, count: int, timeout_s: float = 60) -> dict[str, Any]:
    """The simulator's stats once exactly `count` calls are in flight (polled, generously bounded)."""
    deadline = time.monotonic() + timeout_s
    while (stats := sim_stats(sim))["in_flight"] != count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stats["in_flight"] == count, stats
    return stats


def test_openai_client_non_streaming_content_usage_and_headers(devhost) -> None:
    token, _ = token_for()
    client = openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "[[sim:reply:Hi from the gateway.]]"}],
        max_tokens=20,
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hi from the gateway."
    assert completion.usage is not None and completion.usage.completion_tokens == 5
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 5
    assert raw.headers["x-request-id"]
    assert int(raw.headers["x-ratelimit-remaining-tokens"]) > 0
    assert "x-ratelimit-reset-tokens" in raw.headers


def test_openai_client_streaming_with_and_without_usage(devhost) -> None:
    token, _ = token_for()
    client = openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0)
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "[[sim:reply:Streaming works fine.]]"}]
    plain = list(client.chat.completions.create(model=MODEL, messages=messages, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in plain if c.choices) == "Streaming works fine."
    assert all(c.choices for c in plain) and all(c.usage is None for c in plain)
    counted = list(
        client.chat.completions.create(
            model=MODEL, messages=messages, stream=True, stream_options={"include_usage": True}
        )
    )
    assert counted[-1].choices == [] and counted[-1].usage is not None
    assert counted[-1].usage.completion_tokens == 4


def test_azure_client_streaming_and_not_with_api_key_header(devhost) -> None:
    token, _ = token_for()
    client = openai.AzureOpenAI(
        azure_endpoint=devhost.url + "/api", api_key=token, api_version=API_VERSION, max_retries=0
    )
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "[[sim:reply:Azure shaped.]]"}]
    completion = client.chat.completions.create(model=MODEL, messages=messages)
    assert completion.choices[0].message.content == "Azure shaped."
    assert completion.usage is not None and completion.usage.completion_tokens == 3
    chunks = list(client.chat.completions.create(model=MODEL, messages=messages, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Azure shaped."


def test_models_usage_and_errors(devhost, http: httpx.Client) -> None:
    token, headers = token_for()
    client = openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0)
    assert [model.id for model in client.models.list()] == [MODEL]
    for text in ("[[sim:reply:one]]", "[[sim:reply:two words]]"):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": text}])
    usage = http.get("/api/v1/usage", headers=headers).json()
    assert usage["object"] == "list"
    [row] = usage["data"]
    assert (row["model"], row["requests"], row["completion_tokens"]) == (MODEL, 2, 3)
    assert row["total_tokens"] == row["prompt_tokens"] + 3
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    missing = http.post("/api/v1/chat/completions", json={"model": MODEL, "messages": []})
    assert missing.status_code == 401
    invalid = http.post("/api/v1/chat/completions", json={"model": MODEL, "messages": []}, headers=headers)
    assert invalid.status_code == 400 and invalid.json()["error"]["param"] == "messages"


def test_unowned_conversation_is_404_before_upstream(devhost, http: httpx.Client, sim: httpx.Client) -> None:
    _, headers = token_for()
    before = sim_stats(sim)["total_requests"]
    answer = http.post(
        "/api/v1/chat/completions",
        json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
        headers={**headers, "X-Conversation-Id": "conv_" + uuid.uuid4().hex},
    )
    assert answer.status_code == 404
    assert sim_stats(sim)["total_requests"] == before


def test_client_disconnect_cancels_the_upstream_stream(devhost, sim: httpx.Client) -> None:
    _, headers = token_for()
    before_config = sim.get("/_sim/config").json()
    # A short prompt (moderated inline) and a long default reply: a 300-word scripted prompt would be
    # moderated in the process pool, whose first start is not what this test is about.
    sim.post("/_sim/config", json={"per_token_ms": 100, "default_reply_tokens": 300})
    try:
        cancelled_before = sim_stats(sim)["cancelled"]
        body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "Tell me a long story."}]}
        with (
            httpx.Client(timeout=60) as client,
            client.stream("POST", devhost.api("v1/chat/completions"), json=body, headers=headers) as response,
        ):
            assert response.status_code == 200
            chunks = response.iter_raw()
            next(chunks)
            next(chunks)
        stats = wait_for_in_flight(sim, 0)  # the 300 tokens would take 30 s: cancelled, unless completed
        assert stats["cancelled"] == cancelled_before + 1
    finally:
        restore = {name: before_config[name] for name in ("per_token_ms", "default_reply_tokens")}
        sim.post("/_sim/config", json=restore)


def test_new_conversation_gets_the_turn_appended_after_the_response(devhost, http: httpx.Client) -> None:
    token, headers = token_for()
    client = openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "[[sim:reply:Stored reply.]] please"}],
        stream=True,
        extra_headers={"X-Conversation-Id": "new"},
    )
    conversation_id = raw.headers["X-Conversation-Id"]
    assert conversation_id.startswith("conv_")
    assert "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices) == "Stored reply."
    deadline = time.monotonic() + 15
    messages: list[dict[str, Any]] = []
    while len(messages) < 2 and time.monotonic() < deadline:
        answer = http.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)
        messages = answer.json().get("data", []) if answer.status_code == 200 else []
        time.sleep(0.2)
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "[[sim:reply:Stored reply.]] please"),
        ("assistant", "Stored reply."),
    ]
    again = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "more"}],
        extra_headers={"X-Conversation-Id": conversation_id},
    )
    assert again.headers["X-Conversation-Id"] == conversation_id


def test_client_disconnect_cancels_a_non_streaming_upstream_call(devhost, sim: httpx.Client) -> None:
    _, headers = token_for()
    sim.post("/_sim/config", json={"first_token_ms": 120_000})
    try:
        before = wait_for_in_flight(sim, 0)
        body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "wait for it"}]}).encode()
        url = httpx.URL(devhost.api("v1/chat/completions"))
        head = (
            f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n"
            f"Authorization: {headers['Authorization']}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        with socket.create_connection((url.host, url.port)) as connection:
            connection.sendall(head.encode() + body)
            wait_for_in_flight(sim, 1)  # upstream is working on it...
        stats = wait_for_in_flight(sim, 0)  # ...when the client goes away
        assert stats["cancelled"] == before["cancelled"] + 1
        assert stats["completed"] == before["completed"]
    finally:
        sim.post("/_sim/config", json={"first_token_ms": 0})
