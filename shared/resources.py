"""The Cosmos containers and Storage queues the app uses, and their idempotent creation.

This module is the one declaration of them. In Azure, Bicep creates them (the app's identity has
data-plane rights only) from `infra/resources.json`, which `python -m shared.resources` writes from
`infra_declaration()`; the local stack and the tests create them at start-up through `ensure_resources`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.cosmos import PartitionKey

from shared.clients import Clients
from shared.settings import Settings

PARTITION_KEY_PATH = "/pk"
TTL_SETTING = Settings.model_fields["conversation_ttl_days"].alias or "conversation_ttl_days"
"""The app setting that `ttl_from_settings` containers take their default TTL (in days) from."""


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    excluded_paths: tuple[str, ...] = ()
    ttl_from_settings: bool = False
    fixed_ttl: int | None = None
    """The container's default TTL when not from settings; -1 turns TTL on with per-item `ttl` only."""
    composite_indexes: tuple[tuple[tuple[str, str], ...], ...] = ()
    """(path, order) lists for queries that filter on one property and sort on another."""
    extra: dict[str, Any] = field(default_factory=dict)

    def default_ttl(self, settings: Settings) -> int | None:
        if not self.ttl_from_settings:
            return self.fixed_ttl
        days = settings.conversation_ttl_days
        return -1 if days <= 0 else days * 86_400

    def indexing_policy(self) -> dict[str, Any]:
        return {
            "indexingMode": "consistent",
            "includedPaths": [{"path": "/*"}],
            "excludedPaths": [{"path": path} for path in (*self.excluded_paths, '/"_etag"/?')],
            "compositeIndexes": [
                [{"path": path, "order": order} for path, order in index] for index in self.composite_indexes
            ],
        }


CONVERSATIONS = ContainerSpec(
    "conversations",
    excluded_paths=("/content/?", "/content/*", "/feedback/*", "/appends/*", "/title/?"),
    ttl_from_settings=True,
    # The list queries of shared/conversations/queries.py: one partition, an equality filter, a sort.
    composite_indexes=(
        (("/type", "ascending"), ("/updated_us", "descending")),
        (("/type", "ascending"), ("/created_us", "ascending")),
        (("/type", "ascending"), ("/conversation_id", "ascending"), ("/sequence", "ascending")),
    ),
)
USAGE = ContainerSpec("usage")
QUOTAS = ContainerSpec("quotas", fixed_ttl=-1)
MODERATION = ContainerSpec("moderation", excluded_paths=("/result/*",), ttl_from_settings=True)
JOBS = ContainerSpec("jobs", excluded_paths=("/result/*", "/request/*"), ttl_from_settings=True)
API_KEYS = ContainerSpec("apikeys")
AUDIT = ContainerSpec("audit", fixed_ttl=-1)
"""Append-only admin audit records; each carries its own `ttl` (AUDIT_RETENTION_DAYS)."""

CAPTURES = ContainerSpec("captures", excluded_paths=("/messages/*", "/completion/?"), fixed_ttl=-1)
"""Per-tenant prompt/completion captures (off by default); each carries its tenant's `ttl`."""

CONTAINERS: tuple[ContainerSpec, ...] = (CONVERSATIONS, USAGE, QUOTAS, MODERATION, JOBS, API_KEYS, AUDIT, CAPTURES)

CONVERSATION_EVENTS_QUEUE = "conversation-events"
COMPLETION_JOBS_QUEUE = "completion-jobs"
MODERATION_REQUESTS_QUEUE = "moderation-requests"
QUEUES: tuple[str, ...] = (CONVERSATION_EVENTS_QUEUE, COMPLETION_JOBS_QUEUE, MODERATION_REQUESTS_QUEUE)


def poison_queue(queue: str) -> str:
    return f"{queue}-poison"


def infra_declaration() -> dict[str, Any]:
    """The containers and queues as Bicep reads them (`loadJsonContent`); TTLs from settings stay symbolic."""
    unmapped = [spec.name for spec in CONTAINERS if spec.extra]
    if unmapped:
        raise ValueError(f"ContainerSpec.extra has no Bicep mapping yet: {unmapped}")
    return {
        "partitionKeyPath": PARTITION_KEY_PATH,
        "ttlSetting": TTL_SETTING,
        "containers": [
            {
                "name": spec.name,
                "ttlFromSettings": spec.ttl_from_settings,
                "fixedTtl": spec.fixed_ttl,
                "indexingPolicy": spec.indexing_policy(),
            }
            for spec in CONTAINERS
        ],
        "queues": [name for queue in QUEUES for name in (queue, poison_queue(queue))],
    }


def infra_declaration_json() -> str:
    return json.dumps(infra_declaration(), indent=2) + "\n"


async def ensure_resources(clients: Clients) -> None:
    """Create the database, containers and queues if missing. Safe to run on every start."""
    settings = clients.settings
    database = await clients.cosmos.create_database_if_not_exists(settings.cosmos_database)
    for spec in CONTAINERS:
        await database.create_container_if_not_exists(
            spec.name,
            partition_key=PartitionKey(PARTITION_KEY_PATH),
            indexing_policy=spec.indexing_policy(),
            default_ttl=spec.default_ttl(settings),
            **spec.extra,
        )
    await asyncio.gather(*(_ensure_queue(clients, name) for q in QUEUES for name in (q, poison_queue(q))))


async def _ensure_queue(clients: Clients, name: str) -> None:
    with contextlib.suppress(ResourceExistsError):
        await clients.queues.create_queue(name)


if __name__ == "__main__":
    print(infra_declaration_json(), end="")
