"""Leasing the next window ahead: the first requests of a window are admitted without a Cosmos wait."""

from __future__ import annotations

import time

import pytest

from shared.clients import Clients
from shared.quota.lease import LEASE_AHEAD_S
from shared.quota.ledger import QuotaLedger
from tests.quota.quota_helpers import Clock, CountingContainer, minute_start, quota_container
from tests.quota.test_lease import Instance, _scope

pytestmark = pytest.mark.stack

BUDGET = 1600
BLOCK = BUDGET // 16


async def test_first_request_of_a_window_is_admitted_from_memory(clients: Clients) -> None:
    container = CountingContainer(quota_container(clients))
    ledger = QuotaLedger(container)  # type: ignore[arg-type]
    start = minute_start(time.time())
    clock = Clock(start + 5)
    instance = Instance(ledger, _scope(), clock)
    first = await instance.admit(10, BUDGET)
    assert first is not None

    assert instance.lease.try_admit(10) == first
    await instance.settle()
    assert instance.lease.ahead_index == -1, "no lease ahead early in a window"

    clock.advance(60 - 5 - LEASE_AHEAD_S / 2)
    assert instance.lease.try_admit(10) == first
    await instance.settle()
    assert (instance.lease.ahead_index, instance.lease.ahead_granted) == (first + 1, BLOCK)
    assert await ledger.used(instance.lease.key(first + 1)) == BLOCK

    clock.advance(LEASE_AHEAD_S)
    calls = container.total
    assert instance.lease.try_admit(10) == first + 1, "admitted at the roll-over without awaiting the store"
    assert container.total == calls
    await instance.settle()
    assert (instance.lease.granted, instance.lease.charged) == (BLOCK, 10)
    assert await ledger.used(instance.lease.key(first)) == 30, "the old window's spare went back"
    assert await ledger.used(instance.lease.key(first + 1)) == BLOCK


async def test_an_unused_ahead_block_goes_back(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    start = minute_start(time.time())
    clock = Clock(start + 55)
    instance = Instance(ledger, _scope(), clock)
    first = await instance.admit(10, BUDGET)
    assert first is not None
    assert instance.lease.try_admit(10) == first
    await instance.settle()
    assert instance.lease.ahead_granted == BLOCK

    clock.advance(125)  # two windows on: the block taken for `first + 1` was never used
    assert instance.lease.try_admit(10) is None
    await instance.settle()
    assert await ledger.used(instance.lease.key(first + 1)) == 0
    assert await ledger.used(instance.lease.key(first)) == 20


async def test_a_retired_lease_returns_its_ahead_block(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    clock = Clock(minute_start(time.time()) + 58)
    instance = Instance(ledger, _scope(), clock)
    first = await instance.admit(10, BUDGET)
    assert first is not None
    assert instance.lease.try_admit(5) == first
    await instance.settle()
    assert instance.lease.ahead_granted == BLOCK
    instance.lease.retire()
    await instance.settle()
    assert await ledger.used(instance.lease.key(first + 1)) == 0
    assert await ledger.used(instance.lease.key(first)) == 15
