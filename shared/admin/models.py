"""Request and response shapes of the admin API (strict: an unknown field is a 400, not ignored)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.identity.caller import Capability
from shared.moderation.models import Category
from shared.moderation.policy import CategoryOverride
from shared.quota.models import Limits, TenantQuotaOverride, UserQuotaOverride
from shared.quota.pricing import ModelPrice


class TenantQuotaInput(TenantQuotaOverride):
    """Replaces the tenant's override: unset fields fall back to the settings."""

    model_config = ConfigDict(extra="forbid")


class UserQuotaInput(UserQuotaOverride):
    """Replaces one user's override: unset fields fall back to the tenant's per-user budgets."""

    model_config = ConfigDict(extra="forbid")


class QuotaView(BaseModel):
    object: Literal["quota"] = "quota"
    tenant: str
    user: str | None = None
    override: dict[str, Any] | None = Field(description="The stored override; null when there is none.")
    effective: Limits = Field(description="The budgets in effect (settings, tenant override, user override).")


class PolicyInput(BaseModel):
    """Replaces the tenant's moderation override, overlaid field by field on the base policy."""

    model_config = ConfigDict(extra="forbid")

    categories: dict[Category, CategoryOverride] = Field(default_factory=dict)
    blocklists: dict[str, list[str]] = Field(default_factory=dict)


class PolicyView(BaseModel):
    object: Literal["moderation.policy"] = "moderation.policy"
    tenant: str
    categories: dict[str, Any]
    blocklists: dict[str, list[str]]


class ApiKeyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: str = Field(min_length=1, max_length=64, description="The calling service's stable name.")
    capabilities: list[Capability] = Field(min_length=1)
    description: str = Field("", max_length=500)
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class ApiKeyView(BaseModel):
    model_config = ConfigDict(extra="allow")

    object: Literal["apikey"] = "apikey"
    id: str
    tenant: str
    service: str
    capabilities: list[str]
    description: str = ""
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None
    last_used_at: str | None = None


class ApiKeyCreated(ApiKeyView):
    key: str = Field(description="The key itself: shown once, never stored or listed.")


class ApiKeyList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ApiKeyView]


class PageQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200, description="Page size.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    tenant: str | None = Field(None, description="Another tenant (platform admins only).")


class CaptureQuery(PageQuery):
    user: str | None = Field(None, description="Only this user's captures.")


class TenantQuery(BaseModel):
    tenant: str | None = Field(None, description="Another tenant (platform admins only).")


class PricesInput(BaseModel):
    """Replaces the Cosmos price override: per model alias, over the `MODEL_PRICES` setting."""

    model_config = ConfigDict(extra="forbid")

    models: dict[str, ModelPrice] = Field(description="USD per million tokens per model alias.")


class PricesView(BaseModel):
    object: Literal["prices"] = "prices"
    models: dict[str, ModelPrice] = Field(description="The prices in effect (setting, then override).")
