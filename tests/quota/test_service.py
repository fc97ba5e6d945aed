from __future__ import annotations

import asyncio
import re
import time

import pytest

from shared.clients import Clients
from shared.errors import ApiError
from shared.quota.budgets import OVERRIDE_ID, override_partition
from shared.quota.ledger import QuotaLedger
from shared.quota.models import Scope, TenantQuotaOverride, WindowKey, WindowKind, window_index
from tests.quota.quota_helpers import (
    Clock,
    CountingContainer,
    fresh_caller,
    make_service,
    minute_start,
    quota_container,
)

RESET = re.compile(r"^(\d+h)?(\d+m)?\d+s$")


async def _refused(coro: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await coro  # type: ignore[misc]
    return caught.value


async def test_hot_path_makes_no_cosmos_call_while_the_lease_covers_it(clients: Clients) -> None:
    container = CountingContainer(quota_container(clients))
    quota = make_service(clients, container=container, quota_user_tpm=1_600_000)
    caller = fresh_caller()
    first = await quota.reserve(caller, "gpt-4o-mini", 500)
    await quota.reconcile(first, 400)
    calls = container.total

    for _ in range(200):
        reservation = await quota.reserve(caller, "gpt-4o-mini", 500)
        await quota.reconcile(reservation, 450)

    assert container.total == calls, "no store call while the lease covers the requests (speed: bench/gateway.py)"
    await quota.aclose()


async def test_concurrent_reservations_in_one_process_never_over_admit(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=2_000)
    caller = fresh_caller()

    results = await asyncio.gather(
        *(quota.reserve(caller, "gpt-4o-mini", 100) for _ in range(64)), return_exceptions=True
    )

    admitted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, ApiError)]
    assert len(admitted) + len(refused) == 64
    assert 100 * len(admitted) == 2_000
    await quota.aclose()


async def test_tenant_budget_binds_before_the_user_budget(clients: Clients) -> None:
    clock = Clock(minute_start(time.time()) + 5)
    quota = make_service(clients, clock=clock, quota_user_tpm=300, quota_tenant_tpm=500)
    alice = fresh_caller()
    bob = fresh_caller(alice.tenant_id)

    await quota.reserve(alice, "gpt-4o-mini", 300)
    error = await _refused(quota.reserve(bob, "gpt-4o-mini", 300))
    assert error.status == 429 and "tenant" in error.message
    await quota.flush()

    ledger = QuotaLedger(quota_container(clients))
    now_index = window_index(WindowKind.TPM, clock())
    bob_minute = WindowKey(WindowKind.TPM, Scope(bob.tenant_id, bob.user_id), now_index)
    assert await ledger.used(bob_minute) == 0  # bob's user tokens went back when the tenant refused
    await quota.reserve(bob, "gpt-4o-mini", 200)
    await quota.aclose()


async def test_tenant_override_stored_in_cosmos_takes_effect(clients: Clients) -> None:
    container = quota_container(clients)
    limited, unlimited = fresh_caller(), fresh_caller()
    await container.upsert_item({"id": OVERRIDE_ID, "pk": override_partition(limited.tenant_id), "user_tpm": 300})
    quota = make_service(clients, quota_user_tpm=5_000)

    error = await _refused(quota.reserve(limited, "gpt-4o-mini", 400))
    assert "user" in error.message and error.headers["x-ratelimit-limit-tokens"] == "300"
    await quota.reserve(limited, "gpt-4o-mini", 300)
    await quota.reserve(unlimited, "gpt-4o-mini", 4_000)

    await quota.limits.put_override(limited.tenant_id, TenantQuotaOverride(user_tpm=1_000))
    await quota.reserve(limited, "gpt-4o-mini", 700)
    await quota.aclose()


