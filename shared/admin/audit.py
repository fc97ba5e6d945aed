"""The audit trail: one append-only record per administrative change, kept for `AUDIT_RETENTION_DAYS`.

Records live in the `audit` container, partition `audit:t:<tenant>`, and are only ever created (never
replaced or patched). `seq` (microseconds since the epoch, then a random suffix) orders them; pages
run newest first by `seq`, so a page boundary is a plain `seq < last` and needs no continuation state.
An event that must be recorded once however many instances see it (an API key's first use) passes a
`dedupe` id: the record's id is then fixed and a second create is refused by Cosmos.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosResourceExistsError
from pydantic import BaseModel, Field

from shared.identity.caller import Caller

logger = logging.getLogger(__name__)

MAX_PAGE = 200


class Actor(BaseModel):
    kind: str
    tenant: str
    user: str
    issuer: str = ""

    @classmethod
    def of(cls, caller: Caller) -> Actor:
        return cls(kind=caller.kind.value, tenant=caller.tenant_id, user=caller.user_id, issuer=caller.issuer)


class AuditRecord(BaseModel):
    id: str
    seq: str
    at: datetime
    tenant: str
    actor: Actor
    action: str = Field(description="What was done, e.g. `quota.set`, `apikey.revoke`, `apikey.first_use`.")
    target: str = Field(description="What it was done to, e.g. `tenant`, `user:<id>`, `apikey:<id>`.")
    before: Any = None
    after: Any = None
    request_id: str = ""


class AuditPage(BaseModel):
    object: str = "list"
    data: list[AuditRecord]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next (older) page.")


def audit_partition(tenant_id: str) -> str:
    return f"audit:t:{tenant_id}"


class AuditLog:
    def __init__(
        self, container: ContainerProxy, retention_days: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._container = container
        self._ttl = retention_days * 86_400 if retention_days > 0 else None
        self._clock = clock

    async def record(
        self,
        tenant_id: str,
        actor: Actor,
        action: str,
        target: str,
        *,
        before: Any = None,
        after: Any = None,
        request_id: str = "",
        dedupe: str | None = None,
    ) -> AuditRecord | None:
        """Append one record; None when `dedupe` names an event already recorded."""
        now = self._clock()
        seq = f"{int(now * 1_000_000):017d}-{secrets.token_hex(4)}"
        record = AuditRecord(
            id=dedupe or seq,
            seq=seq,
            at=datetime.fromtimestamp(now, UTC),
            tenant=tenant_id,
            actor=actor,
            action=action,
            target=target,
            before=before,
            after=after,
            request_id=request_id,
        )
        body: dict[str, Any] = {"pk": audit_partition(tenant_id), **record.model_dump(mode="json")}
        if self._ttl is not None:
            body["ttl"] = self._ttl
        try:
            await self._container.create_item(body)
        except CosmosResourceExistsError:
            if dedupe is None:
                raise
            return None
        return record

    async def page(self, tenant_id: str, limit: int, before_seq: str | None) -> tuple[list[AuditRecord], str | None]:
        """Up to `limit` records older than `before_seq` (newest first), and the seq to continue from."""
        limit = max(1, min(limit, MAX_PAGE))
        partition = audit_partition(tenant_id)
        query = f"SELECT TOP {limit + 1} * FROM c WHERE c.pk = @pk"
        parameters: list[dict[str, Any]] = [{"name": "@pk", "value": partition}]
        if before_seq is not None:
            query += " AND c.seq < @before"
            parameters.append({"name": "@before", "value": before_seq})
        query += " ORDER BY c.seq DESC"
        items = self._container.query_items(query, parameters=parameters, partition_key=partition)
        records = [AuditRecord.model_validate(item) async for item in items]
        more = len(records) > limit
        records = records[:limit]
        return records, (records[-1].seq if more else None)
