"""Service API keys in Cosmos: salted hashes only, capabilities, revocation within the cache bound."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import ApiError
from shared.identity.api_key_format import parse_api_key
from shared.identity.api_keys import ApiKeyStore
from shared.identity.authorization import require
from shared.identity.caller import Caller, CallerKind, Capability
from shared.resources import API_KEYS
from tests.identity.counting_container import CountingContainer


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def store_for(clients: Any, clock: FakeClock, cache_s: float = 30.0) -> ApiKeyStore:
    container = clients.database.get_container_client(API_KEYS.name)
    return ApiKeyStore(container, cache_s=cache_s, last_used_interval_s=60.0, clock=clock)


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def rejected(store: ApiKeyStore, key: str) -> str:
    with pytest.raises(ApiError) as caught:
        await store.resolve(key)
    assert caught.value.status == 401
    return caught.value.message


async def test_created_key_resolves_to_a_scoped_service(clients: Any) -> None:
    store, owner = store_for(clients, FakeClock()), tenant()
    record, key = await store.create(owner, "billing", [Capability.COMPLETIONS, Capability.MODERATION])
    parsed = parse_api_key(key)
    assert parsed is not None and parsed.key_id == record.id and key.startswith("cpk_")
    caller = await store.resolve(key)
    assert (caller.kind, caller.tenant_id, caller.user_id) == (CallerKind.SERVICE, owner, "service:billing")
    assert caller.capabilities == frozenset({Capability.COMPLETIONS, Capability.MODERATION, Capability.DESCRIBE})


async def test_only_a_salted_hash_is_stored(clients: Any) -> None:
    store = store_for(clients, FakeClock())
    record, key = await store.create(tenant(), "svc", [Capability.COMPLETIONS])
    _, other = await store.create(tenant(), "svc", [Capability.COMPLETIONS])
    stored = await clients.database.get_container_client(API_KEYS.name).read_item(record.id, partition_key=record.id)
    secret = key.removeprefix(f"cpk_{record.id}_")
    assert secret not in json.dumps(stored) and key not in json.dumps(stored)
    assert len(base64.b64decode(stored["salt"])) == 16 and len(base64.b64decode(stored["hash"])) == 32
    assert stored["hash_algorithm"] == "hmac-sha256"
    assert other.removeprefix("cpk_")[17:] != secret


async def test_wrong_unknown_and_malformed_keys_rejected(clients: Any) -> None:
    store = store_for(clients, FakeClock())
    record, key = await store.create(tenant(), "svc", [Capability.COMPLETIONS])
    wrong_secret = f"cpk_{record.id}_" + ("A" * 43)
    unknown_id = "cpk_0123456789abcdef_" + key.split("_", 2)[2]
    for bad in (wrong_secret, unknown_id, key[:-1], key + "x", "cpk_", "cpk_zz_zz", "x" * 500):
        await rejected(store, bad)
    assert (await store.resolve(key)).tenant_id == record.tenant


async def test_revoked_key_stops_within_the_cache_bound(clients: Any) -> None:
    clock = FakeClock()
    store = store_for(clients, clock, cache_s=30.0)
    record, key = await store.create(tenant(), "svc", [Capability.COMPLETIONS])
    await store.resolve(key)
    other_instance = store_for(clients, clock, cache_s=30.0)
    await other_instance.resolve(key)
    await store.revoke(record.id)
    assert "revoked" in await rejected(store, key)  # the revoking instance forgets at once
    clock.now += 29
    await other_instance.resolve(key)  # another instance may still trust its cached copy ...
    clock.now += 2
    assert "revoked" in await rejected(other_instance, key)  # ... but not past the bound


async def test_key_revoked_before_first_use_never_works(clients: Any) -> None:
    store = store_for(clients, FakeClock())
    record, key = await store.create(tenant(), "svc", [Capability.COMPLETIONS])
    await store_for(clients, FakeClock()).revoke(record.id)
    await rejected(store, key)


async def test_expired_key_rejected(clients: Any) -> None:
    store = store_for(clients, FakeClock())
    past = datetime.now(UTC) - timedelta(seconds=1)
    _, key = await store.create(tenant(), "svc", [Capability.COMPLETIONS], expires_at=past)
    assert "expired" in await rejected(store, key)


async def test_verified_keys_are_cached_and_last_use_written_once(clients: Any) -> None:
    clock = FakeClock()
    container = CountingContainer(clients.database.get_container_client(API_KEYS.name))
    store = ApiKeyStore(container, cache_s=30.0, last_used_interval_s=60.0, clock=clock)  # type: ignore[arg-type]
    record, key = await store.create(tenant(), "svc", [Capability.COMPLETIONS])
    for _ in range(25):
        await store.resolve(key)
        clock.now += 1
    await store.flush()
    assert (container.reads, container.touches) == (1, 1)
    stored = await store.get(record.id)
    assert stored.last_used_at is not None and stored.last_used_at >= record.created_at
    clock.now += 60
    await store.resolve(key)
    await store.flush()
    assert (container.reads, container.touches) == (3, 2), "the cache expired: one more read (and the `get` above)"


async def test_listing_never_shows_secrets(clients: Any) -> None:
    store, owner = store_for(clients, FakeClock()), tenant()
    first, _ = await store.create(owner, "a", [Capability.MODERATION])
    second, _ = await store.create(owner, "b", [Capability.COMPLETIONS])
    await store.create(tenant(), "c", [Capability.COMPLETIONS])
    listed = [record.public() for record in await store.list_keys(owner)]
    assert [entry["id"] for entry in listed] == [first.id, second.id]
    assert all("hash" not in entry and "salt" not in entry for entry in listed)


@pytest.mark.parametrize(
    ("owner", "service", "capabilities"),
    [("", "svc", [Capability.COMPLETIONS]), ("t", "bad name", [Capability.COMPLETIONS]), ("t", "svc", [])],
)
async def test_invalid_creation_refused(clients: Any, owner: str, service: str, capabilities: list[Capability]) -> None:
    with pytest.raises(ValueError):
        await store_for(clients, FakeClock()).create(owner, service, capabilities)


def test_require_checks_capabilities() -> None:
    service = Caller(CallerKind.SERVICE, "t", "service:x", capabilities=frozenset({Capability.MODERATION}))
    assert require(service, Capability.MODERATION) is service
    with pytest.raises(ApiError) as forbidden:
        require(service, Capability.MODERATION, Capability.COMPLETIONS)
    assert (forbidden.value.status, forbidden.value.type) == (403, "permission_error")
    assert "completions" in forbidden.value.message
    with pytest.raises(ApiError) as anonymous:
        require(Caller.anonymous(), Capability.MODERATION)
    assert anonymous.value.status == 401
