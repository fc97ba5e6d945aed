from __future__ import annotations

import asyncio
import uuid

from shared.clients import Clients
from shared.quota.ledger import QuotaLedger
from shared.quota.models import Scope, WindowKey, WindowKind
from tests.quota.quota_helpers import CountingContainer, quota_container


def _key(kind: WindowKind = WindowKind.TPM, index: int = 1000) -> WindowKey:
    return WindowKey(kind, Scope(f"tenant-{uuid.uuid4().hex[:8]}", "user/with?odd#chars"), index)


async def test_take_creates_the_window_and_refuses_past_the_budget(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    key = _key()

    assert await ledger.take(key, 600, 1000) == 600
    assert await ledger.take(key, 400, 1000) == 1000
    assert await ledger.take(key, 1, 1000) is None
    assert await ledger.used(key) == 1000


async def test_window_document_is_partitioned_by_scope_and_expires(clients: Clients) -> None:
    container = quota_container(clients)
    key = _key(WindowKind.TPD, 20_000)
    await QuotaLedger(container).take(key, 5, 10)

    doc = await container.read_item(key.doc_id, partition_key=key.partition)
    assert doc["pk"] == key.partition
    assert doc["used"] == 5
    assert doc["window"] == 20_000
    assert doc["ttl"] > 86_400
    assert "/" not in doc["id"] and "?" not in doc["id"] and "#" not in doc["id"]


async def test_concurrent_takes_never_exceed_the_budget(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    key = _key()

    results = await asyncio.gather(*(ledger.take(key, 7, 100) for _ in range(40)))

    granted = [total for total in results if total is not None]
    assert len(granted) == 100 // 7
    assert sorted(granted) == [7 * (i + 1) for i in range(100 // 7)]
    assert await ledger.used(key) == 7 * (100 // 7)


async def test_amount_over_the_budget_is_refused_without_a_call(clients: Clients) -> None:
    container = CountingContainer(quota_container(clients))
    ledger = QuotaLedger(container)  # type: ignore[arg-type]

    assert await ledger.take(_key(), 101, 100) is None
    assert container.total == 0


async def test_add_returns_allowance_and_ignores_missing_windows(clients: Clients) -> None:
    ledger = QuotaLedger(quota_container(clients))
    key = _key()
    await ledger.take(key, 90, 100)

    assert await ledger.add(key, -50) == 40
    assert await ledger.take(key, 60, 100) == 100
    assert await ledger.add(_key(), -10) is None
    missing = _key()
    assert await ledger.add(missing, 30) == 30
    assert await ledger.used(missing) == 30
