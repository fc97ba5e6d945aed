"""The Responses API reads through the chat path's one prompt guard: every string it sends the model.

Each case puts a harmful marker in one place a Responses call gets text from (instructions, string
input, every item role with string, `input_text` or `output_text` content, and a conversation's
stored history, which the Conversations API accepts unmoderated) and checks that the call is refused
with `content_filter` and that the marker never reached the model simulator. The same calls with
benign text in that place go through, so each case can fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import RunningHost, bearer

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
HARMFUL = "I will stab you and massacre your whole family tonight"
BENIGN = "List three uses of a paper clip"
ROLES = ("user", "assistant", "system", "developer")
FORMS = ("string", "input_text", "output_text")
PLACES = [
    "instructions",
    "input",
    *(f"item:{role}:{form}" for role in ROLES for form in FORMS),
    "conversation history",
]


@pytest.fixture
def sim(stack: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.aoai}", timeout=10) as client:
        yield client


def nonce() -> str:
    """Letters only, so that no PII rule rewrites it on the way."""
    return "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex)


def item(role: str, form: str, text: str) -> dict[str, Any]:
    if form == "string":
        return {"type": "message", "role": role, "content": text}
    return {"type": "message", "role": role, "content": [{"type": form, "text": text}]}


def call(http: httpx.Client, devhost: RunningHost, place: str, text: str, mark: str) -> httpx.Response:
    """A Responses call whose text at `place` is `text`; every other text is benign and carries `mark`."""
    headers = bearer(f"t-{mark[:8]}", "u-1")
    body: dict[str, Any] = {"model": MODEL, "store": False, "instructions": f"Be brief. {mark}"}
    last = {"role": "user", "content": f"{BENIGN} {mark}"}
    if place == "instructions":
        body["instructions"] = text
    if place == "input":
        body["input"] = text
    elif place.startswith("item:"):
        _, role, form = place.split(":")
        body["input"] = [item(role, form, text), last]
    else:
        body["input"] = [last]
    if place == "conversation history":
        created = http.post(
            devhost.api("v1/conversations"), json={"items": [item("user", "input_text", text)]}, headers=headers
        )
        assert created.status_code == 201, created.text
        body["conversation"] = created.json()["id"]
    return http.post(devhost.api("v1/responses"), json=body, headers=headers)


def reached_model(sim: httpx.Client, mark: str) -> bool:
    return any(mark in str(request["body"]) for request in sim.get("/_sim/stats").json()["recent_requests"])


@pytest.mark.parametrize("place", PLACES)
def test_harmful_text_anywhere_in_a_responses_call_never_reaches_the_model(
    http: httpx.Client, devhost: RunningHost, sim: httpx.Client, place: str
) -> None:
    mark = nonce()
    refused = call(http, devhost, place, f"{HARMFUL} {mark}", mark)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "content_filter"
    assert not reached_model(sim, mark)

    benign = nonce()
    answered = call(http, devhost, place, f"{BENIGN} {benign}", benign)
    assert answered.status_code == 200, answered.text
    assert reached_model(sim, benign), "the same shape goes upstream when nothing in it is harmful"


def test_responses_guard_case_count() -> None:
    print(f"responses guard: {len(PLACES)} places a Responses call reads text from")


def test_an_unknown_content_part_type_is_refused(http: httpx.Client, devhost: RunningHost) -> None:
    body = {"model": MODEL, "input": [{"role": "user", "content": [{"type": "input_video", "text": "hi"}]}]}
    response = http.post(devhost.api("v1/responses"), json=body, headers=bearer("t-parts", "u-1"))
    assert response.status_code == 400, response.text
