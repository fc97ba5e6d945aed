"""Exact token usage per caller, UTC day and model, kept in the `usage` container.

Recording is in memory and off the request path: counts are coalesced per (caller, day, model) and
flushed every `flush_interval_s` with one atomic `incr` patch per document (creating it on first
use), so concurrent instances never lose each other's counts. A failed flush keeps the counts for
the next round; `aclose` flushes what is left on shutdown.

Document: pk `usage:<hash of tenant and user>` (`shared.principal_keys`: no two principals share
one), id `<YYYY-MM-DD>:<model>`, fields tenant, user, day, model, prompt_tokens, completion_tokens,
total_tokens, requests, cached_tokens, reasoning_tokens and cost_nano (nano-dollars at the prices in
effect when the counts were flushed; see shared.quota.pricing). Documents written under the earlier pk
`usage:<tenant>:<user>` are still read, for callers whose ids hold no `:` (the only ones that key could
not confuse with another).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosResourceExistsError, CosmosResourceNotFoundError

from shared.gateway.models import UsageList, UsageRow
from shared.identity.caller import Caller
from shared.principal_keys import digest
from shared.quota.pricing import PriceTable, nano_to_usd
from shared.telemetry.background import RequestLinks, background_span

logger = logging.getLogger(__name__)

_today: tuple[int, str] = (-1, "")


def utc_day() -> str:
    """Today's UTC date as YYYY-MM-DD, formatted once per day rather than once per request."""
    global _today
    number = int(time.time() // 86400)
    if _today[0] != number:
        _today = (number, datetime.fromtimestamp(number * 86400, UTC).strftime("%Y-%m-%d"))
    return _today[1]


COUNTERS = ("prompt_tokens", "completion_tokens", "total_tokens", "requests", "cached_tokens", "reasoning_tokens")
MAX_USAGE_DAYS = 366
FINAL_FLUSH_ATTEMPTS = 3


def usage_partition(tenant_id: str, user_id: str) -> str:
    return "usage:" + digest("usage/v2", tenant_id, user_id)[:40]


def legacy_usage_partition(tenant_id: str, user_id: str) -> str | None:
    """The pre-hash pk, where it still names this caller alone (neither id holds the separator)."""
    if ":" in tenant_id or ":" in user_id:
        return None
    return f"usage:{tenant_id}:{user_id}"


def _safe_id(text: str) -> str:
    return "".join("_" if ch in "/\\?#" else ch for ch in text)


@dataclass(frozen=True, slots=True)
class UsageKey:
    tenant_id: str
    user_id: str
    day: str
    model: str

    @property
    def pk(self) -> str:
        return usage_partition(self.tenant_id, self.user_id)

    @property
    def id(self) -> str:
        return _safe_id(f"{self.day}:{self.model}")


class UsageRecorder:
    def __init__(
        self, container: ContainerProxy, flush_interval_s: float = 1.0, prices: PriceTable | None = None
    ) -> None:
        self._container = container
        self._prices = prices
        self._interval = flush_interval_s
        self._pending: dict[UsageKey, list[int]] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self._closed = False
        self._closing = asyncio.Event()
        self._served = RequestLinks()

    def record(
        self,
        caller: Caller,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
    ) -> None:
        """Count one call; never blocks and never fails the request."""
        day = utc_day()
        key = UsageKey(caller.tenant_id, caller.user_id, day, model)
        counts = self._pending.get(key)
        if counts is None:
            counts = self._pending[key] = [0] * len(COUNTERS)
        counts[0] += prompt_tokens
        counts[1] += completion_tokens
        counts[2] += prompt_tokens + completion_tokens
        counts[3] += 1
        counts[4] += cached_tokens
        counts[5] += reasoning_tokens
        self._served.add_current()
        if self._flusher is None and not self._closed:
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._interval)
            await self.flush()
        finally:
            self._flusher = None
            if self._pending and not self._closed:
                self._flusher = asyncio.create_task(self._flush_soon())

    async def flush(self, partition: str | None = None) -> None:
        """Write the pending counts (of one caller partition, or all) to Cosmos."""
        async with self._flush_lock:
            keys = [key for key in self._pending if partition is None or key.pk == partition]
            batch = {key: self._pending.pop(key) for key in keys}
            if not batch:
                return
            with background_span("usage flush", self._served.take()):
                results = await asyncio.gather(
                    *(self._write(key, counts) for key, counts in batch.items()), return_exceptions=True
                )
            for (key, counts), result in zip(batch.items(), results, strict=True):
                if isinstance(result, BaseException):
                    logger.warning("usage flush failed for %s, kept for retry: %s", key.id, result)
                    self._merge_back(key, counts)

    def _merge_back(self, key: UsageKey, counts: list[int]) -> None:
        current = self._pending.setdefault(key, [0] * len(COUNTERS))
        for index, value in enumerate(counts):
            current[index] += value

    async def _cost_nano(self, model: str, counts: list[int]) -> int:
        price = await self._prices.price(model) if self._prices is not None else None
        if price is None:
            return 0
        return price.cost_nano(counts[0], counts[1], cached=counts[4], reasoning=counts[5])

    async def _write(self, key: UsageKey, counts: list[int]) -> None:
        values = {**dict(zip(COUNTERS, counts, strict=True)), "cost_nano": await self._cost_nano(key.model, counts)}
        operations = [{"op": "incr", "path": f"/{name}", "value": value} for name, value in values.items()]
        for _ in range(3):
            try:
                await self._container.patch_item(key.id, partition_key=key.pk, patch_operations=operations)
                return
            except CosmosResourceNotFoundError:
                pass
            document: dict[str, Any] = {
                "id": key.id,
                "pk": key.pk,
                "type": "usage",
                "tenant": key.tenant_id,
                "user": key.user_id,
                "day": key.day,
                "model": key.model,
                **values,
            }
            try:
                await self._container.create_item(document)
                return
            except CosmosResourceExistsError:
                continue
        raise RuntimeError(f"usage document {key.id} could be neither patched nor created")

    async def aclose(self) -> None:
        """Flush everything left; a write in flight is awaited, never cancelled (its counts would be lost)."""
        self._closed = True
        self._closing.set()
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        for attempt in range(FINAL_FLUSH_ATTEMPTS):
            await self.flush()
            if not self._pending:
                return
            await asyncio.sleep(0.2 * (attempt + 1))
        logger.error("usage counts lost at shutdown for %d caller/day/model keys", len(self._pending))

    async def tenant_documents(self, tenant_id: str, days: int) -> list[dict[str, Any]]:
        """Every usage document of a tenant over the last `days` UTC days (all users: a cross-partition
        query, for the admin report). This instance's pending counts are flushed first."""
        await self.flush()
        since = (datetime.now(UTC) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
        query = "SELECT * FROM c WHERE c.tenant = @tenant AND c.day >= @since"
        parameters: list[dict[str, Any]] = [
            {"name": "@tenant", "value": tenant_id},
            {"name": "@since", "value": since},
        ]
        return [item async for item in self._container.query_items(query, parameters=parameters)]

    async def usage_of(self, caller: Caller, days: int) -> UsageList:
        """The caller's usage per day and model over the last `days` UTC days, newest first."""
        partition = usage_partition(caller.tenant_id, caller.user_id)
        await self.flush(partition)
        since = (datetime.now(UTC) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
        query = "SELECT * FROM c WHERE c.pk = @pk AND c.day >= @since"
        totals: dict[tuple[str, str], list[int]] = {}
        costs: dict[tuple[str, str], int] = {}
        legacy = legacy_usage_partition(caller.tenant_id, caller.user_id)
        for pk in (partition, legacy):
            if pk is None:
                continue
            parameters: list[dict[str, Any]] = [{"name": "@pk", "value": pk}, {"name": "@since", "value": since}]
            async for item in self._container.query_items(query, parameters=parameters, partition_key=pk):
                counts = totals.setdefault((item["day"], item["model"]), [0] * len(COUNTERS))
                for position, name in enumerate(COUNTERS):
                    counts[position] += int(item.get(name, 0))
                costs[item["day"], item["model"]] = costs.get((item["day"], item["model"]), 0) + int(
                    item.get("cost_nano", 0)
                )
        rows = [
            UsageRow(
                day=day,
                model=model,
                cost_usd=nano_to_usd(costs.get((day, model), 0)),
                **dict(zip(COUNTERS, counts, strict=True)),
            )
            for (day, model), counts in totals.items()
        ]
        rows.sort(key=lambda row: (row.day, row.model), reverse=True)
        return UsageList(data=rows)


def token_details(usage: dict[str, Any]) -> dict[str, int]:
    """cached_tokens and reasoning_tokens from an OpenAI usage object (0 where it doesn't say)."""
    prompt = usage.get("prompt_tokens_details")
    completion = usage.get("completion_tokens_details")
    cached = prompt.get("cached_tokens") if isinstance(prompt, dict) else None
    reasoning = completion.get("reasoning_tokens") if isinstance(completion, dict) else None
    return {
        "cached_tokens": cached if isinstance(cached, int) and cached > 0 else 0,
        "reasoning_tokens": reasoning if isinstance(reasoning, int) and reasoning > 0 else 0,
    }
