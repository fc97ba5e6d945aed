"""CachedOverrides against the Cosmos emulator: stale while it refreshes, one read for many, faults kept out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from azure.core.exceptions import ServiceRequestError

from shared.clients import Clients
from shared.overrides import CachedOverrides
from shared.resources import QUOTAS


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Faulty:
    """The real container, with reads that fail while `down` is set (a network fault, injected)."""

    def __init__(self, container: Any) -> None:
        self._container = container
        self.down = False
        self.reads = 0

    async def read_item(self, item: str, partition_key: str) -> dict[str, Any]:
        self.reads += 1
        if self.down:
            raise ServiceRequestError("connection refused")
        result: dict[str, Any] = await self._container.read_item(item, partition_key=partition_key)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)


def level(document: Mapping[str, Any]) -> int:
    return int(document["level"])


async def until(condition: Any) -> None:
    for _ in range(1000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")


@pytest.fixture
def partition() -> str:
    return f"override-test:{uuid.uuid4().hex[:8]}"


async def test_a_change_is_served_stale_until_one_background_read_replaces_it(clients: Clients, partition: str) -> None:
    container = Faulty(clients.database.get_container_client(QUOTAS.name))
    clock = Clock()
    writer = CachedOverrides(container, "setting", level, ttl_s=30)  # type: ignore[arg-type]
    reader = CachedOverrides(container, "setting", level, ttl_s=30, clock=clock)  # type: ignore[arg-type]
    assert await reader.get(partition) is None

    assert await writer.put(partition, {"level": 1}) == 1
    assert await writer.get(partition) == 1, "the writer serves its own write at once"
    assert await reader.get(partition) is None, "the reader's cache is fresh for ttl_s"

    clock.now += 31
    assert await reader.get(partition) is None, "expired: still served while one refresh runs"

    async def refreshed() -> bool:
        return await reader.get(partition) == 1

    await until(refreshed)
    await writer.delete(partition)
    assert await writer.get(partition) is None and await writer.read(partition) is None
    await reader.aclose()
    await writer.aclose()


async def test_concurrent_first_reads_share_one(clients: Clients, partition: str) -> None:
    container = Faulty(clients.database.get_container_client(QUOTAS.name))
    await CachedOverrides(container, "setting", level, ttl_s=30).put(partition, {"level": 3})  # type: ignore[arg-type]
    cold = CachedOverrides(container, "setting", level, ttl_s=30)  # type: ignore[arg-type]

    values = await asyncio.gather(*(cold.get(partition) for _ in range(10)))

    assert values == [3] * 10 and container.reads == 1


async def test_a_failed_refresh_keeps_the_cached_value_and_a_failed_first_read_raises(
    clients: Clients, partition: str
) -> None:
    container = Faulty(clients.database.get_container_client(QUOTAS.name))
    clock = Clock()
    store = CachedOverrides(container, "setting", level, ttl_s=30, clock=clock)  # type: ignore[arg-type]
    await store.put(partition, {"level": 2})
    container.down = True
    clock.now += 31
    assert await store.get(partition) == 2

    async def retried() -> bool:
        return container.reads >= 1 and not store._loading

    await until(retried)
    assert await store.get(partition) == 2, "kept after the failed refresh"
    with pytest.raises(ServiceRequestError):
        await CachedOverrides(container, "setting", level, ttl_s=30).get(partition)  # type: ignore[arg-type]

    lenient = CachedOverrides(container, "setting", level, ttl_s=30, none_on_error=True)  # type: ignore[arg-type]
    assert await lenient.get(partition) is None
    container.down = False
    clock.now += 31
    await store.delete(partition)
