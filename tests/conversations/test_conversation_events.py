"""The `conversation-events` queue path: the dev host's queue runner over Azurite, into Cosmos."""

from __future__ import annotations

import asyncio
import base64
import gzip
import logging
import random
import string
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import azure.functions as func
import pytest
from azure.cosmos.exceptions import CosmosHttpResponseError
from pydantic import ValidationError

from devhost.function_index import index
from devhost.host_config import QueueOptions
from devhost.queue_host import QueueListener
from shared.conversations.events import (
    APPEND_MESSAGES,
    MAX_INFLATED_BYTES,
    AppendMessages,
    EventMessage,
    pack_turn,
    publish_turn,
)
from shared.conversations.ingest import process_event
from shared.conversations.keys import EventOwner, new_conversation_id
from shared.conversations.models import MessageInput
from shared.conversations.repository import Appended, ConversationRepository
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from shared.queues.envelope import envelope_for
from shared.queues.producer import QueueProducer
from shared.resources import CONVERSATION_EVENTS_QUEUE, poison_queue

TRACE = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


def _caller() -> Caller:
    return Caller(
        CallerKind.USER, f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}", capabilities=USER_CAPABILITIES
    )


def _turn(question: str = "What is Cosmos DB?", answer: str = "A database.") -> list[MessageInput]:
    return [MessageInput(role="user", content=question), MessageInput(role="assistant", content=answer)]


NO_RETRY_BOUND_S = 15
"""host.json retries after a 5 s visibility timeout, 5 dequeues: a retried message reaches poison after 20 s."""


async def _eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 60) -> None:
    async with asyncio.timeout(timeout_s):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)


async def _messages(repository: ConversationRepository, caller: Caller, cid: str) -> list[dict[str, Any]]:
    if not await repository.exists(caller, cid):
        return []
    return (await repository.list_messages(caller, cid, 100, None)).items


async def _in_poison(clients: Any, marker: str) -> bool:
    poison = clients.queues.get_queue_client(poison_queue(CONVERSATION_EVENTS_QUEUE))
    for message in await poison.peek_messages(max_messages=32):
        if marker in base64.b64decode(message.content).decode(errors="replace"):
            return True
    return False


async def _send_raw(clients: Any, body: str) -> None:
    queue = clients.queues.get_queue_client(CONVERSATION_EVENTS_QUEUE)
    await queue.send_message(base64.b64encode(body.encode()).decode())


@pytest.fixture
def repository(clients: Any) -> ConversationRepository:
    return ConversationRepository.from_clients(clients)


async def test_published_turn_creates_the_conversation_and_appends_in_order(
    devhost: Any, clients: Any, repository: ConversationRepository
) -> None:
    caller, cid = _caller(), new_conversation_id()
    await publish_turn(
        clients,
        caller,
        cid,
        _turn(),
        idempotency_key="turn-1",
        trace_headers=TRACE,
        create_if_missing=True,
        title="Databases",
    )
    await _eventually(lambda: _has(repository, caller, cid, 2))
    stored = await _messages(repository, caller, cid)
    assert [(m["sequence"], m["role"]) for m in stored] == [(1, "user"), (2, "assistant")]
    assert (await repository.get(caller, cid))["title"] == "Databases"


async def _has(repository: ConversationRepository, caller: Caller, cid: str, count: int) -> bool:
    return len(await _messages(repository, caller, cid)) >= count


