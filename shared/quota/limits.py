"""Budgets in effect per tenant: settings defaults, overridden per tenant by a document in `quotas`.

Lookups are cached per tenant for `QUOTA_LIMITS_CACHE_SECONDS`. An expired entry is still served
while one background read refreshes it, so only a tenant's first request waits on Cosmos.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.cosmos.aio import ContainerProxy

from shared.quota.models import Limits, Scope, TenantQuotaOverride
from shared.settings import Settings

logger = logging.getLogger(__name__)

OVERRIDE_ID = "limits"
RETRY_AFTER_FAILURE_S = 5.0


def default_limits(settings: Settings) -> Limits:
    return Limits(
        user_tpm=settings.quota_user_tpm,
        user_tpd=settings.quota_user_tpd,
        tenant_tpm=settings.quota_tenant_tpm,
        tenant_tpd=settings.quota_tenant_tpd,
    )


def override_partition(tenant_id: str) -> str:
    return f"limits:{Scope(tenant_id).key}"


@dataclass(slots=True)
class _Cached:
    limits: Limits
    expires: float
    refreshing: bool = False


class QuotaLimits:
    def __init__(
        self,
        container: ContainerProxy,
        defaults: Limits,
        *,
        cache_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._container = container
        self._defaults = defaults
        self._cache_s = cache_s
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def defaults(self) -> Limits:
        return self._defaults

    async def get(self, tenant_id: str) -> Limits:
        cached = self._cache.get(tenant_id)
        if cached is None:
            return await self._load(tenant_id)
        if cached.expires <= self._clock() and not cached.refreshing:
            cached.refreshing = True
            task = asyncio.create_task(self._refresh(tenant_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return cached.limits

    async def put_override(self, tenant_id: str, override: TenantQuotaOverride) -> Limits:
        body: dict[str, Any] = {
            "id": OVERRIDE_ID,
            "pk": override_partition(tenant_id),
            "tenant": tenant_id,
            **override.model_dump(exclude_none=True),
        }
        await self._container.upsert_item(body)
        self._cache.pop(tenant_id, None)
        return override.applied_to(self._defaults)

    async def delete_override(self, tenant_id: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            await self._container.delete_item(OVERRIDE_ID, partition_key=override_partition(tenant_id))
        self._cache.pop(tenant_id, None)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _load(self, tenant_id: str) -> Limits:
        limits = await self._read(tenant_id)
        self._cache[tenant_id] = _Cached(limits, self._clock() + self._cache_s)
        return limits

    async def _refresh(self, tenant_id: str) -> None:
        try:
            await self._load(tenant_id)
        except Exception:
            logger.warning("quota limits refresh failed; keeping the cached limits", exc_info=True)
            cached = self._cache.get(tenant_id)
            if cached is not None:
                cached.refreshing = False
                cached.expires = self._clock() + min(self._cache_s, RETRY_AFTER_FAILURE_S)

    async def _read(self, tenant_id: str) -> Limits:
        try:
            doc = await self._container.read_item(OVERRIDE_ID, partition_key=override_partition(tenant_id))
        except ResourceNotFoundError:
            return self._defaults
        return TenantQuotaOverride.model_validate(doc).applied_to(self._defaults)
