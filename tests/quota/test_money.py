"""Prices, costs and money budgets: enforced like the token budgets, and capping like them too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.clients import Clients
from shared.errors import ApiError
from shared.gateway.usage import token_details
from shared.quota.meter import Meter
from shared.quota.models import TenantQuotaOverride, UserQuotaOverride, WindowKey, WindowKind, window_index
from shared.quota.pricing import ModelPrice, nano_to_usd
from tests.quota.quota_helpers import fresh_caller, make_service

pytestmark = pytest.mark.stack

ALIAS = "gpt-4o-mini"
PRICES = {ALIAS: {"input": 1.0, "cached_input": 0.5, "output": 2.0, "reasoning": 3.0}}


def test_cost_charges_cached_and_reasoning_tokens_at_their_own_prices() -> None:
    price = ModelPrice(input=Decimal("0.15"), cached_input=Decimal("0.075"), output=Decimal("0.6"))
    # 800 fresh input, 200 cached, 400 output, 100 reasoning (at the output price): micro-dollars * 1000.
    assert price.cost_nano(1000, 500, cached=200, reasoning=100) == (800 * 150 + 200 * 75 + 500 * 600)
    assert nano_to_usd(price.cost_nano(1000, 500, cached=200, reasoning=100)) == 0.000435
    priced = ModelPrice(input=Decimal(1), output=Decimal(2), reasoning=Decimal(3))
    assert priced.cost_nano(10, 10, reasoning=4) == 10_000 + 6 * 2_000 + 4 * 3_000
    assert priced.cost_nano(1, 0, cached=5) == 1_000  # cached never exceeds the prompt


def test_usage_details_are_read_from_the_openai_shape() -> None:
    usage = {"prompt_tokens": 9, "prompt_tokens_details": {"cached_tokens": 4},
             "completion_tokens_details": {"reasoning_tokens": 2}}  # fmt: skip
    assert token_details(usage) == {"cached_tokens": 4, "reasoning_tokens": 2}
    assert token_details({"prompt_tokens_details": None}) == {"cached_tokens": 0, "reasoning_tokens": 0}


def test_a_money_meter_never_understates() -> None:
    meter = Meter.money(ModelPrice(input=Decimal("0.15"), output=Decimal("0.6")), prompt=33)
    for units in range(meter.units(0), 200_000, 997):
        assert meter.units(meter.tokens(units, 10**9)) <= units


async def test_a_month_budget_caps_then_refuses_with_insufficient_quota(clients: Clients) -> None:
    quota = make_service(clients, model_prices=PRICES)
    caller = fresh_caller()
    # $0.001 = 1,000,000 nano-dollars: 100 prompt tokens at 1,000 leave 900,000 for output at 3,000 (reasoning).
    await quota.limits.put_override(caller.tenant_id, UserQuotaOverride(user_usd_per_month=Decimal("0.001")))

    first = await quota.reserve_completion(caller, ALIAS, 100, None)
    assert (first.completion_cap, first.capped) == (300, True)
    await quota.reconcile(first, 400, {"prompt_tokens": 100, "completion_tokens": 300, "reasoning_tokens": 300})

    with pytest.raises(ApiError) as refused:
        await quota.reserve_completion(caller, ALIAS, 100, None)
    error = refused.value
    assert (error.status, error.type, error.code) == (429, "insufficient_quota", "insufficient_quota")
    assert "user spending limit per calendar month" in error.message and error.headers["Retry-After"]
    await quota.aclose()


async def test_exact_usage_settles_the_money_counter(clients: Clients) -> None:
    quota = make_service(clients, model_prices=PRICES)
    caller = fresh_caller()
    await quota.limits.put_override(caller.tenant_id, TenantQuotaOverride(tenant_usd_per_day=Decimal("1")))

    reservation = await quota.reserve_completion(caller, ALIAS, 50, 100)
    [money] = [leg for leg in reservation.legs if leg.lease.kind is WindowKind.USD_DAY and leg.budget == 10**9]
    assert money.amount == 50 * 1_000 + 100 * 3_000
    usage = {"prompt_tokens": 40, "completion_tokens": 60, "cached_tokens": 10, "reasoning_tokens": 20}
    await quota.reconcile(reservation, 100, usage)
    await quota.aclose()  # hands the lease's spare back: the counter is what was spent

    index = window_index(WindowKind.USD_DAY, quota._clock())
    counted = await quota._ledger.used(WindowKey(WindowKind.USD_DAY, money.lease.scope, index))
    assert counted == 30 * 1_000 + 10 * 500 + 40 * 2_000 + 20 * 3_000


async def test_an_unpriced_alias_is_held_to_token_budgets_only(clients: Clients) -> None:
    quota = make_service(clients, model_prices=PRICES)
    caller = fresh_caller()
    await quota.limits.put_override(caller.tenant_id, TenantQuotaOverride(tenant_usd_per_day=Decimal("0.000001")))

    reservation = await quota.reserve_completion(caller, "unpriced-model", 50, 100)

    assert reservation.completion_cap == 100 and not any(leg.lease.kind.money for leg in reservation.legs)
    await quota.aclose()


async def test_spend_is_counted_before_any_money_budget_is_set(clients: Clients) -> None:
    quota = make_service(clients, model_prices=PRICES, quota_limits_cache_s=0)
    caller = fresh_caller()
    spent = await quota.reserve_completion(caller, ALIAS, 100, 300)
    await quota.reconcile(spent, 400, {"prompt_tokens": 100, "completion_tokens": 300})  # $0.0007

    await quota.limits.put_override(caller.tenant_id, TenantQuotaOverride(tenant_usd_per_month=Decimal("0.0008")))

    capped = await quota.reserve_completion(caller, ALIAS, 10, None)
    assert capped.completion_cap == (100_000 - 10 * 1_000) // 3_000
    await quota.aclose()


def test_a_malformed_price_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.settings import SettingsError, load_settings

    monkeypatch.setenv("MODEL_PRICES", '{"gpt-4o-mini": {"input": 1}}')
    with pytest.raises(SettingsError, match="MODEL_PRICES"):
        load_settings()
