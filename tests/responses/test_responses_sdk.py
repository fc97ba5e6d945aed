"""The Responses API through the official `openai` SDK against the dev host: state held in our store.

The model simulator records what it received, so each test checks that the model got the whole
history while the client sent only the new message.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import openai
import pytest

from shared.conversations.keys import EventOwner, partition_key
from shared.resources import CONVERSATIONS
from tests.conftest import RunningHost, bearer

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"


def message(item: Any) -> Any:
    """An item read as a message: the SDK types items (and their content) as a union over every kind."""
    return item


def first_part(item: Any) -> Any:
    """An item's first content part."""
    return item.content[0]


def new_client(devhost: RunningHost) -> openai.OpenAI:
    token = bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")["Authorization"].removeprefix("Bearer ")
    return openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0)


@pytest.fixture
def sim(stack: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.aoai}", timeout=10) as client:
        yield client


def received(sim: httpx.Client, marker: str) -> list[dict[str, Any]]:
    """The messages of the one upstream request whose last message carries `marker`."""
    bodies = [
        request["body"]
        for request in sim.get("/_sim/stats").json()["recent_requests"]
        if marker in str(request["body"]["messages"][-1].get("content"))
    ]
    assert len(bodies) == 1, bodies
    return list(bodies[0]["messages"])


def owner_pk(client: openai.OpenAI) -> str:
    claims = jwt.decode(client.api_key, options={"verify_signature": False})
    return partition_key(EventOwner(claims["tid"], claims["oid"]))


def reply(text: str) -> str:
    return f"{text} [[sim:reply:{text.upper()}]]"


def test_string_input_instructions_and_chain(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    mark = uuid.uuid4().hex
    first = client.responses.create(model=MODEL, input=reply(f"one {mark}"), instructions="Be brief.")
    assert first.status == "completed" and first.object == "response" and first.id.startswith("resp_")
    assert first.output_text == f"ONE {mark.upper()}"
    assert first.usage is not None and first.usage.output_tokens == 2
    assert first.usage.total_tokens == first.usage.input_tokens + 2
    assert received(sim, f"one {mark}") == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": reply(f"one {mark}")},
    ]
    second = client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[{"role": "user", "content": [{"type": "input_text", "text": reply(f"two {mark}")}]}],
    )
    third = client.responses.create(model=MODEL, previous_response_id=second.id, input=reply(f"three {mark}"))
    assert third.previous_response_id == second.id and third.output_text == f"THREE {mark.upper()}"
    assert received(sim, f"three {mark}") == [
        {"role": "user", "content": reply(f"one {mark}")},
        {"role": "assistant", "content": f"ONE {mark.upper()}"},
        {"role": "user", "content": reply(f"two {mark}")},
        {"role": "assistant", "content": f"TWO {mark.upper()}"},
        {"role": "user", "content": reply(f"three {mark}")},
    ], "instructions are not carried over; the whole chain is"

    again = client.responses.retrieve(second.id)
    assert (again.id, again.output_text, again.status) == (second.id, second.output_text, "completed")
    items = client.responses.input_items.list(second.id)
    assert [first_part(item).text for item in items.data] == [reply(f"two {mark}")]
    assert message(items.data[0]).role == "user" and items.data[0].type == "message"


