"""The repository against the Cosmos emulator: partitions, paging, idempotent and concurrent appends,
resumable deletion, retention stamps."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest

from shared.conversations.keys import EventOwner, message_id, new_conversation_id, partition_key
from shared.conversations.models import MessageInput
from shared.conversations.repository import ConversationNotFound, ConversationRepository, StaleEtag


def _owner(tenant: str | None = None, user: str = "user") -> EventOwner:
    return EventOwner(tenant or f"t-{uuid.uuid4().hex[:8]}", user)


def _turn(*contents: str) -> list[tuple[int, MessageInput]]:
    roles = ("user", "assistant")
    return [(i, MessageInput(role=roles[i % 2], content=c)) for i, c in enumerate(contents)]  # type: ignore[arg-type]


@pytest.fixture
def repository(clients: Any) -> ConversationRepository:
    return ConversationRepository.from_clients(clients)


async def _all_messages(repository: ConversationRepository, owner: EventOwner, cid: str) -> list[dict[str, Any]]:
    page = await repository.list_messages(owner, cid, 100, None)
    assert page.continuation is None
    return page.items


def test_partition_key_separates_tenants_and_users_unambiguously() -> None:
    keys = {
        partition_key(EventOwner("t1", "u1")),
        partition_key(EventOwner("t2", "u1")),
        partition_key(EventOwner("t1", "u2")),
        partition_key(EventOwner("t1|u", "1")),
        partition_key(EventOwner("t1", "|u1")),
    }
    assert len(keys) == 5
    assert partition_key(EventOwner("t1", "u1")) == partition_key(EventOwner("t1", "u1"))
    with pytest.raises(ValueError):
        partition_key(EventOwner("", "u1"))


async def test_same_user_id_in_another_tenant_sees_nothing(repository: ConversationRepository) -> None:
    owner, twin = _owner(user="shared-user"), _owner(user="shared-user")
    conversation = await repository.create(owner, new_conversation_id(), "mine")
    assert await repository.exists(owner, conversation["id"])
    assert not await repository.exists(twin, conversation["id"])
    with pytest.raises(ConversationNotFound):
        await repository.get(twin, conversation["id"])
    assert (await repository.list_conversations(twin, 10, None)).items == []


async def test_writes_carry_the_configured_retention(repository: ConversationRepository, clients: Any) -> None:
    owner = _owner()
    conversation = await repository.create(owner, new_conversation_id(), None)
    appended = await repository.append_turn(owner, conversation["id"], _turn("hi"), idempotency_key="k", turn_size=1)
    [message] = appended.documents
    expected = clients.settings.conversation_ttl_days * 86_400
    assert conversation["ttl"] == expected and message["ttl"] == expected


async def test_list_pages_newest_first_with_continuation(repository: ConversationRepository) -> None:
    owner = _owner()
    created = [(await repository.create(owner, new_conversation_id(), f"c{i}"))["id"] for i in range(7)]
    seen: list[str] = []
    continuation = None
    for _ in range(5):
        page = await repository.list_conversations(owner, 3, continuation)
        assert len(page.items) <= 3
        seen += [item["id"] for item in page.items]
        continuation = page.continuation
        if continuation is None:
            break
    assert seen == list(reversed(created))


async def test_redelivered_append_writes_nothing_new(repository: ConversationRepository) -> None:
    owner = _owner()
    cid = new_conversation_id()
    first = await repository.append_turn(
        owner, cid, _turn("q", "a"), idempotency_key="turn-1", turn_size=2, create_if_missing=True, title="t"
    )
    again = await repository.append_turn(
        owner, cid, _turn("q", "a"), idempotency_key="turn-1", turn_size=2, create_if_missing=True
    )
    assert [m["id"] for m in again.documents] == [m["id"] for m in first.documents]
    assert (first.written, again.written) == (2, 0)
    assert [m["sequence"] for m in again.documents] == [1, 2]
    stored = await _all_messages(repository, owner, cid)
    assert [(m["sequence"], m["content"]) for m in stored] == [(1, "q"), (2, "a")]
    assert (await repository.get(owner, cid))["last_sequence"] == 2


async def test_retry_after_a_crash_between_reservation_and_write_reuses_the_range(
    repository: ConversationRepository, clients: Any
) -> None:
    owner = _owner()
    cid = (await repository.create(owner, new_conversation_id(), None))["id"]
    await repository.append_turn(owner, cid, _turn("q", "a"), idempotency_key="turn-1", turn_size=2)
    # The crash: the second message of the turn was never written.
    container = clients.database.get_container_client("conversations")
    await container.delete_item(message_id(cid, "turn-1", 1), partition_key=partition_key(owner))
    await repository.append_turn(owner, cid, _turn("q2", "a2"), idempotency_key="turn-2", turn_size=2)
    await repository.append_turn(owner, cid, _turn("q", "a"), idempotency_key="turn-1", turn_size=2)
    stored = await _all_messages(repository, owner, cid)
    assert [(m["sequence"], m["content"]) for m in stored] == [(1, "q"), (2, "a"), (3, "q2"), (4, "a2")]


async def test_parts_of_a_turn_arriving_out_of_order_keep_the_turn_order(
    repository: ConversationRepository,
) -> None:
    owner = _owner()
    cid = new_conversation_id()
    turn = _turn("question", "answer")
    await repository.append_turn(owner, cid, [turn[1]], idempotency_key="k", turn_size=2, create_if_missing=True)
    await repository.append_turn(owner, cid, [turn[0]], idempotency_key="k", turn_size=2, create_if_missing=True)
    stored = await _all_messages(repository, owner, cid)
    assert [(m["sequence"], m["role"]) for m in stored] == [(1, "user"), (2, "assistant")]


async def test_concurrent_appends_lose_nothing_and_never_share_a_sequence(
    repository: ConversationRepository,
) -> None:
    owner = _owner()
    cid = (await repository.create(owner, new_conversation_id(), None))["id"]
    writers = 12
    await asyncio.gather(
        *(
            repository.append_turn(owner, cid, _turn(f"m{i}"), idempotency_key=f"w{i}", turn_size=1)
            for i in range(writers)
        )
    )
    stored = await _all_messages(repository, owner, cid)
    assert sorted(m["content"] for m in stored) == sorted(f"m{i}" for i in range(writers))
    assert [m["sequence"] for m in stored] == list(range(1, writers + 1))


async def test_concurrent_creating_appends_share_one_conversation(repository: ConversationRepository) -> None:
    owner = _owner()
    cid = new_conversation_id()
    await asyncio.gather(
        *(
            repository.append_turn(
                owner, cid, _turn(f"m{i}", f"r{i}"), idempotency_key=f"k{i}", turn_size=2, create_if_missing=True
            )
            for i in range(4)
        )
    )
    stored = await _all_messages(repository, owner, cid)
    assert len(stored) == 8 and [m["sequence"] for m in stored] == list(range(1, 9))
    for first, second in zip(stored[::2], stored[1::2], strict=True):
        assert first["content"][1:] == second["content"][1:]


async def test_rename_with_stale_etag_fails_and_current_etag_succeeds(repository: ConversationRepository) -> None:
    owner = _owner()
    created = await repository.create(owner, new_conversation_id(), "a")
    renamed = await repository.rename(owner, created["id"], "b", created["_etag"])
    assert renamed["title"] == "b"
    with pytest.raises(StaleEtag):
        await repository.rename(owner, created["id"], "c", created["_etag"])
    with pytest.raises(ConversationNotFound):
        await repository.rename(_owner(), created["id"], "c", renamed["_etag"])


async def test_delete_past_its_deadline_resumes_on_the_next_call(repository: ConversationRepository) -> None:
    owner = _owner()
    cid = (await repository.create(owner, new_conversation_id(), None))["id"]
    await repository.append_turn(owner, cid, _turn(*(f"m{i}" for i in range(6))), idempotency_key="k", turn_size=6)
    assert await repository.delete(owner, cid, deadline=time.monotonic() - 1) is False
    assert not await repository.exists(owner, cid)
    assert await repository.delete(owner, cid, deadline=time.monotonic() + 30) is True
    with pytest.raises(ConversationNotFound):
        await repository.delete(owner, cid, deadline=time.monotonic() + 30)
    with pytest.raises(ConversationNotFound):
        await repository.append_turn(owner, cid, _turn("late"), idempotency_key="late", turn_size=1)


async def test_delete_all_removes_every_document_of_the_owner_only(
    repository: ConversationRepository, clients: Any
) -> None:
    owner, neighbour = _owner(), _owner()
    for who in (owner, neighbour):
        for i in range(3):
            cid = (await repository.create(who, new_conversation_id(), None))["id"]
            await repository.append_turn(who, cid, _turn("q", "a"), idempotency_key=str(i), turn_size=2)
    deleted, completed = await repository.delete_all(owner, time.monotonic() + 30)
    assert completed and deleted == 9
    container = clients.database.get_container_client("conversations")
    for who, expected in ((owner, 0), (neighbour, 9)):
        query = "SELECT c.id FROM c WHERE c.pk = @pk"
        pk = partition_key(who)
        found = [
            i async for i in container.query_items(query, parameters=[{"name": "@pk", "value": pk}], partition_key=pk)
        ]
        assert len(found) == expected
