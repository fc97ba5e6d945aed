"""Azurite restarted (stopped and started on its on-disk location, so its queues survive) while
services publish turns and streamed completions with X-Conversation-Id run: a producer gets an
error it can retry (the same key stores the turn once), the host keeps running, and no turn is
lost, stored twice or stored in part."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from azure.core.exceptions import AzureError

from devhost.stack import LocalStack
from shared.clients import Clients
from tests.resilience.harness import (
    ANSWER_BOUND_S,
    MODEL,
    AppHost,
    Tally,
    all_messages,
    app_clients,
    auth,
    eventually,
    word,
)
from tests.resilience.queue_work import QueueWork, Turn, drain_queues

pytestmark = [pytest.mark.stack, pytest.mark.resilience]

PRODUCERS = 4
COMPLETIONS = 2
BACKLOG = 20
MAX_SENDS = 5000
MAX_ATTEMPTS = 20


@pytest.fixture
async def producer_clients(fault_stack: LocalStack) -> AsyncIterator[Clients]:
    async with app_clients(fault_stack, STORAGE_RETRY_TOTAL="1") as clients:
        yield clients


async def test_azurite_restarted_under_load(
    app_host: AppHost, fault_stack: LocalStack, producer_clients: Clients
) -> None:
    tally = Tally("azurite restart")
    retryable_errors = 0
    work = await QueueWork.create(producer_clients)
    await drain_queues(producer_clients)
    stop = asyncio.Event()
    completion_turns: list[tuple[Turn, dict[str, str]]] = []
    unhinted: list[int] = []

    async def publish(turn: Turn) -> None:
        nonlocal retryable_errors
        for _ in range(MAX_ATTEMPTS):
            try:
                await work.send_turn(turn)
            except AzureError:
                retryable_errors += 1
                await asyncio.sleep(0.5)
                continue
            tally.answered(201)
            work.turns.append(turn)
            return
        tally.answered(503)

    async def producer() -> None:
        while not stop.is_set() and tally.sent < MAX_SENDS:
            await publish(work.new_turn())

    async def completer(client: httpx.AsyncClient, conversation: str, headers: dict[str, str]) -> None:
        while not stop.is_set() and tally.sent < MAX_SENDS:
            token = word()
            body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": f"question {token}"}]}
            call = {**headers, "X-Conversation-Id": conversation}
            async with client.stream("POST", app_host.api("v1/chat/completions"), json=body, headers=call) as answer:
                payload = b"".join([chunk async for chunk in answer.aiter_bytes()])
            tally.answered(answer.status_code)
            if answer.status_code == 503 and not answer.headers.get("retry-after"):
                unhinted.append(answer.status_code)
            if answer.status_code == 200 and payload.rstrip().endswith(b"data: [DONE]"):
                completion_turns.append((Turn(work.new_turn().caller, conversation, token), headers))

    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client:
        conversations = []
        for _ in range(COMPLETIONS):
            headers = auth("resilience", f"azurite-{uuid.uuid4().hex[:8]}")
            created = await client.post(app_host.api("v1/conversations"), json={}, headers=headers)
            assert created.status_code == 201, created.text
            conversations.append((created.json()["id"], headers))
        tasks = [asyncio.create_task(producer()) for _ in range(PRODUCERS)]
        tasks += [asyncio.create_task(completer(client, c, h)) for c, h in conversations]
        try:
            await eventually(lambda: _sent(tally, 20))
            # A backlog the consumer can't drain yet (the store is frozen) must survive the restart.
            fault_stack.freeze("cosmos")
            try:
                backlog = [work.new_turn() for _ in range(BACKLOG)]
                await asyncio.gather(*(publish(turn) for turn in backlog))
                await asyncio.to_thread(fault_stack.restart, "azurite", graceful=True)
            finally:
                fault_stack.thaw("cosmos")
            sent = tally.sent
            await eventually(lambda: _sent(tally, sent + 20))
        finally:
            stop.set()
            await asyncio.gather(*tasks)

        async def all_stored() -> bool:
            return len(await work.stored_turns()) == len(work.turns)

        await eventually(all_stored)
        stored = await work.stored_turns()
        partial = await work.partial_turns()
        completion_counts = await _completion_turns(client, app_host, completion_turns)
    tally.stored = len(stored) + len(completion_counts)
    tally.duplicated = sum(n - 1 for n in stored.values()) + sum(n - 1 for n in completion_counts.values())
    tally.lost = tally.acknowledged - tally.stored
    tally.report()
    print(f"[azurite restart] retryable producer errors={retryable_errors}")
    assert app_host.process is not None and app_host.process.poll() is None and app_host.starts == 1
    assert not tally.undocumented_5xx() and set(tally.statuses) <= {200, 201, 503}, tally.statuses
    assert not unhinted, "a 503 without Retry-After"
    assert tally.lost == 0 and tally.duplicated == 0
    assert not partial, partial


async def _sent(tally: Tally, count: int) -> bool:
    return tally.acknowledged >= count


async def _completion_turns(
    client: httpx.AsyncClient, host: AppHost, turns: list[tuple[Turn, dict[str, str]]]
) -> dict[str, int]:
    """How often each acknowledged completion's question is stored in its conversation (eventually all)."""

    async def counts() -> dict[str, int] | None:
        seen: dict[str, int] = {}
        for conversation in {turn.conversation_id for turn, _ in turns}:
            headers = next(h for t, h in turns if t.conversation_id == conversation)
            for message in await all_messages(client, host, headers, conversation):
                for turn, _ in turns:
                    if (
                        turn.conversation_id == conversation
                        and message["role"] == "user"
                        and turn.token in message["content"]
                    ):
                        seen[turn.token] = seen.get(turn.token, 0) + 1
        return seen if len(seen) == len(turns) else None

    return dict(await eventually(counts)) if turns else {}