def test_delete_then_every_route_answers_404(devhost: RunningHost) -> None:
    client = new_client(devhost)
    made = client.responses.create(model=MODEL, input="hello")
    client.responses.delete(made.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(made.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(made.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.input_items.list(made.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=MODEL, previous_response_id=made.id, input="more")


async def test_store_false_leaves_nothing(devhost: RunningHost, clients: Any) -> None:
    client = new_client(devhost)
    conv = client.conversations.create()
    made = client.responses.create(model=MODEL, input="nothing kept", store=False, conversation=conv.id)
    chained = client.responses.create(model=MODEL, input="nor this", store=False)
    assert made.output_text and made.to_dict()["store"] is False and chained.output_text
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(made.id)
    assert list(client.conversations.items.list(conv.id)) == []
    kept = client.responses.create(model=MODEL, input="stored, as a control")
    container = clients.database.get_container_client(CONVERSATIONS.name)
    ids = [kept.id, made.id, chained.id, *(item.id for item in made.output), *(item.id for item in chained.output)]
    query = "SELECT c.id FROM c WHERE ARRAY_CONTAINS(@ids, c.id)"
    found = [row["id"] async for row in container.query_items(query, parameters=[{"name": "@ids", "value": ids}])]
    assert found == [kept.id]
    documents = [row async for row in container.query_items(
        "SELECT c.id, c.type FROM c WHERE c.pk = @pk", parameters=[{"name": "@pk", "value": owner_pk(client)}]
    )]  # fmt: skip
    assert sorted(row["type"] for row in documents) == ["conversation", "response"], "the conversation and control"


def test_conversation_param_sends_its_items(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    mark = uuid.uuid4().hex
    history: list[Any] = [
        {"type": "message", "role": "user", "content": f"my name is Ada {mark}"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello Ada."}]},
    ]
    conv = client.conversations.create(
        items=history,
        metadata={"topic": "names"},
    )
    made = client.responses.create(model=MODEL, conversation=conv.id, input=reply(f"who am I {mark}"))
    assert made.conversation is not None and made.conversation.id == conv.id
    assert received(sim, f"who am I {mark}") == [
        {"role": "user", "content": f"my name is Ada {mark}"},
        {"role": "assistant", "content": "Hello Ada."},
        {"role": "user", "content": reply(f"who am I {mark}")},
    ]
    listed = client.conversations.items.list(conv.id, order="asc")
    texts = [(message(item).role, first_part(item).text) for item in listed]
    assert texts == [
        ("user", f"my name is Ada {mark}"),
        ("assistant", "Hello Ada."),
        ("user", reply(f"who am I {mark}")),
        ("assistant", f"WHO AM I {mark.upper()}"),
    ]
    follow = client.responses.create(model=MODEL, conversation={"id": conv.id}, input=reply(f"again {mark}"))
    assert follow.output_text == f"AGAIN {mark.upper()}"
    assert len(received(sim, f"again {mark}")) == 5


def test_another_owner_gets_404_everywhere(devhost: RunningHost) -> None:
    owner, stranger = new_client(devhost), new_client(devhost)
    conv = owner.conversations.create(items=[{"role": "user", "content": "private"}])
    made = owner.responses.create(model=MODEL, input="private too", conversation=conv.id)
    item = next(iter(owner.conversations.items.list(conv.id)))
    assert item.id is not None
    item_id = item.id
    attempts: list[Callable[[], object]] = [
        lambda: stranger.responses.retrieve(made.id),
        lambda: stranger.responses.delete(made.id),
        lambda: stranger.responses.input_items.list(made.id),
        lambda: stranger.responses.create(model=MODEL, previous_response_id=made.id, input="x"),
        lambda: stranger.responses.create(model=MODEL, conversation=conv.id, input="x"),
        lambda: stranger.conversations.retrieve(conv.id),
        lambda: stranger.conversations.update(conv.id, metadata={"a": "b"}),
        lambda: stranger.conversations.delete(conv.id),
        lambda: stranger.conversations.items.list(conv.id),
        lambda: stranger.conversations.items.create(conv.id, items=[{"role": "user", "content": "x"}]),
        lambda: stranger.conversations.items.retrieve(item_id, conversation_id=conv.id),
        lambda: stranger.conversations.items.delete(item_id, conversation_id=conv.id),
    ]
    for number, attempt in enumerate(attempts):
        with pytest.raises(openai.NotFoundError):
            attempt()
            pytest.fail(f"attempt {number} succeeded")
    assert owner.responses.retrieve(made.id).output_text == made.output_text
    assert owner.conversations.retrieve(conv.id).id == conv.id
    assert len(list(owner.conversations.items.list(conv.id))) == 3


def test_flagged_input_is_blocked_before_upstream(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    mark = uuid.uuid4().hex
    before = sim.get("/_sim/stats").json()["total_requests"]
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=f"I will stab you and massacre your whole family tonight. {mark}")
    assert raised.value.code == "content_filter"
    stats = sim.get("/_sim/stats").json()
    assert not [r for r in stats["recent_requests"] if mark in str(r["body"])]
    assert stats["total_requests"] == before, "nothing went upstream"


def test_bad_input_is_a_clear_400(devhost: RunningHost) -> None:
    client = new_client(devhost)
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, input=[{"role": "user", "content": ""}])
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, input="x", previous_response_id="resp_x", conversation="conv_x")
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="no-such-model", input="x")


def test_usage_and_quota_as_in_chat(devhost: RunningHost) -> None:
    client = new_client(devhost)
    raw = client.responses.with_raw_response.create(model=MODEL, input="count me [[sim:reply:counted once]]")
    made = raw.parse()
    assert made.usage is not None
    assert int(raw.headers["x-ratelimit-remaining-tokens"]) > 0, "the quota reserved and answered its headers"
    streamed = list(client.responses.create(model=MODEL, input="and me [[sim:reply:me too]]", stream=True))
    last = streamed[-1]
    assert last.type == "response.completed" and last.response.usage is not None
    expected = made.usage.total_tokens + last.response.usage.total_tokens
    auth = {"Authorization": f"Bearer {client.api_key}"}
    deadline = time.monotonic() + 30
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = httpx.get(devhost.api("v1/usage"), headers=auth, timeout=10).json()["data"]
        if rows and rows[0]["total_tokens"] >= expected:
            break
        time.sleep(0.2)
    assert [(row["model"], row["requests"], row["total_tokens"]) for row in rows] == [(MODEL, 2, expected)]


def test_redacted_input_is_stored_as_sent(devhost: RunningHost, sim: httpx.Client) -> None:
    client = new_client(devhost)
    mark = uuid.uuid4().hex
    conv = client.conversations.create()
    made = client.responses.create(model=MODEL, input=f"Card 4111 1111 1111 1111, ref {mark}", conversation=conv.id)
    sent = received(sim, mark)[-1]["content"]
    assert "[REDACTED:CREDIT_CARD]" in sent and "4111" not in sent
    [stored] = client.responses.input_items.list(made.id).data
    assert first_part(stored).text == sent
    items = list(client.conversations.items.list(conv.id, order="asc"))
    assert first_part(items[0]).text == sent


def test_delete_all_conversations_takes_the_responses_too(devhost: RunningHost) -> None:
    client = new_client(devhost)
    made = client.responses.create(model=MODEL, input="gone soon")
    auth = {"Authorization": f"Bearer {client.api_key}"}
    assert httpx.delete(devhost.api("v1/conversations"), headers=auth, timeout=30).status_code == 204
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(made.id)


def test_export_lists_stored_responses(devhost: RunningHost) -> None:
    client = new_client(devhost)
    made = client.responses.create(model=MODEL, input="keep me in the export")
    client.responses.create(model=MODEL, input="not me", store=False)
    auth = {"Authorization": f"Bearer {client.api_key}"}
    lines = httpx.get(devhost.api("v1/conversations/export"), headers=auth, timeout=30).text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(row["object"], row["id"]) for row in rows] == [("response", made.id)]
    assert rows[0]["output"][0]["content"][0]["text"] == made.output_text
