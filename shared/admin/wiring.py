"""The process-wide audit log, built once from the clients."""

from __future__ import annotations

from shared.admin.audit import AuditLog
from shared.clients import Clients, get_clients
from shared.resources import AUDIT


def build_audit_log(clients: Clients) -> AuditLog:
    return AuditLog(clients.database.get_container_client(AUDIT.name), clients.settings.audit_retention_days)


async def get_audit_log() -> AuditLog:
    clients = await get_clients()
    return clients.service("admin.audit", build_audit_log)
