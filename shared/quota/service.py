"""Token quotas per user and per tenant, per minute and per day, enforced across instances.

`reserve` admits an estimate on four budgets (user and tenant, minute and day) from this
instance's leases, with no I/O while they cover it; `reconcile` settles the exact usage later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from azure.cosmos.aio import ContainerProxy

from shared.clients import Clients, get_clients
from shared.errors import ApiError, service_unavailable
from shared.identity.caller import Caller
from shared.quota.budgets import QuotaLimits, default_limits
from shared.quota.capping import admit_up_to, output_bounds
from shared.quota.headers import quota_exceeded, rate_limit_headers, spend_exceeded
from shared.quota.lease import Lease
from shared.quota.ledger import QuotaLedger
from shared.quota.meter import TOKENS, Meter
from shared.quota.models import Limits, Scope, WindowKind, window_index
from shared.quota.pricing import PriceTable
from shared.resources import QUOTAS
from shared.settings import Settings
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import record_quota_rejection
from shared.telemetry.tracing import annotate, stage_span

logger = logging.getLogger(__name__)

SWEEP_EVERY_S = 60.0
UNLIMITED_NANO = 2**52
"""The money "budget" counted against when none is set: about $4.5 million (counters are doubles)."""


@dataclass(slots=True)
class _Leg:
    lease: Lease
    index: int
    budget: int
    amount: int
    """What this budget holds for the reservation, in its meter's units."""
    meter: Meter = TOKENS


@dataclass(slots=True, eq=False)
class Reservation:
    """Tokens admitted for one request; settle it once with `QuotaService.reconcile`."""

    tenant_id: str
    user_id: str
    model_alias: str
    estimated_tokens: int
    headers: dict[str, str]
    """x-ratelimit-limit/remaining/reset-tokens for the tighter per-minute budget (approximate:
    the unallocated remainder as this instance last saw it, plus its own unused lease)."""
    legs: list[_Leg] = field(repr=False)
    settled: bool = False
    completion_cap: int | None = None
    """Set by `reserve_completion`: the completion tokens per choice this reservation covers."""
    capped: bool = False
    """The cap is below what the request asked for (or the alias's maximum): a budget ran low."""


