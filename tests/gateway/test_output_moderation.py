"""Every byte the model writes is moderated: tool-call arguments, refusals, every choice, logprobs.

Through the dev host; the simulator writes `[[sim:tool:NAME:ARGS]]`, `[[sim:refusal:TEXT]]` and one
`[[sim:reply:TEXT]]` per choice (n > 1), with logprobs when asked.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import RunningHost, bearer
from tests.gateway.gateway_helpers import sse_events

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
VIOLENT = "I will stab you and massacre your whole family tonight."
BENIGN = "The quarterly report covers revenue, churn and the three biggest customer wins of the year."


def quoted(*scripts: str) -> str:
    # Quoted, the scripts don't decide the prompt's own verdict; the model's reply is unquoted.
    return "Repeat the quoted lines: " + " ".join(f'"{script}"' for script in scripts) + " and nothing else."


def complete(http: httpx.Client, devhost: RunningHost, prompt: str, **extra: Any) -> httpx.Response:
    body = {"model": MODEL, "messages": [{"role": "user", "content": prompt}], **extra}
    return http.post(devhost.api("v1/chat/completions"), json=body, headers=bearer(f"t-{uuid.uuid4().hex[:8]}", "u"))


def harmless(text: str) -> bool:
    return "stab" not in text and "massacre" not in text


def test_tool_call_arguments_are_moderated(http: httpx.Client, devhost: RunningHost) -> None:
    arguments = json.dumps({"message": VIOLENT}).replace('"', "'")
    answer = complete(http, devhost, quoted(f"[[sim:tool:send_message:{arguments}]]"))
    assert answer.status_code == 200, answer.text
    assert harmless(answer.text)
    (choice,) = answer.json()["choices"]
    assert choice["finish_reason"] == "content_filter" and "tool_calls" not in choice["message"]

    streamed = complete(http, devhost, quoted(f"[[sim:tool:send_message:{arguments}]]"), stream=True)
    assert streamed.status_code == 200 and harmless(streamed.text)
    finishes = [c["finish_reason"] for e in sse_events(streamed.content) if isinstance(e, dict) for c in e["choices"]]
    assert "content_filter" in finishes and "tool_calls" not in finishes


def test_benign_tool_call_goes_through(http: httpx.Client, devhost: RunningHost) -> None:
    answer = complete(http, devhost, quoted("[[sim:tool:lookup:{'city': 'Lisbon'}]]"))
    (choice,) = answer.json()["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"] == {"name": "lookup", "arguments": "{'city': 'Lisbon'}"}


def test_refusal_is_moderated(http: httpx.Client, devhost: RunningHost) -> None:
    answer = complete(http, devhost, quoted(f"[[sim:refusal:{VIOLENT}]]"), logprobs=True)
    assert answer.status_code == 200 and harmless(answer.text)
    (choice,) = answer.json()["choices"]
    assert choice["finish_reason"] == "content_filter" and choice["logprobs"] is None


def test_every_choice_is_moderated_and_a_withheld_one_loses_its_logprobs(
    http: httpx.Client, devhost: RunningHost
) -> None:
    answer = complete(http, devhost, quoted(f"[[sim:reply:{BENIGN}]]", f"[[sim:reply:{VIOLENT}]]"), n=2, logprobs=True)
    assert answer.status_code == 200 and harmless(answer.text)
    first, second = answer.json()["choices"]
    assert first["message"]["content"] == BENIGN and first["logprobs"]["content"]
    assert second["finish_reason"] == "content_filter" and second["logprobs"] is None

    streamed = complete(
        http, devhost, quoted(f"[[sim:reply:{BENIGN}]]", f"[[sim:reply:{VIOLENT}]]"), n=2, logprobs=True, stream=True
    )
    assert streamed.status_code == 200 and harmless(streamed.text)
    finishes = {
        c["index"]: c["finish_reason"]
        for e in sse_events(streamed.content)
        if isinstance(e, dict)
        for c in e["choices"]
        if c["finish_reason"]
    }
    assert finishes[1] == "content_filter"
