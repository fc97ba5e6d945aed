"""The process-wide audit log, built once from the clients, and the API-key first-use hook."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from shared.admin.audit import Actor, AuditLog
from shared.admin.capture import CaptureStore
from shared.clients import Clients, get_clients
from shared.identity.api_keys import ApiKeyRecord
from shared.resources import AUDIT, CAPTURES

logger = logging.getLogger(__name__)


def build_audit_log(clients: Clients) -> AuditLog:
    return AuditLog(clients.database.get_container_client(AUDIT.name), clients.settings.audit_retention_days)


async def get_audit_log() -> AuditLog:
    clients = await get_clients()
    return clients.service("admin.audit", build_audit_log)


def build_capture_store(clients: Clients) -> CaptureStore:
    return CaptureStore(
        clients.database.get_container_client(CAPTURES.name), cache_s=clients.settings.quota_limits_cache_s
    )


def capture_store(clients: Clients) -> CaptureStore:
    return clients.service("admin.captures", build_capture_store)


def first_use_recorder(clients: Clients) -> Callable[[ApiKeyRecord], Coroutine[Any, Any, None]]:
    """Audit an API key's first use, once across instances (the record's id is fixed per key)."""

    async def record(key: ApiKeyRecord) -> None:
        try:
            log = clients.service("admin.audit", build_audit_log)
            await log.record(
                key.tenant,
                Actor.of(key.caller()),
                "apikey.first_use",
                f"apikey:{key.id}",
                before={"last_used_at": None},
                after={"service": key.service},
                dedupe=f"apikey-first-use-{key.id}",
            )
        except Exception:
            logger.warning("could not audit the first use of API key %s", key.id, exc_info=True)

    return record
