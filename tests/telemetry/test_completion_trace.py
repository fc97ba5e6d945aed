"""Issue 7 acceptance: one streamed completion through the dev host is one trace, from the HTTP request
through moderation, quota and the upstream call to the queue-triggered conversation write, and no span
carries the prompt."""

from __future__ import annotations

import time
import uuid
from typing import Any

import openai
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from shared.resources import CONVERSATION_EVENTS_QUEUE
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import TIME_TO_FIRST_TOKEN, TOKENS
from tests.conftest import RunningHost, bearer
from tests.telemetry.telemetry_support import Telemetry, hex_trace

MODEL = "gpt-4o-mini"
ROUTE = "/api/v1/chat/completions"


def spans_of_trace(telemetry: Telemetry, trace_id: str) -> list[ReadableSpan]:
    return [span for span in telemetry.spans() if hex_trace(span) == trace_id]


def wait_for_server_span(telemetry: Telemetry, timeout_s: float = 10) -> ReadableSpan:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [
            span
            for span in telemetry.spans()
            if span.kind is SpanKind.SERVER and (span.attributes or {}).get(attr.HTTP_ROUTE) == ROUTE
        ]
        if found:
            (server,) = found
            return server
        time.sleep(0.05)
    raise AssertionError("the request's SERVER span never ended")


def wait_for_consumer(telemetry: Telemetry, trace_id: str, timeout_s: float = 20) -> list[ReadableSpan]:
    """The trace once its `process conversation-events` span has ended (the queue write is asynchronous)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = spans_of_trace(telemetry, trace_id)
        if any(span.name == f"process {CONVERSATION_EVENTS_QUEUE}" for span in found):
            time.sleep(0.2)  # spans of the same handler that end a moment later
            return spans_of_trace(telemetry, trace_id)
        time.sleep(0.1)
    raise AssertionError("the conversation-events consumer span never arrived in the request's trace")


def text_of(span: ReadableSpan) -> str:
    values = [str(value) for value in (span.attributes or {}).values()]
    values += [str(value) for event in span.events for value in (event.attributes or {}).values()]
    values += [event.name for event in span.events]
    return "\n".join([span.name, *values])


def test_one_streamed_completion_is_one_trace_without_the_prompt(telemetry: Telemetry, devhost: RunningHost) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    token = bearer(tenant, "u-trace")["Authorization"].removeprefix("Bearer ")
    nonce = f"nonce{uuid.uuid4().hex}"
    labels = {attr.GEN_AI_REQUEST_MODEL: MODEL}
    first_tokens_before = telemetry.total(TIME_TO_FIRST_TOKEN, labels)
    tokens_before = telemetry.total(TOKENS, labels)
    client = openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0, timeout=30)

    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": f"Tell me about the weather, {nonce}. [[sim:reply:Sunny all day.]]"}],
        stream=True,
        extra_headers={"X-Conversation-Id": "new"},
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in raw.parse() if chunk.choices)
    assert text == "Sunny all day."

    server = wait_for_server_span(telemetry)  # a streamed request's span ends just after its last byte
    trace_id = hex_trace(server)
    spans = wait_for_consumer(telemetry, trace_id)

    assert [span for span in spans if span.parent is None] == [server], "one trace, rooted at the request"
    names = {span.name for span in spans}
    assert {"moderation", "quota", f"chat {MODEL}", f"send {CONVERSATION_EVENTS_QUEUE}"} <= names
    moderation_stages = {(s.attributes or {}).get(attr.MODERATION_STAGE) for s in spans if s.name == "moderation"}
    assert moderation_stages == {"prompt", "completion"}
    assert all((s.attributes or {}).get(attr.MODERATION_OUTCOME) for s in spans if s.name == "moderation")
    (quota,) = [s for s in spans if s.name == "quota"]
    assert (quota.attributes or {})[attr.QUOTA_DECISION] == "admitted"

    (upstream,) = [s for s in spans if s.name == f"chat {MODEL}"]
    assert upstream.kind is SpanKind.CLIENT
    assert upstream.parent is not None and upstream.parent.span_id == server.context.span_id
    details: dict[str, Any] = dict(upstream.attributes or {})
    assert details[attr.GEN_AI_PROVIDER_NAME] == "azure.ai.openai"
    assert details[attr.GEN_AI_OPERATION_NAME] == "chat"
    assert details[attr.GEN_AI_REQUEST_MODEL] == MODEL
    assert details[attr.GEN_AI_RESPONSE_MODEL]
    assert details[attr.GEN_AI_USAGE_INPUT_TOKENS] > 0 and details[attr.GEN_AI_USAGE_OUTPUT_TOKENS] > 0
    assert details[attr.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert details[attr.TIME_TO_FIRST_TOKEN_MS] >= 0
    assert details[attr.UPSTREAM_ATTEMPT] == 1 and details[attr.UPSTREAM_BACKEND]
    assert details[attr.TENANT_HASH] and tenant not in details[attr.TENANT_HASH]

    (consumer,) = [s for s in spans if s.name == f"process {CONVERSATION_EVENTS_QUEUE}"]
    assert consumer.kind is SpanKind.CONSUMER
    cosmos_calls = [s for s in spans if s.parent is not None and s.parent.span_id == consumer.context.span_id]
    assert cosmos_calls, "the conversation write's Cosmos calls are children of the consumer span"

    assert all(nonce not in text_of(span) for span in spans)
    assert all(nonce not in text_of(span) for span in telemetry.spans())
    assert telemetry.total(TIME_TO_FIRST_TOKEN, labels) >= first_tokens_before + 1
    assert telemetry.total(TOKENS, labels) > tokens_before