async def test_duplicate_deliveries_store_the_turn_once(
    devhost: Any, clients: Any, repository: ConversationRepository
) -> None:
    caller, cid = _caller(), new_conversation_id()
    await asyncio.gather(
        *(
            publish_turn(
                clients, caller, cid, _turn(), idempotency_key="same-turn", trace_headers=TRACE, create_if_missing=True
            )
            for _ in range(3)
        )
    )
    # A queue does not keep order: the next turn is published once this one is stored, as a producer would.
    await _eventually(lambda: _has(repository, caller, cid, 2))
    await publish_turn(
        clients,
        caller,
        cid,
        _turn("next?", "next."),
        idempotency_key="turn-2",
        trace_headers=TRACE,
        create_if_missing=True,
    )
    await _eventually(lambda: _has(repository, caller, cid, 4))
    await publish_turn(clients, caller, cid, _turn(), idempotency_key="same-turn", trace_headers=TRACE)
    sentinel = new_conversation_id()
    await publish_turn(
        clients, caller, sentinel, _turn(), idempotency_key="s", trace_headers=TRACE, create_if_missing=True
    )
    await _eventually(lambda: _has(repository, caller, sentinel, 2))
    await asyncio.sleep(0.5)
    stored = await _messages(repository, caller, cid)
    assert [m["sequence"] for m in stored] == [1, 2, 3, 4]
    assert [m["content"] for m in stored] == ["What is Cosmos DB?", "A database.", "next?", "next."]
    assert (await repository.get(caller, cid))["last_sequence"] == 4


async def test_invalid_messages_go_to_poison_without_retries(devhost: Any, clients: Any) -> None:
    marker = uuid.uuid4().hex
    await _send_raw(clients, f"not json {marker}")
    caller = _caller()
    payload = AppendMessages(
        conversation_id=new_conversation_id(),
        messages=[EventMessage(role="user", content="x" * 40_000)],
        create_if_missing=True,
    )
    oversized = envelope_for(caller, APPEND_MESSAGES, payload, idempotency_key=f"big-{marker}")
    unknown = envelope_for(
        caller,
        "conversation.unknown",
        payload.model_copy(update={"messages": [EventMessage(role="user", content="hi")]}),
        idempotency_key=f"unknown-{marker}",
    )
    producer = QueueProducer(clients.queues)
    await producer.send(CONVERSATION_EVENTS_QUEUE, oversized)
    await producer.send(CONVERSATION_EVENTS_QUEUE, unknown)
    await _eventually(lambda: _in_poison(clients, marker), timeout_s=NO_RETRY_BOUND_S)
    await _eventually(lambda: _in_poison(clients, f"big-{marker}"), timeout_s=NO_RETRY_BOUND_S)
    await _eventually(lambda: _in_poison(clients, f"unknown-{marker}"), timeout_s=NO_RETRY_BOUND_S)


async def test_poison_reason_is_logged_and_nothing_is_stored(
    clients: Any, repository: ConversationRepository, caplog: pytest.LogCaptureFixture
) -> None:
    caller, cid = _caller(), new_conversation_id()
    envelope = envelope_for(
        caller,
        APPEND_MESSAGES,
        AppendMessages(
            conversation_id=cid,
            messages=[EventMessage(role="user", content="hi")],
            create_if_missing=True,
            title="t" * 201,
        ),
        idempotency_key="k",
    )
    with caplog.at_level(logging.ERROR):
        await process_event(clients, envelope.model_dump_json().encode())
    assert "title" in caplog.text and "poison" in caplog.text
    assert not await repository.exists(caller, cid)


async def test_event_for_a_deleted_conversation_is_dropped_not_poisoned(
    clients: Any, repository: ConversationRepository
) -> None:
    caller, cid = _caller(), new_conversation_id()
    envelope = envelope_for(
        caller,
        APPEND_MESSAGES,
        AppendMessages(conversation_id=cid, messages=[EventMessage(role="user", content=cid)]),
        idempotency_key="k",
    )
    await process_event(clients, envelope.model_dump_json().encode())
    assert not await repository.exists(caller, cid)
    assert not await _in_poison(clients, cid)


class FlakyRepository(ConversationRepository):
    """Fails the first append as an unavailable store would."""

    failures = 1

    async def append_turn(self, *args: Any, **kwargs: Any) -> Appended:
        if self.failures:
            self.failures -= 1
            raise CosmosHttpResponseError(status_code=503, message="unavailable")  # type: ignore[no-untyped-call]
        return await super().append_turn(*args, **kwargs)


