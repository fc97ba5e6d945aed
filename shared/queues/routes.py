"""GET /api/queues.json: the queues' AsyncAPI 3 document, for services that produce our messages."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel

from shared.clients import get_clients
from shared.identity.caller import Capability
from shared.operations import Operation
from shared.queues.catalog import queues_document
from shared.web import RequestContext, json_response


class AsyncApiDocument(BaseModel):
    asyncapi: str
    info: dict[str, Any]
    channels: dict[str, Any]
    operations: dict[str, Any]
    components: dict[str, Any]


async def get_queue_contracts(context: RequestContext) -> Response:
    clients = await get_clients()
    return json_response(queues_document(clients.settings.app_version))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get_queue_contracts",
        "GET",
        "queues.json",
        get_queue_contracts,
        Capability.DESCRIBE,
        "The queues' AsyncAPI 3 document: envelope, payload and result schemas, with an example each",
        response=AsyncApiDocument,
        tags=("platform",),
        description="Generated from the models the queue consumers validate with; see docs/queues.md.",
    ),
)
