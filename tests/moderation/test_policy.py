"""Moderation policy: thresholds and actions, the setting, tenant overrides in Cosmos and the cache."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from shared.moderation.models import Action, Category, CategoryResult, ModerationResult
from shared.moderation.policy import (
    DEFAULT_CATEGORIES,
    PolicyStore,
    decide,
    policy_from_setting,
    policy_partition,
)
from shared.resources import MODERATION
from shared.settings import SettingsError


def result(**severities: int) -> ModerationResult:
    categories = {
        category: CategoryResult(
            category=category, severity=severities.get(category.value, 0), score=severities.get(category.value, 0) / 7
        )
        for category in Category
    }
    return ModerationResult(categories=categories, provider="test")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_defaults_block_medium_harm_and_redact_sensitive_pii() -> None:
    policy = policy_from_setting(None)
    assert policy.categories == DEFAULT_CATEGORIES
    assert decide(result(hate=2), policy).action is Action.ALLOW
    blocked = decide(result(hate=4, pii=6), policy)
    assert blocked.action is Action.BLOCK and blocked.blocked
    assert blocked.triggered == {Category.HATE: Action.BLOCK, Category.PII: Action.REDACT}
    redacting = decide(result(pii=4), policy)
    assert redacting.action is Action.REDACT and redacting.redact_pii and not redacting.blocked
    assert decide(result(pii=2), policy).action is Action.ALLOW


def test_setting_overlays_defaults_field_by_field() -> None:
    raw = json.dumps({"categories": {"violence": {"threshold": 6}, "sexual": {"action": "flag"},
                                     "jailbreak": {"action": "allow"}},
                      "blocklists": {"internal": ["project falcon"]}})  # fmt: skip
    policy = policy_from_setting(raw)
    assert policy.categories[Category.VIOLENCE].threshold == 6
    assert policy.categories[Category.VIOLENCE].action is Action.BLOCK
    assert decide(result(violence=4), policy).action is Action.ALLOW
    assert decide(result(violence=6), policy).action is Action.BLOCK
    flagged = decide(result(sexual=6), policy)
    assert flagged.action is Action.FLAG and flagged.flagged and not flagged.blocked
    assert decide(result(jailbreak=6), policy).action is Action.ALLOW
    assert [hit.term for hit in policy.compiled_blocklists.match("about Project Falcon today")] == ["project falcon"]


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        json.dumps({"categories": {"hate": {"threshold": 9}}}),
        json.dumps({"categories": {"hate": {"action": "redact"}}}),
        json.dumps({"categories": {"nonsense": {"action": "block"}}}),
    ],
)
def test_bad_setting_is_a_settings_error(raw: str) -> None:
    with pytest.raises(SettingsError, match="MODERATION_POLICY"):
        policy_from_setting(raw)


async def test_tenant_override_is_read_cached_and_refreshed_in_background(clients) -> None:
    container = clients.database.get_container_client(MODERATION.name)
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    clock = Clock()
    store = PolicyStore(container, policy_from_setting(None), ttl_s=30, clock=clock)
    assert (await store.for_tenant(tenant)).categories[Category.HATE].threshold == 4

    await container.upsert_item({"id": "policy", "pk": policy_partition(tenant),
                                 "categories": {"hate": {"threshold": 6, "action": "flag"}},
                                 "blocklists": {"tenant": ["bluebird"]}})  # fmt: skip
    assert (await store.for_tenant(tenant)).categories[Category.HATE].threshold == 4, "served from cache"

    clock.now += 31
    stale = await store.for_tenant(tenant)
    assert stale.categories[Category.HATE].threshold == 4, "stale while the refresh runs"
    for _ in range(100):
        refreshed = await store.for_tenant(tenant)
        if refreshed.categories[Category.HATE].threshold == 6:
            break
        await asyncio.sleep(0.01)
    assert refreshed.categories[Category.HATE].action is Action.FLAG
    assert refreshed.categories[Category.VIOLENCE] == DEFAULT_CATEGORIES[Category.VIOLENCE]
    assert refreshed.compiled_blocklists.match("a Bluebird sang")
    other = await store.for_tenant(f"t-{uuid.uuid4().hex[:8]}")
    assert other.categories[Category.HATE].threshold == 4 and not other.blocklists


async def test_save_override_validates_and_takes_effect_at_once(clients) -> None:
    container = clients.database.get_container_client(MODERATION.name)
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    store = PolicyStore(container, policy_from_setting(None))
    effective = await store.save_override(tenant, {"categories": {"pii": {"threshold": 2}}})
    assert effective.categories[Category.PII].threshold == 2
    assert (await store.for_tenant(tenant)).categories[Category.PII].threshold == 2
    fresh = PolicyStore(container, policy_from_setting(None))
    assert (await fresh.for_tenant(tenant)).categories[Category.PII].threshold == 2
    with pytest.raises(ValueError):
        await store.save_override(tenant, {"categories": {"pii": {"threshold": 0}}})


async def test_concurrent_first_requests_share_one_read(clients) -> None:
    reads = 0

    class CountingContainer:
        async def read_item(self, item: str, partition_key: str) -> dict[str, Any]:
            nonlocal reads
            reads += 1
            await asyncio.sleep(0.01)
            return {"id": item, "pk": partition_key, "categories": {"hate": {"threshold": 2}}}

    store = PolicyStore(CountingContainer(), policy_from_setting(None))  # type: ignore[arg-type]
    policies = await asyncio.gather(*(store.for_tenant("t-same") for _ in range(10)))
    assert reads == 1
    assert all(policy.categories[Category.HATE].threshold == 2 for policy in policies)
