"""Service API keys in the `apikeys` container: create, revoke, list, and resolve to a Caller.

A key's document is a point read by key id (id = pk = key id). Verified documents are cached for
`cache_s` seconds, so a revoked key stops working within that bound on every instance; the last-used
time is written at most once per `last_used_interval_s` per key and instance.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import re
import time
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import Any

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosResourceExistsError, CosmosResourceNotFoundError
from cachetools import TTLCache
from pydantic import BaseModel

from shared.errors import ApiError, unauthorized
from shared.identity.api_key_format import (
    HASH_ALGORITHM,
    generate_key,
    hash_secret,
    parse_api_key,
    secret_matches,
)
from shared.identity.caller import SERVICE_USER_PREFIX, Caller, CallerKind, Capability, granted

logger = logging.getLogger(__name__)

API_KEY_ISSUER = "apikey"
SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CACHE_SIZE = 10_000
_NOT_CACHED = object()
_UNUSED_SALT = bytes(16)


class ApiKeyRecord(BaseModel):
    id: str
    pk: str
    type: str = "apikey"
    tenant: str
    service: str
    capabilities: list[Capability]
    salt: str
    hash: str
    hash_algorithm: str = HASH_ALGORITHM
    description: str = ""
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return self.id

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def caller(self) -> Caller:
        return Caller(
            CallerKind.SERVICE,
            tenant_id=self.tenant,
            user_id=f"{SERVICE_USER_PREFIX}{self.service}",
            issuer=API_KEY_ISSUER,
            capabilities=granted(self.capabilities),
        )

    def public(self) -> dict[str, object]:
        """What operators may see: everything but the salt and hash."""
        return self.model_dump(mode="json", exclude={"salt", "hash", "pk", "type"})


class ApiKeyNotFound(LookupError):
    pass


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ApiKeyStore:
    def __init__(
        self,
        container: ContainerProxy,
        *,
        cache_s: float = 30.0,
        last_used_interval_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        unknown_reads_per_s: float = 10.0,
        unknown_reads_burst: int = 20,
        on_first_use: Callable[[ApiKeyRecord], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        self._container = container
        self._unknown_rate = unknown_reads_per_s
        self._unknown_burst = float(unknown_reads_burst)
        self._unknown_tokens = float(unknown_reads_burst)
        self._unknown_at = clock()
        self._on_first_use = on_first_use
        """Told (once per instance, in the background) about a key never used before: the audit trail."""
        self._first_uses: set[str] = set()
        self._last_used_interval_s = last_used_interval_s
        self._clock = clock
        self._cache: TTLCache[str, ApiKeyRecord | None] = TTLCache(_CACHE_SIZE, ttl=cache_s, timer=clock)
        """Records (or None: no such key) by key id, for `cache_s`; least recently used first out."""
        self._touched: dict[str, float] = {}
        self._pending: set[asyncio.Task[None]] = set()

    async def create(
        self,
        tenant: str,
        service: str,
        capabilities: Iterable[Capability],
        *,
        description: str = "",
        expires_at: datetime | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """The stored record and the key to hand over once; only its salted hash is kept."""
        if not tenant.strip():
            raise ValueError("tenant must not be empty")
        if not SERVICE_NAME.match(service):
            raise ValueError("service must be 1-64 letters, digits, '.', '_' or '-'")
        granted = sorted(set(capabilities))
        if not granted:
            raise ValueError("grant at least one capability")
        while True:
            key = generate_key()
            record = ApiKeyRecord(
                id=key.key_id,
                pk=key.key_id,
                tenant=tenant,
                service=service,
                capabilities=granted,
                salt=base64.b64encode(key.salt).decode(),
                hash=base64.b64encode(hash_secret(key.salt, key.secret)).decode(),
                description=description,
                created_at=_utcnow(),
                expires_at=expires_at,
            )
            try:
                await self._container.create_item(record.model_dump(mode="json"))
            except CosmosResourceExistsError:
                continue
            return record, key.presented

    async def get(self, key_id: str) -> ApiKeyRecord:
        try:
            document = await self._container.read_item(key_id, partition_key=key_id)
        except CosmosResourceNotFoundError:
            raise ApiKeyNotFound(key_id) from None
        return ApiKeyRecord.model_validate(document)

    async def revoke(self, key_id: str) -> ApiKeyRecord:
        record = await self.get(key_id)
        if record.revoked_at is None:
            operations = [{"op": "set", "path": "/revoked_at", "value": _utcnow().isoformat()}]
            document = await self._container.patch_item(key_id, partition_key=key_id, patch_operations=operations)
            record = ApiKeyRecord.model_validate(document)
        self._cache.pop(key_id, None)
        return record

    async def list_keys(self, tenant: str | None = None) -> list[ApiKeyRecord]:
        query = "SELECT * FROM c WHERE c.type = 'apikey'"
        parameters: list[dict[str, object]] = []
        if tenant is not None:
            query += " AND c.tenant = @tenant"
            parameters.append({"name": "@tenant", "value": tenant})
        items = self._container.query_items(query, parameters=parameters)
        records = [ApiKeyRecord.model_validate(item) async for item in items]
        return sorted(records, key=lambda record: record.created_at)

    async def resolve(self, presented: str) -> Caller:
        """The service caller a presented key stands for; 401 for anything unknown, revoked or expired."""
        parsed = parse_api_key(presented)
        if parsed is None:
            raise unauthorized("The API key is malformed.")
        record = await self._cached_record(parsed.key_id)
        if record is None:
            secret_matches(_UNUSED_SALT, parsed.secret, bytes(32))  # same work whether or not the id exists
            raise unauthorized("The API key is not valid.")
        if not secret_matches(base64.b64decode(record.salt), parsed.secret, base64.b64decode(record.hash)):
            raise unauthorized("The API key is not valid.")
        if not record.active(_utcnow()):
            raise unauthorized("The API key is revoked or expired.")
        self._touch(record.id)
        if record.last_used_at is None and self._on_first_use is not None and record.id not in self._first_uses:
            self._first_uses.add(record.id)
            self._spawn(self._on_first_use(record))
        return record.caller()

    def _unknown_allowance(self, now: float) -> float:
        """Reads that found no key refill at `unknown_reads_per_s`: random key ids cannot buy Cosmos reads."""
        elapsed = max(0.0, now - self._unknown_at)
        self._unknown_at = now
        self._unknown_tokens = min(self._unknown_burst, self._unknown_tokens + elapsed * self._unknown_rate)
        return self._unknown_tokens

    async def _cached_record(self, key_id: str) -> ApiKeyRecord | None:
        cached = self._cache.get(key_id, _NOT_CACHED)
        if cached is not _NOT_CACHED:
            return cached  # type: ignore[return-value]
        if self._unknown_allowance(self._clock()) < 1:
            raise ApiError(
                429,
                "Too many unknown API keys were presented; retry later.",
                type="rate_limit_error",
                code="rate_limited",
                headers={"Retry-After": str(max(1, math.ceil(1 / self._unknown_rate)))},
            )
        try:
            record: ApiKeyRecord | None = await self.get(key_id)
        except ApiKeyNotFound:
            record = None
            self._unknown_tokens -= 1
        self._cache[key_id] = record
        return record

    def _touch(self, key_id: str) -> None:
        now = self._clock()
        last = self._touched.get(key_id)
        if last is not None and now - last < self._last_used_interval_s:
            return
        self._touched[key_id] = now
        self._spawn(self._write_last_used(key_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write_last_used(self, key_id: str) -> None:
        operations = [{"op": "set", "path": "/last_used_at", "value": _utcnow().isoformat()}]
        try:
            await self._container.patch_item(key_id, partition_key=key_id, patch_operations=operations)
        except Exception as error:  # a lost last-used write must never fail the request it belongs to
            logger.warning("could not record last use of API key %s: %s", key_id, type(error).__name__)

    async def flush(self) -> None:
        """Wait for pending last-used writes (tests, shutdown)."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
