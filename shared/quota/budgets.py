"""Budgets in effect per tenant and user: settings defaults, overridden per tenant and per user by
documents in `quotas`.

Override documents are cached per tenant and per user for `QUOTA_LIMITS_CACHE_SECONDS` (see
`shared.overrides`): that is the bound within which a change reaches every instance, and only a
scope's first request waits on Cosmos.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azure.cosmos.aio import ContainerProxy

from shared.overrides import CachedOverrides
from shared.quota.models import Limits, Scope, TenantQuotaOverride, UserQuotaOverride
from shared.settings import Settings

OVERRIDE_ID = "limits"


def default_limits(settings: Settings) -> Limits:
    return Limits(
        user_tpm=settings.quota_user_tpm,
        user_tpd=settings.quota_user_tpd,
        tenant_tpm=settings.quota_tenant_tpm,
        tenant_tpd=settings.quota_tenant_tpd,
    )


def override_partition(tenant_id: str, user_id: str | None = None) -> str:
    return f"limits:{Scope(tenant_id, user_id).key}"


class QuotaLimits:
    def __init__(
        self,
        container: ContainerProxy,
        defaults: Limits,
        *,
        cache_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._defaults = defaults
        self._tenants = CachedOverrides(
            container, OVERRIDE_ID, TenantQuotaOverride.model_validate, ttl_s=cache_s, clock=clock
        )
        self._users = CachedOverrides(
            container, OVERRIDE_ID, UserQuotaOverride.model_validate, ttl_s=cache_s, clock=clock
        )

    @property
    def defaults(self) -> Limits:
        return self._defaults

    async def get(self, tenant_id: str, user_id: str | None = None) -> Limits:
        """The tenant's limits, with `user_id`'s own overrides on top when given."""
        limits = self._defaults
        tenant = await self._tenants.get(override_partition(tenant_id))
        if tenant is not None:
            limits = tenant.applied_to(limits)
        if user_id is not None:
            user = await self._users.get(override_partition(tenant_id, user_id))
            if user is not None:
                limits = user.applied_to(limits)
        return limits

    async def read_override(self, tenant_id: str, user_id: str | None = None) -> UserQuotaOverride | None:
        """The stored override document itself (uncached), or None."""
        return await self._store(user_id).read(override_partition(tenant_id, user_id))

    async def put_override(self, tenant_id: str, override: UserQuotaOverride, user_id: str | None = None) -> Limits:
        owner: dict[str, Any] = {"tenant": tenant_id, **({"user": user_id} if user_id is not None else {})}
        fields = {**owner, **override.model_dump(mode="json", exclude_none=True)}
        await self._store(user_id).put(override_partition(tenant_id, user_id), fields)
        return await self.get(tenant_id, user_id)

    async def delete_override(self, tenant_id: str, user_id: str | None = None) -> None:
        await self._store(user_id).delete(override_partition(tenant_id, user_id))

    async def aclose(self) -> None:
        await self._tenants.aclose()
        await self._users.aclose()

    def _store(self, user_id: str | None) -> CachedOverrides[TenantQuotaOverride] | CachedOverrides[UserQuotaOverride]:
        return self._tenants if user_id is None else self._users