class QuotaService:
    def __init__(
        self,
        container: ContainerProxy,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        prices: PriceTable | None = None,
    ) -> None:
        self._ledger = QuotaLedger(container)
        self._prices = prices or PriceTable(container, settings.model_prices, cache_s=settings.quota_limits_cache_s)
        self._settings = settings
        self._clock = clock
        self._divisor = settings.quota_lease_divisor
        self.limits = QuotaLimits(
            container, default_limits(settings), cache_s=settings.quota_limits_cache_s, clock=clock
        )
        self._leases: dict[tuple[WindowKind, str], Lease] = {}
        self._budgets: dict[tuple[WindowKind, str], int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_sweep = clock() + SWEEP_EVERY_S

    @classmethod
    def from_clients(cls, clients: Clients) -> QuotaService:
        container = clients.database.get_container_client(QUOTAS.name)
        service = cls(container, clients.settings, prices=price_table(clients))
        clients.on_close(service.aclose)
        return service

    async def reserve(self, caller: Caller, model_alias: str, estimated_tokens: int) -> Reservation:
        """Admit `estimated_tokens` on every budget or none; ApiError 429 when one can't cover it."""
        amount = max(1, int(estimated_tokens))
        return await self._decide(caller, model_alias, amount, amount, 0)

    async def reserve_completion(
        self, caller: Caller, model_alias: str, prompt_tokens: int, requested: int | None, choices: int = 1
    ) -> Reservation:
        """Admit the prompt plus as many completion tokens per choice as every budget still covers.

        At most `requested` (else the alias's maximum output) per choice, at least the alias's floor
        (else a 429). `completion_cap` on the result is what the upstream call may use, so the
        reservation covers the whole call and a long reply can't overspend any budget.
        """
        most, least = output_bounds(self._settings, model_alias)
        wanted = min(requested, most) if requested is not None else most
        least = min(least, wanted)
        prompt, choices = max(0, int(prompt_tokens)), max(1, int(choices))
        reservation = await self._decide(
            caller, model_alias, prompt + least * choices, prompt + wanted * choices, prompt
        )
        cap = (reservation.estimated_tokens - prompt) // choices
        await self._trim(reservation, prompt + cap * choices)
        reservation.completion_cap = cap
        reservation.capped = cap < (requested if requested is not None else most)
        return reservation

    async def _decide(self, caller: Caller, model_alias: str, least: int, most: int, prompt: int) -> Reservation:
        with stage_span("quota") as span:
            try:
                reservation = await self._reserve(caller, model_alias, least, most, prompt)
            except ApiError as error:
                if error.status != 429:
                    raise
                refusal = error  # a decision, not a failure of the stage: raised once the span has ended
            else:
                annotate({attr.QUOTA_DECISION: "admitted"}, span)
                return reservation
        raise refusal

    async def _reserve(self, caller: Caller, model_alias: str, least: int, most: int, prompt: int) -> Reservation:
        """Admit between `least` and `most` total tokens on every budget (the most all of them cover)."""
        limits = await self.limits.get(caller.tenant_id, caller.user_id)
        self._sweep_if_due()
        legs: list[_Leg] = []
        amount = most
        try:
            for lease, budget, meter in await self._budgets_for(caller, limits, model_alias, prompt):
                await self._follow_budget(lease, budget)
                admitted = await admit_up_to(self._ledger, lease, budget, meter.units(least), meter.units(amount))
                if admitted is None:
                    raise self._refusal(caller, lease, budget, meter.units(least))
                index, units = admitted
                amount = meter.tokens(units, amount)
                legs.append(_Leg(lease, index, budget, units, meter))
            for leg in legs:
                await self._release_leg(leg, leg.amount - leg.meter.units(amount))
        except ApiError:
            await self._undo(legs)
            raise
        except Exception:
            logger.exception("token quota store unavailable")
            await self._undo(legs)
            raise service_unavailable("Token quotas can't be checked right now; try again.") from None
        return Reservation(
            tenant_id=caller.tenant_id,
            user_id=caller.user_id,
            model_alias=model_alias,
            estimated_tokens=amount,
            headers=self._headers(legs),
            legs=legs,
        )

    async def reconcile(
        self, reservation: Reservation, actual_total_tokens: int, usage: dict[str, int] | None = None
    ) -> None:
        """Settle a reservation with exact usage: release or charge the difference. Never raises.

        `usage` (prompt, completion, cached and reasoning tokens as reported) makes money budgets
        count the exact cost; without it they count the tokens at the reservation's prices.
        """
        if reservation.settled:
            return
        reservation.settled = True
        total = max(0, int(actual_total_tokens))
        for leg in reservation.legs:
            delta = leg.meter.actual(total, usage) - leg.amount
            try:
                if delta < 0:
                    await leg.lease.release(leg.index, -delta)
                elif delta > 0:
                    await leg.lease.charge_extra(leg.index, delta)
            except Exception:
                where = f"{leg.lease.kind.value} {leg.lease.scope.level}"
                logger.warning("quota reconcile failed: %s", where, exc_info=True)

    async def flush(self) -> None:
        """Wait for background returns of unused allowance."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Hand unused allowance back so other instances can use it, then stop."""
        for lease in self._leases.values():
            lease.retire()
        self._leases.clear()
        await self.flush()
        await self.limits.aclose()

    async def _budgets_for(
        self, caller: Caller, limits: Limits, model_alias: str, prompt: int
    ) -> list[tuple[Lease, int, Meter]]:
        """Every budget the caller is held to: tokens always; money whenever the alias is priced, so a
        month's spend is counted from its first day even before a money budget is set."""
        user, tenant = Scope(caller.tenant_id, caller.user_id), Scope(caller.tenant_id)
        budgets = []
        for scope in (user, tenant):
            for kind in (WindowKind.TPM, WindowKind.TPD):
                budgets.append((self._lease(kind, scope), limits.budget(scope.level, kind), TOKENS))
        price = await self._prices.price(model_alias)
        if price is not None:
            meter = Meter.money(price, prompt)
            for scope in (user, tenant):
                for kind in (WindowKind.USD_DAY, WindowKind.USD_MONTH):
                    limit = limits.money_budget_nano(scope.level, kind)
                    budgets.append((self._lease(kind, scope), UNLIMITED_NANO if limit is None else limit, meter))
        return budgets

    async def _follow_budget(self, lease: Lease, budget: int) -> None:
        """A lowered budget (an override changed) applies at once: the lease hands back its spare and
        takes from the counter per request, so allowance granted under the old budget isn't admitted."""
        key = (lease.kind, lease.scope.key)
        known = self._budgets.get(key)
        self._budgets[key] = budget
        if known is not None and budget < known:
            lease.tight = True
            await lease.give_back_spare()

    def _lease(self, kind: WindowKind, scope: Scope) -> Lease:
        key = (kind, scope.key)
        lease = self._leases.get(key)
        if lease is None:
            lease = Lease(self._ledger, kind, scope, divisor=self._divisor, clock=self._clock, spawn=self._spawn)
            self._leases[key] = lease
        return lease

    async def _undo(self, legs: list[_Leg]) -> None:
        for leg in reversed(legs):
            try:
                await self._release_leg(leg, leg.amount)
            except Exception:
                logger.warning("quota release failed; the window over-counts until it ends", exc_info=True)

    @staticmethod
    async def _release_leg(leg: _Leg, amount: int) -> None:
        if amount > 0:
            leg.amount -= amount
            await leg.lease.release(leg.index, amount)

    async def _trim(self, reservation: Reservation, amount: int) -> None:
        """Lower an unsettled reservation to `amount` total tokens, handing the difference back."""
        if amount >= reservation.estimated_tokens:
            return
        reservation.estimated_tokens = amount
        for leg in reservation.legs:
            try:
                await self._release_leg(leg, leg.amount - leg.meter.units(amount))
            except Exception:
                logger.warning("quota release failed; the window over-counts until it ends", exc_info=True)

    def _refusal(self, caller: Caller, lease: Lease, budget: int, amount: int) -> ApiError:
        kind = lease.kind
        unit = "usd" if kind.money else "tokens"
        limit = f"{lease.scope.level}_{unit}_per_{kind.period.split()[-1]}"
        record_quota_rejection(tenant_hash=caller.tenant_hash, limit=limit)
        annotate({attr.QUOTA_DECISION: "rejected", attr.QUOTA_LIMIT: limit})
        exceeded = spend_exceeded if kind.money else quota_exceeded
        return exceeded(
            lease.scope.level,
            kind,
            limit=budget,
            remaining=lease.remaining_estimate(budget),
            reset_s=lease.reset_after(),
            requested=amount,
        )

    @staticmethod
    def _headers(legs: list[_Leg]) -> dict[str, str]:
        minute = [leg for leg in legs if leg.lease.kind is WindowKind.TPM]
        tightest = min(minute, key=lambda leg: leg.lease.remaining_estimate(leg.budget))
        lease, budget = tightest.lease, tightest.budget
        return rate_limit_headers(budget, lease.remaining_estimate(budget), lease.reset_after())

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(_logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _sweep_if_due(self) -> None:
        now = self._clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY_S
        for key, lease in list(self._leases.items()):
            if not lease.busy and lease.index < window_index(lease.kind, now):
                lease.retire()
                del self._leases[key]
                self._budgets.pop(key, None)


async def _logged(work: Coroutine[Any, Any, Any]) -> None:
    try:
        await work
    except Exception:
        logger.warning("returning unused quota allowance failed; the window under-admits", exc_info=True)


async def get_quota_service() -> QuotaService:
    """The process-wide quota service."""
    clients = await get_clients()
    return clients.service("quota", QuotaService.from_clients)


def build_price_table(clients: Clients) -> PriceTable:
    settings = clients.settings
    container = clients.database.get_container_client(QUOTAS.name)
    return PriceTable(container, settings.model_prices, cache_s=settings.quota_limits_cache_s)


def price_table(clients: Clients) -> PriceTable:
    """The process-wide price table (settings, with the Cosmos override on top)."""
    return clients.service("quota.prices", build_price_table)