async def test_transient_store_failure_is_retried_by_the_queue(clients: Any) -> None:
    flaky = FlakyRepository.from_clients(clients)
    clients.service("conversations", lambda _: flaky)
    queue = f"conv-events-{uuid.uuid4().hex[:8]}"
    await clients.queues.create_queue(queue)
    attempts: list[int] = []

    async def handler(msg: func.QueueMessage) -> None:
        attempts.append(msg.dequeue_count or 0)
        await process_event(clients, msg.get_body(), msg.dequeue_count or 1)

    app = func.FunctionApp()
    app.queue_trigger(arg_name="msg", queue_name=queue, connection="AzureWebJobsStorage")(handler)
    _, [function] = index(app)
    caller, cid = _caller(), new_conversation_id()
    envelope = envelope_for(
        caller,
        APPEND_MESSAGES,
        AppendMessages(
            conversation_id=cid, messages=[EventMessage(role="user", content="kept")], create_if_missing=True
        ),
        idempotency_key="k",
        trace_headers=TRACE,
    )
    await QueueProducer(clients.queues).send(queue, envelope)
    options = QueueOptions(
        batch_size=4, new_batch_threshold=2, max_polling_interval_s=0.2, visibility_timeout_s=0, max_dequeue_count=5
    )
    listener = QueueListener(function, clients.queues, options)
    task = asyncio.create_task(listener.run())
    try:
        await _eventually(lambda: _has(flaky, caller, cid, 1))
    finally:
        await listener.stop(grace_s=2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await listener.aclose()
        await clients.queues.delete_queue(queue)
    assert attempts[:2] == [1, 2]
    assert [m["content"] for m in await _messages(flaky, caller, cid)] == ["kept"]


async def test_a_turn_too_big_for_one_queue_message_travels_in_parts_and_keeps_its_order(
    devhost: Any, clients: Any, repository: ConversationRepository
) -> None:
    caller, cid, escaped_cid = _caller(), new_conversation_id(), new_conversation_id()
    rng = random.Random(7)
    question, answer = ("".join(rng.choices(string.ascii_letters + string.digits, k=32_000)) for _ in range(2))
    escapes = '""\n' * 10_000

    def make(payload: AppendMessages) -> Any:
        return envelope_for(caller, APPEND_MESSAGES, payload, idempotency_key="big")

    parts = pack_turn(make, cid, _turn(question, answer), True, None)
    assert [[(m.index, m.encoding) for m in part.payload.messages] for part in parts] == [[(0, None)], [(1, None)]]
    compressed = pack_turn(make, escaped_cid, [MessageInput(role="tool", content=escapes)], True, None)
    assert [[m.encoding for m in part.payload.messages] for part in compressed] == [["gzip+base64"]]
    for part in [*reversed(parts), *compressed]:
        await QueueProducer(clients.queues).send(CONVERSATION_EVENTS_QUEUE, part)
    await _eventually(lambda: _has(repository, caller, cid, 2))
    await _eventually(lambda: _has(repository, caller, escaped_cid, 1))
    stored = await _messages(repository, caller, cid)
    assert [(m["sequence"], m["role"], m["content"]) for m in stored] == [
        (1, "user", question),
        (2, "assistant", answer),
    ]
    assert [m["content"] for m in await _messages(repository, caller, escaped_cid)] == [escapes]


def test_compressed_content_is_bounded_when_inflated() -> None:
    bomb = base64.b64encode(gzip.compress(b"x" * (MAX_INFLATED_BYTES + 10))).decode()
    with pytest.raises(ValidationError):
        EventMessage(role="user", content=bomb, encoding="gzip+base64")
    with pytest.raises(ValidationError):
        EventMessage(role="user", content="not gzip", encoding="gzip+base64")


async def test_gateway_ownership_check(clients: Any, repository: ConversationRepository) -> None:
    owner = EventOwner("t", f"u-{uuid.uuid4().hex[:6]}")
    cid = (await repository.create(owner, new_conversation_id(), None))["id"]
    assert await repository.exists(owner, cid)
    assert not await repository.exists(EventOwner("t", "intruder"), cid)
    with pytest.raises(ValueError):
        await publish_turn(clients, _caller(), "bad id!", _turn(), idempotency_key="k")
