"""OpenAI's Conversations API through the official SDK, over the conversations our own routes serve."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import RunningHost
from tests.responses.test_responses_sdk import first_part, message, new_client

pytestmark = pytest.mark.stack


def test_conversation_lifecycle_through_the_sdk(devhost: RunningHost) -> None:
    client = new_client(devhost)
    conv = client.conversations.create(
        items=[
            {"role": "user", "content": "first"},
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "be kind"}]},
        ],
        metadata={"project": "alpha"},
    )
    assert conv.object == "conversation" and conv.id.startswith("conv_") and conv.created_at > 0
    assert conv.metadata == {"project": "alpha"}
    assert client.conversations.retrieve(conv.id).metadata == {"project": "alpha"}

    updated = client.conversations.update(conv.id, metadata={"project": "beta", "owner": "ops"})
    assert updated.metadata == {"project": "beta", "owner": "ops"}
    assert client.conversations.retrieve(conv.id).metadata == {"project": "beta", "owner": "ops"}

    second_and_third: list[Any] = [
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": [{"type": "output_text", "text": "third"}]},
    ]
    added = client.conversations.items.create(conv.id, items=second_and_third)
    added_id = added.data[0].id
    assert added_id is not None
    assert [first_part(item).text for item in added.data] == ["second", "third"]
    assert first_part(added.data[1]).type == "output_text" and first_part(added.data[0]).type == "input_text"

    newest_first = [first_part(item).text for item in client.conversations.items.list(conv.id)]
    assert newest_first == ["third", "second", "be kind", "first"]
    page = client.conversations.items.list(conv.id, limit=1, order="asc")
    assert [first_part(item).text for item in page.data] == ["first"] and page.has_more
    assert [first_part(item).text for item in page] == ["first", "be kind", "second", "third"], "auto-paging"

    one = message(client.conversations.items.retrieve(added_id, conversation_id=conv.id))
    assert (one.id, one.role, first_part(one).text) == (added_id, "user", "second")
    after = client.conversations.items.delete(added_id, conversation_id=conv.id)
    assert after.id == conv.id and after.object == "conversation"
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.retrieve(added_id, conversation_id=conv.id)
    assert [first_part(item).text for item in client.conversations.items.list(conv.id, order="asc")] == [
        "first",
        "be kind",
        "third",
    ]

    deleted = client.conversations.delete(conv.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (conv.id, True, "conversation.deleted")
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(conv.id)
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.list(conv.id)


def test_one_conversation_whichever_route_wrote_it(devhost: RunningHost) -> None:
    client = new_client(devhost)
    auth = {"Authorization": f"Bearer {client.api_key}"}
    base = devhost.api("v1/conversations")
    with httpx.Client(timeout=30) as http:
        ours = http.post(base, json={"title": "From our route"}, headers=auth)
        assert ours.status_code == 201, ours.text
        cid = ours.json()["id"]
        message = http.post(f"{base}/{cid}/messages", json={"role": "user", "content": "via messages"}, headers=auth)
        assert message.status_code == 201
        client.conversations.items.create(cid, items=[{"role": "assistant", "content": "via items"}])
        made = client.responses.create(model="gpt-4o-mini", conversation=cid, input="via responses")

        listed = http.get(f"{base}/{cid}/messages", headers=auth).json()["data"]
        assert [(m["role"], m["content"]) for m in listed] == [
            ("user", "via messages"),
            ("assistant", "via items"),
            ("user", "via responses"),
            ("assistant", made.output_text),
        ]
        assert [m["sequence"] for m in listed] == [1, 2, 3, 4]
        items = list(client.conversations.items.list(cid, order="asc"))
        assert [item.id for item in items] == [m["id"] for m in listed]

        feedback = http.put(f"{base}/{cid}/messages/{items[-1].id}/feedback", json={"rating": "positive"}, headers=auth)
        assert feedback.status_code == 200, feedback.text
        renamed = http.patch(f"{base}/{cid}", json={"title": "Renamed"}, headers=auth)
        assert renamed.status_code == 200 and renamed.json()["title"] == "Renamed"
        seen = client.conversations.retrieve(cid)
        assert seen.id == cid and seen.metadata == {}
        assert cid in {c["id"] for c in http.get(base, headers=auth).json()["data"]}
        exported = http.get(f"{base}/export", headers=auth).text
        assert "via responses" in exported and made.output_text in exported

        plain = http.delete(f"{base}/{cid}", headers=auth)
        assert plain.status_code == 204 and plain.content == b"", "our own clients still get 204"


def test_bad_conversation_bodies_are_400_and_change_nothing(devhost: RunningHost) -> None:
    client = new_client(devhost)
    conv = client.conversations.create(items=[{"role": "user", "content": "kept"}])
    with pytest.raises(openai.BadRequestError):
        client.conversations.items.create(conv.id, items=[{"role": "user", "content": ""}])
    with pytest.raises(openai.BadRequestError):
        client.conversations.items.create(conv.id, items=[{"role": "user", "content": "x"}] * 21)
    with pytest.raises(openai.BadRequestError):
        client.conversations.update(conv.id, metadata={f"k{n}": "v" for n in range(17)})
    with pytest.raises(openai.BadRequestError):
        client.conversations.create(metadata={"k": "v" * 513})
    assert [first_part(item).text for item in client.conversations.items.list(conv.id)] == ["kept"]
    assert client.conversations.retrieve(conv.id).metadata == {}
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.retrieve(f"msg_{uuid.uuid4().hex}", conversation_id=conv.id)


def test_non_ascii_digits_in_limit_are_a_400(devhost: RunningHost) -> None:
    client = new_client(devhost)
    conv = client.conversations.create()
    auth = {"Authorization": f"Bearer {client.api_key}"}
    for path in (f"v1/conversations/{conv.id}/messages", f"v1/conversations/{conv.id}/items", "v1/conversations"):
        answer = httpx.get(devhost.api(path), params={"limit": "¹"}, headers=auth, timeout=30)
        assert answer.status_code == 400, (path, answer.text)
    usage = httpx.get(devhost.api("v1/usage"), params={"days": "²"}, headers=auth, timeout=30)
    assert usage.status_code == 400, usage.text
