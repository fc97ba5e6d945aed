"""Budgets in effect per tenant and user: settings defaults, overridden per tenant and per user by
documents in `quotas`.

Override documents are cached per tenant and per user for `QUOTA_LIMITS_CACHE_SECONDS`: that is the
bound within which a change reaches every instance. An expired entry is still served while one
background read refreshes it, so only a scope's first request waits on Cosmos.
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

from shared.quota.models import Limits, Scope, TenantQuotaOverride, UserQuotaOverride
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


def override_partition(tenant_id: str, user_id: str | None = None) -> str:
    return f"limits:{Scope(tenant_id, user_id).key}"


@dataclass(slots=True)
class _Cached:
    override: UserQuotaOverride | None
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

    async def get(self, tenant_id: str, user_id: str | None = None) -> Limits:
        """The tenant's limits, with `user_id`'s own overrides on top when given."""
        limits = self._defaults
        tenant = await self._override(override_partition(tenant_id), TenantQuotaOverride)
        if tenant is not None:
            limits = tenant.applied_to(limits)
        if user_id is not None:
            user = await self._override(override_partition(tenant_id, user_id), UserQuotaOverride)
            if user is not None:
                limits = user.applied_to(limits)
        return limits

    async def read_override(self, tenant_id: str, user_id: str | None = None) -> UserQuotaOverride | None:
        """The stored override document itself (uncached), or None."""
        model = TenantQuotaOverride if user_id is None else UserQuotaOverride
        return await self._read(override_partition(tenant_id, user_id), model)

    async def put_override(self, tenant_id: str, override: UserQuotaOverride, user_id: str | None = None) -> Limits:
        partition = override_partition(tenant_id, user_id)
        body: dict[str, Any] = {
            "id": OVERRIDE_ID,
            "pk": partition,
            "tenant": tenant_id,
            **({"user": user_id} if user_id is not None else {}),
            **override.model_dump(mode="json", exclude_none=True),
        }
        await self._container.upsert_item(body)
        self._cache.pop(partition, None)
        return await self.get(tenant_id, user_id)

    async def delete_override(self, tenant_id: str, user_id: str | None = None) -> None:
        partition = override_partition(tenant_id, user_id)
        with contextlib.suppress(ResourceNotFoundError):
            await self._container.delete_item(OVERRIDE_ID, partition_key=partition)
        self._cache.pop(partition, None)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _override(self, partition: str, model: type[UserQuotaOverride]) -> UserQuotaOverride | None:
        cached = self._cache.get(partition)
        if cached is None:
            return await self._load(partition, model)
        if cached.expires <= self._clock() and not cached.refreshing:
            cached.refreshing = True
            task = asyncio.create_task(self._refresh(partition, model))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return cached.override

    async def _load(self, partition: str, model: type[UserQuotaOverride]) -> UserQuotaOverride | None:
        override = await self._read(partition, model)
        self._cache[partition] = _Cached(override, self._clock() + self._cache_s)
        return override

    async def _refresh(self, partition: str, model: type[UserQuotaOverride]) -> None:
        try:
            await self._load(partition, model)
        except Exception:
            logger.warning("quota limits refresh failed; keeping the cached limits", exc_info=True)
            cached = self._cache.get(partition)
            if cached is not None:
                cached.refreshing = False
                cached.expires = self._clock() + min(self._cache_s, RETRY_AFTER_FAILURE_S)

    async def _read(self, partition: str, model: type[UserQuotaOverride]) -> UserQuotaOverride | None:
        try:
            doc = await self._container.read_item(OVERRIDE_ID, partition_key=partition)
        except ResourceNotFoundError:
            return None
        return model.model_validate(doc)
