"""Override documents in Cosmos over a settings default, cached and served stale while they refresh.

Quota budgets, model prices, moderation policies and capture settings all work this way: the
settings hold the default, one document per scope (a partition of its container, under a fixed id)
overrides it, and the hot path must not wait on Cosmos. A scope's first read waits (concurrent first
reads share one); after `ttl_s` the cached value is still served while one background read replaces
it, so `ttl_s` bounds how long a change takes to reach every instance. A failed refresh keeps the
cached value and tries again after at most `RETRY_AFTER_FAILURE_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from azure.core.exceptions import ResourceNotFoundError
from azure.cosmos.aio import ContainerProxy

logger = logging.getLogger(__name__)

V = TypeVar("V")
RETRY_AFTER_FAILURE_S = 5.0


@dataclass(slots=True)
class _Entry(Generic[V]):
    value: V | None
    fresh_until: float


class CachedOverrides(Generic[V]):
    """Per-partition override documents of one id, parsed by `parse`; None where there is none."""

    def __init__(
        self,
        container: ContainerProxy,
        document_id: str,
        parse: Callable[[Mapping[str, Any]], V],
        *,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
        none_on_error: bool = False,
    ) -> None:
        """`none_on_error`: a first read that fails counts as no override (retried soon) instead of raising."""
        self._container = container
        self._document_id = document_id
        self._parse = parse
        self._ttl_s = ttl_s
        self._clock = clock
        self._none_on_error = none_on_error
        self._entries: dict[str, _Entry[V]] = {}
        self._loading: dict[str, asyncio.Task[V | None]] = {}

    async def get(self, partition: str) -> V | None:
        """The cached override (stale while a refresh runs); the first read of a partition waits for Cosmos."""
        entry = self._entries.get(partition)
        if entry is None:
            return await asyncio.shield(self._loading.get(partition) or self._start_load(partition))
        if entry.fresh_until <= self._clock() and partition not in self._loading:
            self._start_load(partition)
        return entry.value

    async def read(self, partition: str) -> V | None:
        """The stored document itself, uncached."""
        try:
            document = await self._container.read_item(self._document_id, partition_key=partition)
        except ResourceNotFoundError:
            return None
        return self._parse(document)

    async def put(self, partition: str, fields: Mapping[str, Any]) -> V:
        """Store the override document and serve it from now on in this instance."""
        document = {**fields, "id": self._document_id, "pk": partition}
        value = self._parse(document)
        await self._container.upsert_item(document)
        self._remember(partition, value)
        return value

    async def delete(self, partition: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            await self._container.delete_item(self._document_id, partition_key=partition)
        self._remember(partition, None)

    async def aclose(self) -> None:
        loading = list(self._loading.values())
        for task in loading:
            task.cancel()
        await asyncio.gather(*loading, return_exceptions=True)

    def _remember(self, partition: str, value: V | None) -> None:
        self._entries[partition] = _Entry(value, self._clock() + self._ttl_s)

    def _start_load(self, partition: str) -> asyncio.Task[V | None]:
        task = asyncio.create_task(self._load(partition))
        self._loading[partition] = task
        task.add_done_callback(lambda _: self._loading.pop(partition, None))
        return task

    async def _load(self, partition: str) -> V | None:
        try:
            value = await self.read(partition)
        except Exception:
            entry = self._entries.get(partition)
            if entry is None and not self._none_on_error:
                raise
            logger.warning("override read failed; serving the cached one or none", exc_info=True)
            if entry is None:
                entry = self._entries[partition] = _Entry(None, 0.0)
            entry.fresh_until = self._clock() + min(self._ttl_s, RETRY_AFTER_FAILURE_S)
            return entry.value
        self._remember(partition, value)
        return value
