"""Cosmos DB frozen (SIGSTOP) and killed under streamed completions with X-Conversation-Id and
message writes: callers get 503 with Retry-After while it is away, never a 500 or a hang, and
nothing acknowledged is lost or stored twice once it is back."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import httpx
import pytest

from devhost.stack import LocalStack, provision
from tests.resilience.harness import (
    ANSWER_BOUND_S,
    MODEL,
    OUTAGE_S,
    AppHost,
    Tally,
    all_messages,
    app_settings,
    auth,
    eventually,
    word,
)

pytestmark = [pytest.mark.stack, pytest.mark.resilience]

WORKERS = 4
ACKS_BEFORE = 8
ACKS_AFTER = 8
MAX_OPERATIONS = 5000
RETRYABLE = {409, 503}


@dataclass
class Op:
    kind: str
    """'turn' (streamed completion with X-Conversation-Id) or 'write' (POST a message)."""
    worker: int
    token: str
    status: int
    retry_after: str | None
    complete: bool = True


@dataclass
class Load:
    host: AppHost
    conversations: list[str]
    headers: list[dict[str, str]]
    ops: list[Op] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def acknowledged(self) -> int:
        return sum(1 for op in self.ops if 200 <= op.status < 300)


async def turn(client: httpx.AsyncClient, load: Load, worker: int, token: str) -> Op:
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": f"Tell me about {token}."}]}
    headers = {**load.headers[worker], "X-Conversation-Id": load.conversations[worker]}
    async with client.stream("POST", load.host.api("v1/chat/completions"), json=body, headers=headers) as answer:
        payload = b"".join([chunk async for chunk in answer.aiter_bytes()])
    complete = answer.status_code != 200 or payload.rstrip().endswith(b"data: [DONE]")
    return Op("turn", worker, token, answer.status_code, answer.headers.get("retry-after"), complete)


async def write(client: httpx.AsyncClient, load: Load, worker: int, token: str) -> Op:
    answer = await client.post(
        load.host.api(f"v1/conversations/{load.conversations[worker]}/messages"),
        json={"role": "user", "content": f"note {token}"},
        headers={**load.headers[worker], "Idempotency-Key": token},
    )
    return Op("write", worker, token, answer.status_code, answer.headers.get("retry-after"))


async def worker_loop(client: httpx.AsyncClient, load: Load, worker: int) -> None:
    while not load.stop.is_set() and len(load.ops) < MAX_OPERATIONS:
        load.ops.append(await turn(client, load, worker, word("t")))
        load.ops.append(await write(client, load, worker, word("w")))


async def open_conversations(client: httpx.AsyncClient, host: AppHost, count: int) -> Load:
    headers = [auth("resilience", f"cosmos-{uuid.uuid4().hex[:8]}") for _ in range(count)]
    conversations = []
    for caller in headers:
        created = await client.post(host.api("v1/conversations"), json={"title": "outage"}, headers=caller)
        assert created.status_code == 201, created.text
        conversations.append(created.json()["id"])
    return Load(host, conversations, headers)


async def verify_stored(client: httpx.AsyncClient, load: Load, tally: Tally) -> None:
    """Every acknowledged turn and write stored exactly once; retried writes (same key) once too."""
    for op in load.ops:
        if op.kind == "write" and op.status in RETRYABLE:
            retried = await write(client, load, op.worker, op.token)
            assert retried.status == 201, f"write {op.token} retried after recovery: {retried.status}"
            op.status = retried.status

    wanted = [op for op in load.ops if 200 <= op.status < 300]

    async def counts() -> dict[str, int] | None:
        seen: dict[str, int] = {}
        for worker, conversation in enumerate(load.conversations):
            for message in await all_messages(client, load.host, load.headers[worker], conversation):
                if message["role"] != "user":
                    continue
                for op in wanted:
                    if op.worker == worker and op.token in message["content"]:
                        seen[op.token] = seen.get(op.token, 0) + 1
        return seen if all(op.token in seen for op in wanted) else None

    seen = await eventually(counts)
    tally.stored = len(seen)
    tally.duplicated = sum(n - 1 for n in seen.values())
    tally.lost = len(wanted) - len(seen)


def check_answers(load: Load, tally: Tally) -> None:
    for op in load.ops:
        tally.answered(op.status)
    assert all(op.complete for op in load.ops), "a 200 stream ended without [DONE]"
    assert not tally.undocumented_5xx(), tally.statuses
    assert set(tally.statuses) <= {200, 201, *RETRYABLE}, tally.statuses
    assert all(op.retry_after for op in load.ops if op.status in RETRYABLE), "a 503/409 without Retry-After"


async def test_cosmos_frozen_under_load(app_host: AppHost, fault_stack: LocalStack) -> None:
    tally = Tally("cosmos frozen")
    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client:
        load = await open_conversations(client, app_host, WORKERS)
        workers = [asyncio.create_task(worker_loop(client, load, n)) for n in range(WORKERS)]
        try:
            await eventually(lambda: _at_least(load, ACKS_BEFORE))
            fault_stack.freeze("cosmos")
            try:
                # Answers that arrive while the store is still frozen: a bounded 503, not a hang.
                probe_write = await write(client, load, 0, word("p"))
                probe_turn = await turn(client, load, 1, word("p"))
                await asyncio.sleep(OUTAGE_S)  # the outage itself, not synchronisation
            finally:
                fault_stack.thaw("cosmos")
            acked = load.acknowledged()
            await eventually(lambda: _at_least(load, acked + ACKS_AFTER))
        finally:
            load.stop.set()
            await asyncio.gather(*workers)
        for probe in (probe_write, probe_turn):
            assert probe.status == 503 and probe.retry_after, probe
        load.ops += [probe_write, probe_turn]
        check_answers(load, tally)
        await verify_stored(client, load, tally)
    tally.report()
    assert tally.lost == 0 and tally.duplicated == 0


async def _at_least(load: Load, count: int) -> bool:
    return load.acknowledged() >= count


async def test_cosmos_killed_and_restarted(app_host: AppHost, fault_stack: LocalStack) -> None:
    tally = Tally("cosmos killed")
    async with httpx.AsyncClient(timeout=ANSWER_BOUND_S) as client:
        load = await open_conversations(client, app_host, 1)
        load.ops.append(await write(client, load, 0, word("w")))
        fault_stack.kill("cosmos")
        try:
            during = [await write(client, load, 0, word("p")),
                      await turn(client, load, 0, word("p"))]  # fmt: skip
            listed = await client.get(app_host.api("v1/conversations"), headers=load.headers[0])
            health = await client.get(app_host.api("health"))
        finally:
            await asyncio.to_thread(fault_stack.restart, "cosmos")
            await provision(app_settings(fault_stack))
        for op in during:
            tally.answered(op.status)
            assert op.status == 503 and op.retry_after, op
        tally.answered(listed.status_code)
        assert listed.status_code == 503 and listed.headers.get("retry-after"), listed.text
        assert health.status_code == 503, health.text

        # The emulator keeps its data in memory: what was stored before is gone with it. The same app
        # process (no restart of its own) serves and stores again.
        fresh = await open_conversations(client, app_host, 1)
        fresh.ops.append(await turn(client, fresh, 0, word("t")))
        fresh.ops.append(await write(client, fresh, 0, word("w")))
        check_answers(fresh, tally)
        assert all(op.status in (200, 201) for op in fresh.ops), fresh.ops
        await verify_stored(client, fresh, tally)
    tally.report()
    assert tally.lost == 0 and tally.duplicated == 0 and app_host.starts == 1
