"""Issue 6: nobody but its owner can read, see, change or delete a conversation, on any route.

Owner B has conversations with messages and feedback. Every stranger (another user of B's tenant,
B's user id in another tenant, service keys of another tenant) tries every conversation route on
B's data: each attempt answers exactly like a conversation that never existed (404), and B then
reads everything back unchanged. The queue path is trusted to name its own owner; an event for A
that names B's conversation id reaches only A's partition.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from shared.conversations.events import APPEND_MESSAGES, AppendMessages, EventMessage
from shared.conversations.ingest import process_event
from shared.dependencies import build_api_key_store
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind, Capability
from shared.queues.envelope import envelope_for
from shared.queues.producer import QueueProducer, encode
from shared.resources import CONVERSATION_EVENTS_QUEUE, poison_queue
from tests.conftest import RunningHost, bearer
from tests.identity.conversation_probe import (
    BASE,
    Auth,
    attacks,
    create_owned,
    expect,
    expect_error,
    missing_twin,
    new_id,
    snapshot,
)

READ_WRITE = [Capability.CONVERSATIONS_READ, Capability.CONVERSATIONS_WRITE]


@pytest.fixture
def client(devhost: RunningHost) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=devhost.url, timeout=30) as created:
        yield created


def _strangers(tenant: str, user: str) -> dict[str, Callable[[], Auth]]:
    return {
        "another user of the same tenant": lambda: bearer(tenant, new_id("u")),
        "the same user id in another tenant": lambda: bearer(new_id("t"), user),
    }


def _attack_everything(client: httpx.Client, victim: Any, stranger: Auth) -> int:
    """Every conversation route against the victim's data; each must look exactly like missing data."""
    tried = 0
    for name, method, url, body, headers in attacks(victim):
        answer = expect_error(client.request(method, url, json=body, headers={**stranger, **headers}), 404)
        twin = missing_twin(url, victim)
        absent = expect_error(client.request(method, twin, json=body, headers={**stranger, **headers}), 404)
        assert answer == absent, (name, answer, absent)
        tried += 1
    stranger_list = expect(client.get(BASE, params={"limit": 100}, headers=stranger), 200)
    assert victim.conversation_id not in {c["id"] for c in stranger_list["data"]}
    assert victim.conversation_id not in client.get(f"{BASE}/export", headers=stranger).text
    owner_page = expect(client.get(BASE, params={"limit": 1}, headers=victim.auth), 200)
    assert owner_page["next_cursor"], "the owner has two conversations: a second page exists"
    stolen = client.get(BASE, params={"cursor": owner_page["next_cursor"]}, headers=stranger)
    assert expect_error(stolen, 400)["code"] == "invalid_cursor"
    completion = client.post(
        "/api/v1/chat/completions",
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "continue"}]},
        headers={**stranger, "X-Conversation-Id": victim.conversation_id},
    )
    assert expect_error(completion, 404)["code"] == "conversation_not_found"
    assert client.delete(BASE, headers=stranger).status_code == 204
    return tried + 5


@pytest.mark.parametrize("stranger_kind", ["another user of the same tenant", "the same user id in another tenant"])
def test_strangers_get_404_everywhere_and_the_owner_sees_no_change(client: httpx.Client, stranger_kind: str) -> None:
    tenant, user = new_id("t"), new_id("u")
    victim = create_owned(client, bearer(tenant, user))
    before = snapshot(client, victim.auth)
    stranger = _strangers(tenant, user)[stranger_kind]()
    expect(client.post(BASE, json={"title": "the stranger's own"}, headers=stranger), 201)
    tried = _attack_everything(client, victim, stranger)
    assert tried >= 14
    assert snapshot(client, victim.auth) == before
    assert before[victim.conversation_id]["messages"][1]["feedback"]["rating"] == "positive"


async def test_service_keys_are_bounded_by_tenant_and_capability(clients: Any, client: httpx.Client) -> None:
    store = clients.service("api_keys", build_api_key_store)
    tenant_x, tenant_y = new_id("tx"), new_id("ty")
    # Same service name in two tenants: both callers are `service:assistant`, yet two owners.
    _, key_x = await store.create(tenant_x, "assistant", [*READ_WRITE, Capability.COMPLETIONS])
    _, key_y = await store.create(tenant_y, "assistant", READ_WRITE)
    _, completions_only = await store.create(tenant_y, "assistant", [Capability.COMPLETIONS])
    _, read_only = await store.create(tenant_y, "assistant", [Capability.CONVERSATIONS_READ])
    await asyncio.to_thread(_check_service_keys, client, key_x, key_y, completions_only, read_only)


