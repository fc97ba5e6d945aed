from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine
from typing import Any

from shared.clients import Clients
from shared.quota.lease import Lease
from shared.quota.ledger import QuotaLedger
from shared.quota.models import Scope, WindowKind
from tests.quota.quota_helpers import Clock, CountingContainer, minute_start, quota_container


class Instance:
    """One simulated app instance: its own lease over the shared counter, background work collected."""

    def __init__(self, ledger: QuotaLedger, scope: Scope, clock: Clock, divisor: int = 16) -> None:
        self.pending: list[asyncio.Task[Any]] = []
        self.lease = Lease(ledger, WindowKind.TPM, scope, divisor=divisor, clock=clock, spawn=self._spawn)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        self.pending.append(asyncio.ensure_future(work))

    async def settle(self) -> None:
        await asyncio.gather(*self.pending)

    async def admit(self, amount: int, budget: int) -> int | None:
        index = self.lease.try_admit(amount)
        return index if index is not None else await self.lease.admit(amount, budget)


def _scope() -> Scope:
    return Scope(f"tenant-{uuid.uuid4().hex[:8]}", "user")


async def test_block_is_leased_once_then_admission_is_local(clients: Clients) -> None:
    container = CountingContainer(quota_container(clients))
    ledger = QuotaLedger(container)  # type: ignore[arg-type]
    clock = Clock(minute_start(time.time()) + 5)
    instance = Instance(ledger, _scope(), clock)

    assert await instance.admit(10, 1600) is not None
    calls_after_lease = container.total
    for _ in range(9):
        assert instance.lease.try_admit(10) is not None

    assert container.total == calls_after_lease
    assert instance.lease.granted == 1600 // 16
    assert await ledger.used(instance.lease.key(instance.lease.index)) == 100


async def test_two_instances_share_the_budget_exactly(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    scope, clock = _scope(), Clock(minute_start(time.time()) + 5)
    first, second = Instance(ledger, scope, clock), Instance(ledger, scope, clock)

    admitted = 0
    for _ in range(40):
        for instance in (first, second):
            if await instance.admit(30, 1000) is not None:
                admitted += 30
    await first.settle()
    await second.settle()

    assert admitted <= 1000
    assert admitted >= 1000 - 30
    assert first.lease.tight and second.lease.tight


async def test_refusing_instance_hands_its_spare_back(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    scope, clock = _scope(), Clock(minute_start(time.time()) + 5)
    hoarder, other = Instance(ledger, scope, clock, divisor=2), Instance(ledger, scope, clock, divisor=2)

    assert await hoarder.admit(100, 1000) is not None  # leases a 500 block
    assert await other.admit(500, 1000) is not None  # leases the other half
    assert await hoarder.admit(450, 1000) is None  # 400 spare can't cover it: refused, spare returned
    assert await other.admit(400, 1000) is not None

    key = other.lease.key(other.lease.index)
    assert await ledger.used(key) == 1000
    assert hoarder.lease.granted == hoarder.lease.charged == 100


async def test_crashed_instance_only_under_admits_until_the_window_ends(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    scope, clock = _scope(), Clock(minute_start(time.time()) + 5)
    crashed, survivor = Instance(ledger, scope, clock, divisor=4), Instance(ledger, scope, clock, divisor=4)
    assert await crashed.admit(10, 400) is not None  # holds a 100 block, then dies

    admitted = 0
    while await survivor.admit(10, 400) is not None:
        admitted += 10
    assert admitted == 300

    clock.advance(60)
    assert await survivor.admit(400, 400) is not None


async def test_window_rollover_returns_the_spare_of_the_old_window(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    clock = Clock(minute_start(time.time()) + 50)
    instance = Instance(ledger, _scope(), clock)
    assert await instance.admit(30, 1600) is not None
    old_key = instance.lease.key(instance.lease.index)

    clock.advance(15)
    assert await instance.admit(30, 1600) is not None
    await instance.settle()

    assert instance.lease.index == old_key.index + 1
    assert await ledger.used(old_key) == 30
    assert await ledger.used(instance.lease.key(instance.lease.index)) == 100


async def test_concurrent_admissions_in_one_instance_stop_at_the_budget(clients: Clients) -> None:
    container = CountingContainer(quota_container(clients))
    ledger = QuotaLedger(container)  # type: ignore[arg-type]
    instance = Instance(ledger, _scope(), Clock(minute_start(time.time()) + 5))

    results = await asyncio.gather(*(instance.admit(70, 2000) for _ in range(60)))

    admitted = 70 * sum(result is not None for result in results)
    assert admitted == 70 * (2000 // 70)
    assert await ledger.used(instance.lease.key(instance.lease.index)) <= 2000
