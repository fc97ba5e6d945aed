"""Every string the model reads is moderated: any role, content part, tool shape, schema or name.

The property test builds chat requests from every message role, content part type and tool shape,
puts a harmful marker into one of their strings, sends them through the dev host (OpenAI and Azure
routes) and checks that the marker never reaches the model simulator (its recorded requests).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devhost.stack import LocalStack
from shared.errors import ApiError
from shared.gateway.request import parse_completion_request
from tests.conftest import RunningHost, bearer

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
HARMFUL = "I will stab you and massacre your whole family tonight"
BENIGN = [
    "Summarise the quarterly report in two lines.",
    "The weather in Lisbon is mild in spring.",
    "List three uses of a paper clip.",
]
SLOT = "@@slot@@"


def new_nonce() -> str:
    """Letters only, so that no PII rule (numbers) rewrites it on the way."""
    return "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex)


def user_message(kind: str) -> dict[str, Any]:
    if kind == "string":
        return {"role": "user", "content": SLOT, "name": SLOT}
    parts: list[dict[str, Any]] = [{"type": "text", "text": SLOT}, {"type": "input_text", "text": SLOT}]
    if kind == "with_media":
        parts.append({"type": "image_url", "image_url": {"url": "https://example.invalid/cat.png"}})
        parts.append({"type": "file", "file": {"file_data": "aGVsbG8=", "filename": SLOT}})
    return {"role": "user", "content": parts}


def assistant_message(kind: str) -> dict[str, Any]:
    if kind == "tool_calls":
        call = {"id": "call_1", "type": "function", "function": {"name": SLOT, "arguments": '{"q": "' + SLOT + '"}'}}
        return {"role": "assistant", "content": None, "tool_calls": [call]}
    if kind == "refusal":
        return {"role": "assistant", "content": [{"type": "refusal", "refusal": SLOT}], "refusal": SLOT}
    if kind == "function_call":
        return {"role": "assistant", "content": SLOT, "function_call": {"name": SLOT, "arguments": SLOT}}
    return {"role": "assistant", "content": [{"type": "text", "text": SLOT}], "name": SLOT}


def result_message(kind: str) -> dict[str, Any]:
    if kind == "tool_parts":
        return {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": SLOT}]}
    if kind == "function":
        return {"role": "function", "name": SLOT, "content": SLOT}
    return {"role": "tool", "tool_call_id": "call_1", "content": SLOT}


def schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": SLOT,
        "properties": {SLOT: {"type": "string", "description": SLOT, "enum": [SLOT]}},
    }


@st.composite
def chat_requests(draw: st.DrawFn) -> dict[str, Any]:
    system_role = draw(st.sampled_from(["system", "developer"]))
    system_content: Any = draw(st.sampled_from([SLOT, [{"type": "text", "text": SLOT}]]))
    messages = [
        {"role": system_role, "content": system_content},
        user_message(draw(st.sampled_from(["string", "parts", "with_media"]))),
        assistant_message(draw(st.sampled_from(["text", "tool_calls", "refusal", "function_call"]))),
        result_message(draw(st.sampled_from(["tool", "tool_parts", "function"]))),
        {"role": "user", "content": SLOT},
    ]
    request: dict[str, Any] = {"model": MODEL, "messages": messages}
    tools = draw(st.sampled_from(["none", "tools", "functions"]))
    if tools == "tools":
        request["tools"] = [
            {"type": "function", "function": {"name": SLOT, "description": SLOT, "parameters": schema()}}
        ]
        request["tool_choice"] = draw(st.sampled_from(["auto", {"type": "function", "function": {"name": SLOT}}]))
    elif tools == "functions":
        request["functions"] = [{"name": SLOT, "description": SLOT, "parameters": schema()}]
    if draw(st.booleans()):
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "answer", "description": SLOT, "schema": schema()},
        }
    if draw(st.booleans()):
        request["prediction"] = {"type": "content", "content": SLOT}
    return request


def fill(request: dict[str, Any], harmful_slot: int | None, nonce: str) -> tuple[bytes, int]:
    """The request's JSON with each slot filled: benign text, or the harmful marker in `harmful_slot`."""
    text = json.dumps(request)
    pieces = text.split(json.dumps(SLOT)[1:-1])
    slots = len(pieces) - 1
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        value = f"{HARMFUL} {nonce}" if index == harmful_slot else f"{BENIGN[index % len(BENIGN)]} {nonce}"
        out.append(value + piece)
    return "".join(out).encode(), slots


def recorded_bodies(stack: LocalStack) -> list[str]:
    stats = httpx.get(f"http://127.0.0.1:{stack.ports.aoai}/_sim/stats", timeout=10).json()
    return [json.dumps(entry["body"]) for entry in stats["recent_requests"]]


def post(http: httpx.Client, devhost: RunningHost, body: bytes, azure: bool, tenant: str) -> httpx.Response:
    path = f"openai/deployments/{MODEL}/chat/completions?api-version=2024-10-21" if azure else "v1/chat/completions"
    headers = {**bearer(tenant, "u-1"), "Content-Type": "application/json"}
    # Long bodies are moderated in the process pool; its first start on a busy machine outlasts the
    # fixture client's 30 s, and how fast it starts is not what this property is about.
    return http.post(devhost.api(path), content=body, headers=headers, timeout=180)


CASES: list[int] = []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=chat_requests(), pick=st.integers(min_value=0, max_value=10_000), azure=st.booleans())
def test_no_harmful_string_reaches_the_model_unmoderated(
    stack: LocalStack, devhost: RunningHost, http: httpx.Client, request: dict[str, Any], pick: int, azure: bool
) -> None:
    nonce = new_nonce()
    _, slots = fill(request, None, nonce)
    body, _ = fill(request, pick % slots, nonce)
    response = post(http, devhost, body, azure, f"t-{nonce[:8]}")
    CASES.append(slots)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "content_filter"
    assert not any(nonce in sent for sent in recorded_bodies(stack))


def test_property_case_count() -> None:
    print(f"model-input property: {len(CASES)} cases, {sum(CASES)} string slots")


@pytest.mark.parametrize("azure", [False, True])
def test_every_shape_goes_through_when_benign(
    stack: LocalStack, devhost: RunningHost, http: httpx.Client, azure: bool
) -> None:
    """The same shapes are forwarded when nothing in them is harmful (the property above can fail)."""
    request = {
        "model": MODEL,
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": SLOT}]},
            user_message("with_media"),
            assistant_message("tool_calls"),
            result_message("tool_parts"),
            {"role": "user", "content": SLOT},
        ],
        "tools": [{"type": "function", "function": {"name": "lookup", "description": SLOT, "parameters": schema()}}],
    }
    nonce = new_nonce()
    body, _ = fill(request, None, nonce)
    response = post(http, devhost, body, azure, f"t-{nonce[:8]}")
    assert response.status_code == 200, response.text
    assert any(nonce in sent for sent in recorded_bodies(stack))


def test_unknown_content_part_type_is_refused() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": [{"type": "input_video", "text": "hi"}]}]}
    with pytest.raises(ApiError) as refused:
        parse_completion_request(json.dumps(body).encode(), None)
    assert refused.value.status == 400 and refused.value.param == "messages.0.content.0.type"


def test_tool_results_are_documents_and_text() -> None:
    from shared.moderation.model_input import model_input

    payload = {"messages": [{"role": "tool", "tool_call_id": "c", "content": "result text"}]}
    segments, documents = model_input(payload)
    assert [segment.text for segment in segments] == ["result text"] and documents == ["result text"]
