"""Budgets that can't be overspent: output limits capped at what every budget still holds."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.clients import Clients
from shared.errors import ApiError
from shared.quota.completion_cap import CAPPED_HEADER, apply_cap, reserve_completion
from shared.quota.models import TenantQuotaOverride
from shared.quota.service import Reservation
from tests.gateway.gateway_helpers import chat
from tests.quota.quota_helpers import Clock, fresh_caller, make_service, minute_start

pytestmark = pytest.mark.stack

PROMPT = 30
ALIAS = "gpt-4o-mini"


async def test_no_limit_asked_gets_what_is_left_and_says_so(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=2_000, completion_max_output_tokens=4_096)
    caller = fresh_caller()

    first = await quota.reserve_completion(caller, ALIAS, PROMPT, None)

    assert (first.completion_cap, first.capped, first.estimated_tokens) == (2_000 - PROMPT, True, 2_000)
    await quota.reconcile(first, PROMPT + 500)
    second = await quota.reserve_completion(caller, ALIAS, PROMPT, None)
    assert second.completion_cap == 2_000 - PROMPT - 500 - PROMPT
    await quota.aclose()


async def test_a_limit_that_fits_is_kept_and_one_that_does_not_is_lowered(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=1_000)
    caller = fresh_caller()

    fits = await quota.reserve_completion(caller, ALIAS, PROMPT, 200)
    lowered = await quota.reserve_completion(caller, ALIAS, PROMPT, 5_000)

    assert (fits.completion_cap, fits.capped) == (200, False)
    assert (lowered.completion_cap, lowered.capped) == (1_000 - 230 - PROMPT, True)
    await quota.aclose()


async def test_below_the_alias_floor_is_a_429(clients: Clients) -> None:
    limits = {ALIAS: {"min_output_tokens": 100}}
    quota = make_service(clients, quota_user_tpm=1_000, completion_output_limits=limits)
    caller = fresh_caller()
    await quota.reserve_completion(caller, ALIAS, PROMPT, 1_000 - PROMPT - 99)

    with pytest.raises(ApiError) as refused:
        await quota.reserve_completion(caller, ALIAS, PROMPT, None)

    assert refused.value.status == 429 and refused.value.code == "rate_limit_exceeded"
    assert "user tokens per minute" in refused.value.message
    # Another alias keeps the default floor (16): 99 tokens are still worth a reply there.
    other = await quota.reserve_completion(caller, "gpt-4o", PROMPT, None)
    assert other.completion_cap == 99 - PROMPT
    await quota.aclose()


async def test_choices_multiply_the_cap(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=1_000)

    reservation = await quota.reserve_completion(fresh_caller(), ALIAS, PROMPT, None, choices=3)

    assert reservation.completion_cap == (1_000 - PROMPT) // 3
    assert reservation.estimated_tokens == PROMPT + 3 * reservation.completion_cap
    await quota.aclose()


async def test_the_tenant_day_budget_caps_too(clients: Clients) -> None:
    quota = make_service(clients, quota_tenant_tpd=700)

    reservation = await quota.reserve_completion(fresh_caller(), ALIAS, PROMPT, None)

    assert reservation.completion_cap == 700 - PROMPT
    await quota.aclose()


async def test_concurrent_instances_never_reserve_past_the_budget(clients: Clients) -> None:
    """Four services (instances) over one counter, 64 requests without a limit: the caps add up to at most it."""
    clock = Clock(minute_start(time.time()) + 5)
    instances = [make_service(clients, clock=clock, quota_user_tpm=2_000) for _ in range(4)]
    caller = fresh_caller()

    results = await asyncio.gather(
        *(instances[n % 4].reserve_completion(caller, ALIAS, PROMPT, None) for n in range(64)),
        return_exceptions=True,
    )

    admitted = [r for r in results if isinstance(r, Reservation)]
    refused = [r for r in results if isinstance(r, ApiError)]
    assert len(admitted) + len(refused) == 64, [r for r in results if not isinstance(r, (Reservation, ApiError))]
    assert admitted and all(r.status == 429 for r in refused)
    assert sum(r.estimated_tokens for r in admitted) <= 2_000
    assert all(r.completion_cap is not None and r.completion_cap >= 16 for r in admitted)
    for instance in instances:
        await instance.aclose()


def test_the_cap_goes_into_the_field_the_client_used() -> None:
    legacy = chat("hi", max_tokens=900)
    apply_cap(legacy, 300)
    assert legacy.payload["max_tokens"] == 300 and "max_completion_tokens" not in legacy.payload
    assert legacy.modified

    unset = chat("hi")
    apply_cap(unset, 300)
    assert unset.payload["max_completion_tokens"] == 300 and b'"max_completion_tokens":300' in unset.upstream_body()

    same = chat("hi", max_completion_tokens=300)
    apply_cap(same, 300)
    assert not same.modified


async def test_gateway_reservation_caps_the_upstream_body_and_sets_the_header(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=500)
    request = chat("hello there", alias=ALIAS, max_tokens=2_000)

    reservation, headers = await reserve_completion(quota, fresh_caller(), request, PROMPT, 512)

    assert headers == {CAPPED_HEADER: str(500 - PROMPT)}
    assert request.payload["max_tokens"] == 500 - PROMPT == reservation.completion_cap
    await quota.aclose()


async def test_a_lowered_budget_applies_to_allowance_already_leased(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpd=1_000_000, quota_limits_cache_s=0)
    caller = fresh_caller()
    first = await quota.reserve_completion(caller, ALIAS, PROMPT, 100)
    await quota.reconcile(first, PROMPT + 100)

    await quota.limits.put_override(caller.tenant_id, TenantQuotaOverride(user_tpd=200))

    capped = await quota.reserve_completion(caller, ALIAS, PROMPT, 100)
    assert capped.completion_cap == 200 - (PROMPT + 100) - PROMPT
    with pytest.raises(ApiError) as refused:
        await quota.reserve_completion(caller, ALIAS, PROMPT, 100)
    assert refused.value.status == 429 and "user tokens per day" in refused.value.message
    await quota.aclose()
