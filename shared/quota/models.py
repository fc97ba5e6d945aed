"""Quota scopes, windows and limits: the vocabulary the ledger, leases and service share."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from shared.quota.pricing import NANO_PER_USD


class WindowKind(StrEnum):
    """Windows aligned to wall-clock UTC: minutes start at :00, days at 00:00 UTC, months on the 1st.

    TPM and TPD count tokens; USD_DAY and USD_MONTH count spend in nano-dollars.
    """

    TPM = "tpm"
    TPD = "tpd"
    USD_DAY = "usdd"
    USD_MONTH = "usdm"

    @property
    def seconds(self) -> int:
        """The window's length (a month's longest), which also bounds its counter's lifetime."""
        return {WindowKind.TPM: 60, WindowKind.TPD: 86_400, WindowKind.USD_DAY: 86_400}.get(self, 31 * 86_400)

    @property
    def money(self) -> bool:
        return self in (WindowKind.USD_DAY, WindowKind.USD_MONTH)

    @property
    def period(self) -> str:
        return {WindowKind.TPM: "minute", WindowKind.USD_MONTH: "calendar month"}.get(self, "day")


@functools.lru_cache(maxsize=16_384)
def _safe(value: str) -> str:
    """Cosmos ids may not hold '/', '\\', '?' or '#'; percent-encode anything unusual (once per id: every
    admission builds its scopes' keys)."""
    return quote(value, safe="-_.@")


@dataclass(frozen=True, slots=True)
class Scope:
    """Who a budget belongs to: a whole tenant, or one user within a tenant."""

    tenant_id: str
    user_id: str | None = None

    @property
    def key(self) -> str:
        tenant = f"t:{_safe(self.tenant_id)}"
        return tenant if self.user_id is None else f"{tenant}:u:{_safe(self.user_id)}"

    @property
    def level(self) -> str:
        return "tenant" if self.user_id is None else "user"


@dataclass(frozen=True, slots=True)
class WindowKey:
    """One counter document: a scope's usage in one window."""

    kind: WindowKind
    scope: Scope
    index: int
    """Window number since the epoch: floor(unix_time / window seconds)."""

    @property
    def partition(self) -> str:
        return f"{self.kind.value}:{self.scope.key}"

    @property
    def doc_id(self) -> str:
        return f"{self.partition}:{self.index}"

    @property
    def start(self) -> float:
        return window_start(self.kind, self.index)

    @property
    def end(self) -> float:
        return window_start(self.kind, self.index + 1)


def window_index(kind: WindowKind, now: float) -> int:
    if kind is WindowKind.USD_MONTH:
        moment = datetime.fromtimestamp(now, UTC)
        return (moment.year - 1970) * 12 + moment.month - 1
    return int(now // kind.seconds)


def window_start(kind: WindowKind, index: int) -> float:
    if kind is WindowKind.USD_MONTH:
        year, month = divmod(index, 12)
        return datetime(1970 + year, month + 1, 1, tzinfo=UTC).timestamp()
    return float(index * kind.seconds)


Usd = Annotated[
    Decimal, Field(gt=0, max_digits=12, decimal_places=6), PlainSerializer(float, return_type=float, when_used="json")
]
"""A money budget in US dollars (at most 6 decimals)."""


class Limits(BaseModel):
    """Budgets in effect for one tenant and each of its users (money budgets: None = unlimited)."""

    model_config = ConfigDict(frozen=True)

    user_tpm: int = Field(gt=0)
    user_tpd: int = Field(gt=0)
    tenant_tpm: int = Field(gt=0)
    tenant_tpd: int = Field(gt=0)
    user_usd_per_day: Usd | None = None
    user_usd_per_month: Usd | None = None
    tenant_usd_per_day: Usd | None = None
    tenant_usd_per_month: Usd | None = None

    def budget(self, level: str, kind: WindowKind) -> int:
        if level == "user":
            return self.user_tpm if kind is WindowKind.TPM else self.user_tpd
        return self.tenant_tpm if kind is WindowKind.TPM else self.tenant_tpd

    def money_budget_nano(self, level: str, kind: WindowKind) -> int | None:
        """A money budget in nano-dollars, or None when that one is unlimited."""
        name = f"{level}_usd_per_{'month' if kind is WindowKind.USD_MONTH else 'day'}"
        usd: Decimal | None = getattr(self, name)
        return None if usd is None else int(usd * NANO_PER_USD)


class UserQuotaOverride(BaseModel):
    """One user's overrides (document `limits:t:<tenant>:u:<user>`), over the tenant's per-user budgets."""

    model_config = ConfigDict(extra="ignore")

    user_tpm: int | None = Field(None, gt=0)
    user_tpd: int | None = Field(None, gt=0)
    user_usd_per_day: Usd | None = None
    user_usd_per_month: Usd | None = None

    def applied_to(self, limits: Limits) -> Limits:
        return limits.model_copy(update=self.model_dump(exclude_none=True))


class TenantQuotaOverride(UserQuotaOverride):
    """A tenant's overrides, stored in the `quotas` container; unset fields fall back to settings."""

    tenant_tpm: int | None = Field(None, gt=0)
    tenant_tpd: int | None = Field(None, gt=0)
    tenant_usd_per_day: Usd | None = None
    tenant_usd_per_month: Usd | None = None


def format_duration(seconds: float) -> str:
    """OpenAI's reset format: '12s', '1m30s', '5h3m0s' (whole seconds, rounded up, at least 1s)."""
    total = max(1, int(-(-seconds // 1)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"