def _check_service_keys(client: httpx.Client, key_x: str, key_y: str, completions_only: str, read_only: str) -> None:
    victim = create_owned(client, {"api-key": key_y})
    before = snapshot(client, victim.auth)
    assert _attack_everything(client, victim, {"api-key": key_x}) >= 14
    assert expect(client.get(BASE, headers={"api-key": key_x}), 200)["data"] == []
    assert snapshot(client, victim.auth) == before

    # Tenant Y's own keys, short of a capability: 403, before anything is looked up or written.
    one = f"{BASE}/{victim.conversation_id}"
    writes = [
        ("POST", BASE, {"title": "x"}),
        ("PATCH", one, {"title": "x"}),
        ("DELETE", one, None),
        ("DELETE", BASE, None),
        ("POST", f"{one}/messages", {"role": "user", "content": "x"}),
        ("PUT", f"{one}/messages/{victim.message_id}/feedback", {"rating": "negative"}),
    ]
    reads = [("GET", BASE, None), ("GET", one, None), ("GET", f"{one}/messages", None), ("GET", f"{BASE}/export", None)]
    for method, url, body in [*writes, *reads]:
        denied = client.request(method, url, json=body, headers={"api-key": completions_only})
        assert expect_error(denied, 403)["type"] == "permission_error", (method, url)
    for method, url, body in writes:
        denied = client.request(method, url, json=body, headers={"api-key": read_only})
        assert expect_error(denied, 403)["type"] == "permission_error", (method, url)
    for method, url, body in reads:
        expect(client.request(method, url, json=body, headers={"api-key": read_only}), 200)
    converse = client.post(
        "/api/v1/chat/completions",
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers={"api-key": completions_only, "X-Conversation-Id": victim.conversation_id},
    )
    assert expect_error(converse, 403)["type"] == "permission_error"
    assert snapshot(client, victim.auth) == before


def _event(owner: Caller, conversation_id: str, text: str, create: bool) -> Any:
    payload = AppendMessages(
        conversation_id=conversation_id,
        messages=[EventMessage(role="user", content=text)],
        create_if_missing=create,
        title="from the queue" if create else None,
    )
    return envelope_for(owner, APPEND_MESSAGES, payload, idempotency_key=uuid.uuid4().hex)


async def _poisoned(clients: Any, marker: str) -> bool:
    poison = clients.queues.get_queue_client(poison_queue(CONVERSATION_EVENTS_QUEUE))
    peeked = await poison.peek_messages(max_messages=32)
    return any(marker in base64.b64decode(message.content).decode(errors="replace") for message in peeked)


async def test_queue_events_for_a_never_touch_bs_conversation(
    clients: Any, client: httpx.Client, devhost: RunningHost
) -> None:
    tenant, user_b = new_id("t"), new_id("u")
    victim = await asyncio.to_thread(create_owned, client, bearer(tenant, user_b))
    before = await asyncio.to_thread(snapshot, client, victim.auth)
    same_tenant = Caller(CallerKind.USER, tenant, new_id("u"), capabilities=USER_CAPABILITIES)
    same_user_elsewhere = Caller(CallerKind.USER, new_id("t"), user_b, capabilities=USER_CAPABILITIES)
    one = f"{BASE}/{victim.conversation_id}"

    async with httpx.AsyncClient(base_url=devhost.url, timeout=30) as http:
        # Appending to an id A does not have: the consumer drops the event (as for a deleted conversation).
        for owner in (same_tenant, same_user_elsewhere):
            marker = uuid.uuid4().hex
            envelope = _event(owner, victim.conversation_id, marker, create=False)
            await process_event(clients, base64.b64decode(encode(envelope)), 1)
            assert not await _poisoned(clients, marker), "a well-formed event is dropped, not poisoned"
            expect_error(await http.get(one, headers=bearer(owner.tenant_id, owner.user_id)), 404)

        # create_if_missing through the real queue: A gets a conversation of its own under that id.
        for owner in (same_tenant, same_user_elsewhere):
            marker = uuid.uuid4().hex
            await QueueProducer(clients.queues).send(
                CONVERSATION_EVENTS_QUEUE, _event(owner, victim.conversation_id, marker, create=True)
            )
            as_a = bearer(owner.tenant_id, owner.user_id)
            async with asyncio.timeout(20):
                while True:
                    listed = await http.get(f"{one}/messages", headers=as_a)
                    if listed.status_code == 200 and listed.json()["data"]:
                        break
                    await asyncio.sleep(0.1)
            assert [m["content"] for m in listed.json()["data"]] == [marker]
            assert expect(await http.get(one, headers=as_a), 200)["title"] == "from the queue"
    assert await asyncio.to_thread(snapshot, client, victim.auth) == before
