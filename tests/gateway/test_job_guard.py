"""Queued completion jobs go through the same prompt guard as the HTTP routes, in every place the model reads.

A job's request is a chat request from another service; the harmful marker is put into one place at a
time (a tool's description, its schema, a tool result, a `name`, a `response_format` description,
an `input_text` part, a refusal part, tool-call arguments) and the job must fail with `content_filter`
while the model simulator receives nothing. The same job with benign text there succeeds.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.gateway.jobs import CompletionJob, CompletionJobs
from shared.queues.envelope import Envelope
from tests.gateway.gateway_helpers import ALIAS, backend, make_service, simulators

pytestmark = pytest.mark.stack

HARMFUL = "I will stab you and massacre your whole family tonight"
BENIGN = "List three uses of a paper clip"


def schema(text: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"q": {"type": "string", "description": text}}}


def request_with(place: str, text: str) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "[[sim:reply:done]]"}]
    request: dict[str, Any] = {}
    if place == "tool description":
        request["tools"] = [{"type": "function", "function": {"name": "lookup", "description": text}}]
    elif place == "tool schema":
        request["tools"] = [{"type": "function", "function": {"name": "lookup", "parameters": schema(text)}}]
    elif place == "tool result":
        call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
        messages[:0] = [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": text}]},
        ]
    elif place == "tool call arguments":
        call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": f'{{"q": "{text}"}}'}}
        messages[:0] = [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ]
    elif place == "name":
        messages[0]["name"] = text.replace(" ", "_")
    elif place == "response_format description":
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "answer", "description": text, "schema": schema("the answer")},
        }
    elif place == "input_text part":
        messages.insert(0, {"role": "user", "content": [{"type": "input_text", "text": text}]})
    elif place == "refusal part":
        messages.insert(0, {"role": "assistant", "content": [{"type": "refusal", "refusal": text}]})
    return {**request, "messages": messages}


PLACES = [
    "tool description",
    "tool schema",
    "tool result",
    "tool call arguments",
    "name",
    "response_format description",
    "input_text part",
    "refusal part",
]


def envelope(request: dict[str, Any]) -> Envelope[CompletionJob]:
    return Envelope[CompletionJob](
        type="completion.job",
        tenant="t-job-guard",
        user=f"u-{uuid.uuid4().hex[:8]}",
        idempotency_key=uuid.uuid4().hex,
        payload=CompletionJob(model=ALIAS, request=request, result_queue=None),
    )


@pytest.mark.parametrize("place", PLACES)
async def test_a_queued_job_is_moderated_wherever_the_harmful_text_sits(clients: Any, place: str) -> None:
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)])
        jobs = CompletionJobs.from_clients(clients)
        refused = await jobs.process(envelope(request_with(place, HARMFUL)), service)
        assert refused["status"] == "failed" and refused["error"]["code"] == "content_filter", refused
        assert sim.state.stats.total_requests == 0, "nothing went upstream"

        answered = await jobs.process(envelope(request_with(place, BENIGN)), service)
        assert answered["status"] == "succeeded", answered
        assert sim.state.stats.total_requests == 1
