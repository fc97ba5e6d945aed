"""A conversation opened with `X-Conversation-Id: new` exists when the client learns its id, and the
`conversation-events` consumer logs and counts what it did with each turn."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import openai
import pytest
from azure.core.exceptions import ServiceRequestError

from shared.conversations.repository import ConversationRepository
from shared.errors import ApiError
from shared.gateway.conversation_hook import QueuedConversationHook
from tests.conftest import RunningHost, bearer
from tests.gateway.gateway_helpers import RecordingQuota, backend, chat, make_service, new_caller, simulators

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"


def _client(devhost: RunningHost) -> tuple[openai.OpenAI, dict[str, str]]:
    headers = bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")
    token = headers["Authorization"].removeprefix("Bearer ")
    return openai.OpenAI(base_url=devhost.api("v1"), api_key=token, max_retries=0, timeout=30), headers


@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
def test_the_returned_id_works_at_once(devhost: RunningHost, http: httpx.Client, stream: bool) -> None:
    client, headers = _client(devhost)

    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "[[sim:reply:First answer.]] hello"}],
        stream=stream,
        extra_headers={"X-Conversation-Id": "new"},
    )
    conversation_id = raw.headers["X-Conversation-Id"]

    # Before the body is read (a stream is still open) and long before the queued turn is stored.
    assert http.get(f"/api/v1/conversations/{conversation_id}", headers=headers).status_code == 200
    follow_up = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "[[sim:reply:Second answer.]] again"}],
        extra_headers={"X-Conversation-Id": conversation_id},
    )
    assert follow_up.http_response.status_code == 200
    assert follow_up.headers["X-Conversation-Id"] == conversation_id
    assert follow_up.parse().choices[0].message.content == "Second answer."
    body = raw.parse()
    if stream:
        assert "".join(c.choices[0].delta.content or "" for c in body if c.choices) == "First answer."  # type: ignore[union-attr]
    else:
        assert body.choices[0].message.content == "First answer."  # type: ignore[union-attr]


def test_a_refused_prompt_creates_no_conversation(devhost: RunningHost, http: httpx.Client) -> None:
    client, headers = _client(devhost)
    before = http.get("/api/v1/conversations", headers=headers).json()["data"]

    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model=f"no-such-model-{uuid.uuid4().hex[:6]}",
            messages=[{"role": "user", "content": "hello"}],
            extra_headers={"X-Conversation-Id": "new"},
        )

    assert before == [] and http.get("/api/v1/conversations", headers=headers).json()["data"] == []


class UnavailableStore(ConversationRepository):
    async def ensure(self, owner: Any, conversation_id: str, title: str | None = None) -> None:
        raise ServiceRequestError("store unreachable")


async def test_an_unavailable_store_answers_503_and_returns_no_id(clients: Any) -> None:
    async with simulators(1) as (sim,):
        quota = RecordingQuota()
        service = make_service(clients, [backend(sim)], quota=quota)
        service.conversations = QueuedConversationHook(clients, UnavailableStore.from_clients(clients))
        request = chat("[[sim:reply:Never delivered.]]")
        request.conversation = "new"

        with pytest.raises(ApiError) as refused:
            await service.complete(new_caller(), request)
        await service.aclose()

    assert refused.value.status == 503
    assert quota.reconciled == [(quota.reserved[0], 0)], "the reservation is given back"
