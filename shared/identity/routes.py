"""GET /api/v1/me: who the credential says the caller is."""

from __future__ import annotations

from shared.identity.caller import Capability
from shared.identity.models import CallerView
from shared.operations import Operation
from shared.web import RequestContext


async def get_me(context: RequestContext) -> CallerView:
    caller = context.caller
    capabilities = sorted(caller.capabilities, key=lambda capability: capability.value)
    return CallerView(kind=caller.kind, tenant=caller.tenant_id, user=caller.user_id, capabilities=capabilities)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get_me",
        "GET",
        "v1/me",
        get_me,
        Capability.DESCRIBE,
        "The authenticated caller",
        response=CallerView,
        tags=("identity",),
    ),
)
