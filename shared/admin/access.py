"""Who may administer which tenant: the `admin` capability, scoped to the caller's own tenant.

An `Admin` app role (Entra `roles` claim) or an API key with the `admin` capability administers its
own tenant. `?tenant=<id>` names another tenant; only admins from `ADMIN_PLATFORM_TENANTS` may do
that, and for everyone else another tenant's objects simply don't exist (404), so tenant ids can't
be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import not_found
from shared.identity.caller import Caller
from shared.settings import Settings
from shared.web import RequestContext


@dataclass(frozen=True, slots=True)
class AdminScope:
    caller: Caller
    tenant_id: str
    request_id: str


def platform_tenants(settings: Settings) -> frozenset[str]:
    return frozenset(t.strip() for t in settings.admin_platform_tenants.split(",") if t.strip())


def admin_scope(context: RequestContext, settings: Settings) -> AdminScope:
    """The admin caller and the tenant it acts on (404 for another tenant); the operation demanded `admin`."""
    caller = context.caller
    tenant = (context.query("tenant") or "").strip() or caller.tenant_id
    if tenant != caller.tenant_id and caller.tenant_id not in platform_tenants(settings):
        raise not_found(f"Tenant `{tenant}` was not found.")
    return AdminScope(caller, tenant, context.request_id)
