"""GET /api/v1/me: who the credential says the caller is."""

from __future__ import annotations

from shared.identity.models import CallerView
from shared.operations import Access, Operation
from shared.web import RequestContext


async def get_me(context: RequestContext) -> dict[str, object]:
    return context.caller.as_dict()


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get_me",
        "GET",
        "v1/me",
        get_me,
        Access.AUTHENTICATED,
        "The authenticated caller",
        response=CallerView,
        tags=("identity",),
    ),
)
