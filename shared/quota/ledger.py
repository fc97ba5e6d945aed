"""Window counters in Cosmos: one document per (scope, window), changed only by atomic patches.

A document is `{id, pk, used, window, ttl}`. `take` adds tokens only if the total stays within
the budget (a conditional `incr`), so no number of concurrent writers can push `used` past the
budget through it; `add` is unconditional (returns of unused allowance, and charges that can't be
refused after the fact). Documents carry a `ttl` and expire a while after their window ends.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from shared.quota.models import WindowKey

TTL_SLACK_S = 600
"""How long a counter outlives its window (TTL counts from the last write)."""


class QuotaLedger:
    def __init__(self, container: ContainerProxy) -> None:
        self._container = container

    async def take(self, key: WindowKey, amount: int, budget: int) -> int | None:
        """Add `amount` to the window's total if it stays within `budget`.

        Returns the window's new total, or None when the budget can't cover it.
        """
        if amount <= 0:
            raise ValueError("take needs a positive amount")
        if amount > budget:
            return None
        # Field names stay lower-case: the local emulator lower-cases the predicate.
        return await self._incr(key, amount, f"FROM c WHERE c.used + {int(amount)} <= {int(budget)}")

    async def add(self, key: WindowKey, amount: int) -> int | None:
        """Unconditionally add `amount` (may be negative). Returns the new total, None if no document."""
        if amount == 0:
            return None
        return await self._incr(key, amount, None)

    async def used(self, key: WindowKey) -> int:
        try:
            doc = await self._container.read_item(key.doc_id, partition_key=key.partition)
        except ResourceNotFoundError:
            return 0
        return int(doc["used"])

    async def _incr(self, key: WindowKey, amount: int, predicate: str | None) -> int | None:
        """Patch `used` by `amount` (only where `predicate` holds), creating the window when it is missing;
        None when the predicate fails, or for a negative amount on a window that doesn't exist."""
        condition: dict[str, Any] = {"filter_predicate": predicate} if predicate is not None else {}
        while True:
            try:
                doc = await self._container.patch_item(
                    key.doc_id,
                    partition_key=key.partition,
                    patch_operations=[{"op": "incr", "path": "/used", "value": int(amount)}],
                    **condition,
                )
                return int(doc["used"])
            except CosmosHttpResponseError as error:
                if error.status_code == 412:
                    return None
                if error.status_code != 404:
                    raise
            if amount < 0:
                return None
            created = await self._create(key, amount)
            if created is not None:
                return created

    async def _create(self, key: WindowKey, amount: int) -> int | None:
        """Create the window with `amount` used; None if another writer created it first."""
        body: dict[str, Any] = {
            "id": key.doc_id,
            "pk": key.partition,
            "used": int(amount),
            "kind": key.kind.value,
            "scope": key.scope.key,
            "window": key.index,
            "ttl": key.kind.seconds + TTL_SLACK_S,
        }
        try:
            await self._container.create_item(body)
        except ResourceExistsError:
            return None
        return int(amount)
