"""The dev host SIGKILLed while `conversation-events`, `completion-jobs` and `moderation-requests`
messages are in flight: after a restart every message takes effect once, none is lost or left
invisible, and only the genuinely invalid messages reach the poison queues."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from devhost.stack import LocalStack
from shared.clients import Clients
from shared.resources import CONVERSATION_EVENTS_QUEUE, MODERATION_REQUESTS_QUEUE, QUEUES, poison_queue
from tests.resilience.conftest import HostFactory
from tests.resilience.harness import Tally, app_clients, eventually
from tests.resilience.queue_work import INVALID_BODY, QueueWork, drain_queues

pytestmark = [pytest.mark.stack, pytest.mark.resilience]

JOBS = 24
TURNS = 40
MODERATIONS = 40
SLOW_MODEL = {"first_token_ms": 1500}
HOST = {"UPSTREAM_TOTAL_TIMEOUT_SECONDS": "3"}
"""A completion job's claim outlives its longest run (3 s + 10 s); a crashed host's claim goes stale then."""


@pytest.fixture
async def test_clients(fault_stack: LocalStack) -> AsyncIterator[Clients]:
    async with app_clients(fault_stack) as clients:
        yield clients


async def test_host_killed_with_messages_in_flight(
    host_with: HostFactory, fault_stack: LocalStack, test_clients: Clients
) -> None:
    simulator = f"http://127.0.0.1:{fault_stack.ports.aoai}"
    async with httpx.AsyncClient(timeout=30) as client:
        before = (await client.get(f"{simulator}/_sim/config")).json()["first_token_ms"]
        (await client.post(f"{simulator}/_sim/config", json=SLOW_MODEL)).raise_for_status()
        try:
            await _crash_and_recover(host_with, fault_stack, test_clients)
        finally:
            await client.post(f"{simulator}/_sim/config", json={"first_token_ms": before})


async def _crash_and_recover(host_with: HostFactory, stack: LocalStack, clients: Clients) -> None:
    tally = Tally("dev host SIGKILL")
    async with host_with(**HOST) as host:
        await drain_queues(clients)
        work = await QueueWork.create(clients)
        for _ in range(JOBS):
            await work.send_job()
        await work.send_invalid()
        await eventually(lambda: _jobs_started(work), every_s=0.05)
        # With the store frozen the host fetches (leases) the next messages and its handlers wait on
        # the store: they are in flight, taken from the queue and not yet done, when the host dies.
        stack.freeze("cosmos")
        try:
            for _ in range(TURNS):
                turn = work.new_turn()
                await work.send_turn(turn)
                work.turns.append(turn)
            for _ in range(MODERATIONS):
                await work.send_moderation()
            in_flight = await eventually(lambda: _all_leased(work), every_s=0.05)
            host.kill()
        finally:
            stack.thaw("cosmos")
        print(f"[dev host SIGKILL] messages leased by the host when it died: {in_flight}")
        host.start()
        await host.ready()

        expected_results = JOBS + MODERATIONS

        async def settled() -> bool:
            results = await work.collect_results()
            depths = await work.queue_depths()
            return (
                await work.finished_jobs() == JOBS
                and len(await work.stored_turns()) == TURNS
                and await work.stored_moderations() == MODERATIONS
                and len(results) == expected_results
                and all(depths[queue] == 0 for queue in QUEUES)
            )

        await eventually(settled)
        turns = await work.stored_turns()
        poison = await work.poison_bodies()
        partial = await work.partial_turns()
    tally.sent = JOBS + TURNS + MODERATIONS
    tally.acknowledged = tally.sent
    tally.stored = len(turns) + await work.finished_jobs() + await work.stored_moderations()
    tally.duplicated = sum(n - 1 for n in turns.values()) + sum(n - 1 for n in work.result_keys.values())
    tally.lost = tally.sent - tally.stored
    tally.report()
    print(f"[dev host SIGKILL] poison: { {q: len(b) for q, b in poison.items()} }")
    assert tally.lost == 0 and tally.duplicated == 0
    assert not partial, partial
    for queue in QUEUES:
        assert poison[queue] == [INVALID_BODY] * work.invalid, (poison_queue(queue), poison[queue])


async def _all_leased(work: QueueWork) -> dict[str, int] | None:
    """Queue depths once every conversation event and moderation request is leased (none visible)."""
    depths = await work.queue_depths()
    for queue in (CONVERSATION_EVENTS_QUEUE, MODERATION_REQUESTS_QUEUE):
        visible = await work.clients.queues.get_queue_client(queue).peek_messages(max_messages=1)
        if visible or depths[queue] == 0:
            return None
    return {queue: depths[queue] for queue in QUEUES}


async def _jobs_started(work: QueueWork) -> bool:
    container = work.clients.database.get_container_client("jobs")
    rows = container.query_items("SELECT VALUE COUNT(1) FROM c WHERE c.status = 'running'")
    counts = [n async for n in rows]
    return bool(counts and counts[0])