async def test_reconcile_releases_unused_tokens_once(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=1_000)
    caller = fresh_caller()

    first = await quota.reserve(caller, "gpt-4o-mini", 800)
    await _refused(quota.reserve(caller, "gpt-4o-mini", 800))
    await quota.reconcile(first, 100)
    await quota.reconcile(first, 100)  # idempotent: releases nothing more
    await quota.reserve(caller, "gpt-4o-mini", 800)
    await _refused(quota.reserve(caller, "gpt-4o-mini", 200))
    await quota.aclose()


async def test_reconcile_charges_usage_beyond_the_estimate(clients: Clients) -> None:
    quota = make_service(clients, quota_user_tpm=1_000)
    caller = fresh_caller()

    reservation = await quota.reserve(caller, "gpt-4o-mini", 100)
    await quota.reconcile(reservation, 900)
    await _refused(quota.reserve(caller, "gpt-4o-mini", 200))
    await quota.reserve(caller, "gpt-4o-mini", 100)
    await quota.aclose()


async def test_refusal_carries_sensible_rate_limit_headers(clients: Clients) -> None:
    clock = Clock(minute_start(time.time()) + 48.5)
    quota = make_service(clients, clock=clock, quota_user_tpm=1_000)
    caller = fresh_caller()

    ok = await quota.reserve(caller, "gpt-4o-mini", 700)
    assert ok.headers["x-ratelimit-limit-tokens"] == "1000"
    assert 0 <= int(ok.headers["x-ratelimit-remaining-tokens"]) <= 300
    assert ok.headers["x-ratelimit-reset-tokens"] == "12s"

    error = await _refused(quota.reserve(caller, "gpt-4o-mini", 500))
    assert error.status == 429
    assert error.type == "rate_limit_error" and error.code == "rate_limit_exceeded"
    assert error.headers["Retry-After"] == "12"
    assert 0 <= int(error.headers["x-ratelimit-remaining-tokens"]) < 500
    assert RESET.match(error.headers["x-ratelimit-reset-tokens"])
    assert error.body()["error"]["code"] == "rate_limit_exceeded"
    await quota.aclose()


async def test_new_minute_admits_again(clients: Clients) -> None:
    clock = Clock(minute_start(time.time()) + 30)
    quota = make_service(clients, clock=clock, quota_user_tpm=1_000)
    caller = fresh_caller()
    await quota.reserve(caller, "gpt-4o-mini", 1_000)
    await _refused(quota.reserve(caller, "gpt-4o-mini", 1))

    clock.advance(30)
    reservation = await quota.reserve(caller, "gpt-4o-mini", 1_000)
    assert reservation.headers["x-ratelimit-reset-tokens"] == "1m0s"
    await quota.aclose()


async def test_day_budget_binds_across_minutes(clients: Clients) -> None:
    day_start = time.time() // 86_400 * 86_400
    clock = Clock(day_start + 6 * 3600 + 1)  # three minutes that all fall in one UTC day, whenever the test runs
    quota = make_service(clients, clock=clock, quota_user_tpm=1_000, quota_user_tpd=2_500)
    caller = fresh_caller()
    for _ in range(2):
        await quota.reserve(caller, "gpt-4o-mini", 1_000)
        clock.advance(60)

    error = await _refused(quota.reserve(caller, "gpt-4o-mini", 1_000))
    assert "per day" in error.message
    assert int(error.headers["Retry-After"]) > 60
    await quota.reserve(caller, "gpt-4o-mini", 500)
    await quota.aclose()


async def test_closing_hands_unused_allowance_back(clients: Clients) -> None:
    clock = Clock(minute_start(time.time()) + 5)
    quota = make_service(clients, clock=clock, quota_user_tpm=16_000)
    caller = fresh_caller()
    reservation = await quota.reserve(caller, "gpt-4o-mini", 10)
    await quota.reconcile(reservation, 25)

    scope = Scope(caller.tenant_id, caller.user_id)
    key = WindowKey(WindowKind.TPM, scope, window_index(WindowKind.TPM, clock()))
    ledger = QuotaLedger(quota_container(clients))
    assert await ledger.used(key) == 1_000
    await quota.aclose()
    assert await ledger.used(key) == 25
