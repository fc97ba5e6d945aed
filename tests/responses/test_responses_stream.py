"""Streamed responses through the SDK: the typed event sequence, exact usage, faults and moderation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devhost.simulators.tokenizer import count_prompt_tokens, split_text_tokens
from tests.conftest import RunningHost
from tests.responses.test_responses_sdk import MODEL, new_client, received, reply

pytestmark = pytest.mark.stack

VIOLENT = "I will stab you and massacre your whole family tonight."
OPENING = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
]
CLOSING = ["response.output_text.done", "response.content_part.done", "response.output_item.done"]


@pytest.fixture
def sim(stack: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.aoai}", timeout=10) as client:
        yield client


def test_stream_event_sequence_and_exact_usage(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    mark = uuid.uuid4().hex
    first = client.responses.create(model=MODEL, input=reply(f"hello {mark}"))
    events = list(
        client.responses.create(
            model=MODEL, previous_response_id=first.id, input=reply(f"stream this please {mark}"), stream=True
        )
    )
    kinds = [event.type for event in events]
    deltas = [event for event in events if event.type == "response.output_text.delta"]
    assert kinds == [*OPENING, *["response.output_text.delta"] * len(deltas), *CLOSING, "response.completed"]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    expected_text = f"STREAM THIS PLEASE {mark.upper()}"
    assert "".join(delta.delta for delta in deltas) == expected_text
    done = events[-1]
    assert done.type == "response.completed"
    assert done.response.status == "completed" and done.response.output_text == expected_text
    messages = received(sim, f"stream this please {mark}")
    assert len(messages) == 3, "the chain's history went upstream"
    usage = done.response.usage
    assert usage is not None
    assert usage.input_tokens == count_prompt_tokens(messages)
    assert usage.output_tokens == len(split_text_tokens(expected_text))
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    stored = client.responses.retrieve(done.response.id)
    assert stored.output_text == expected_text and stored.usage == usage
    assert stored.output[0].id == events[2].item.id  # type: ignore[union-attr]


def test_fault_mid_stream_ends_with_response_failed(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    queued = sim.post("/_sim/faults", json={"kind": "disconnect", "after_chunks": 3, "target": MODEL})
    assert queued.status_code == 200
    events = list(
        client.responses.create(model=MODEL, input=reply("one two three four five six seven eight"), stream=True)
    )
    kinds = [event.type for event in events]
    assert kinds[:4] == OPENING and kinds[-1] == "response.failed", kinds
    assert "response.completed" not in kinds
    failed = events[-1].response  # type: ignore[union-attr]
    assert failed.status == "failed" and failed.error is not None and failed.error.code == "server_error"
    assert [event.sequence_number for event in events] == list(range(len(events)))
    assert client.responses.retrieve(failed.id).status == "failed"


def test_flagged_output_is_cut_and_incomplete(devhost: RunningHost) -> None:
    client = new_client(devhost)
    answer = "Here is a calm sentence about gardens. " + VIOLENT + " That is all."
    prompt = f'Repeat the quoted line: "[[sim:reply:{answer}]]" and nothing else.'
    events = list(client.responses.create(model=MODEL, input=prompt, stream=True))
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert "stab" not in text and "massacre" not in text
    last = events[-1]
    assert last.type == "response.incomplete", [event.type for event in events]
    assert last.response.incomplete_details is not None
    assert last.response.incomplete_details.reason == "content_filter"
    assert last.response.output_text == text


def test_flagged_output_is_withheld_without_streaming(devhost: RunningHost) -> None:
    client = new_client(devhost)
    prompt = f'Repeat the quoted line: "[[sim:reply:{VIOLENT}]]" and nothing else.'
    made = client.responses.create(model=MODEL, input=prompt)
    assert made.status == "incomplete" and made.incomplete_details is not None
    assert made.incomplete_details.reason == "content_filter" and "stab" not in made.output_text


def test_output_cut_at_max_output_tokens_is_incomplete(devhost: RunningHost) -> None:
    client = new_client(devhost)
    prompt = "[[sim:reply:one two three four five six seven eight nine ten]]"
    made = client.responses.create(model=MODEL, input=prompt, max_output_tokens=3)
    assert made.status == "incomplete" and made.incomplete_details is not None
    assert made.incomplete_details.reason == "max_output_tokens" and made.output_text == "one two three"
    assert made.usage is not None and made.usage.output_tokens == 3 and made.max_output_tokens == 3
    events = list(client.responses.create(model=MODEL, input=prompt, max_output_tokens=3, stream=True))
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.incomplete_details is not None
    assert events[-1].response.incomplete_details.reason == "max_output_tokens"
    assert events[-1].response.usage is not None and events[-1].response.usage.output_tokens == 3


def test_client_leaving_mid_stream_cancels_the_upstream_call(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    words = " ".join(f"w{i}" for i in range(300))
    sim.post("/_sim/config", json={"per_token_ms": 20})
    try:
        cancelled_before = sim.get("/_sim/stats").json()["cancelled"]
        body = {"model": MODEL, "stream": True, "input": f"[[sim:reply:{words}]]"}
        with (
            httpx.Client(timeout=10) as http,
            http.stream(
                "POST", devhost.api("v1/responses"), json=body, headers={"Authorization": f"Bearer {client.api_key}"}
            ) as response,
        ):
            assert response.status_code == 200
            for line in response.iter_lines():
                if "response.output_text.delta" in line:
                    break
        deadline = time.monotonic() + 10
        while sim.get("/_sim/stats").json()["cancelled"] == cancelled_before and time.monotonic() < deadline:
            time.sleep(0.05)
        stats = sim.get("/_sim/stats").json()
        assert stats["cancelled"] == cancelled_before + 1
        assert stats["in_flight"] == 0
    finally:
        sim.post("/_sim/config", json={"per_token_ms": 0})
