"""Handlers of /api/v1/responses (declared in `shared.responses.routes`)."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from shared.clients import get_clients
from shared.conversations.handlers import _store_errors as store_errors
from shared.conversations.items import ItemList, ItemPageQuery, item_list
from shared.conversations.repository import ConversationRepository
from shared.gateway.handlers import cancel_on_disconnect
from shared.gateway.wiring import get_completion_service
from shared.responses.models import ResponseCreate, ResponseDeleted, ResponseObject
from shared.responses.render import input_item, response_object
from shared.responses.service import ResponsesService, response_not_found
from shared.responses.store import ResponseNotFound, ResponseStore
from shared.web import RequestContext, parse_model

SERVICE_KEY = "responses"


async def get_responses_service() -> ResponsesService:
    clients = await get_clients()
    completions = await get_completion_service()
    return clients.service(
        SERVICE_KEY,
        lambda c: ResponsesService(
            completions,
            ResponseStore.from_clients(c),
            c.service("conversations", ConversationRepository.from_clients),
            c.settings,
        ),
    )


async def create_response(context: RequestContext, body: ResponseCreate) -> Response:
    """POST /api/v1/responses."""
    service = await get_responses_service()
    with store_errors():
        return await cancel_on_disconnect(context.request, service.create(context.caller, body, context.request_id))


async def _stored(context: RequestContext) -> tuple[ResponsesService, dict[str, Any]]:
    service = await get_responses_service()
    try:
        with store_errors():
            return service, await service.store.get(context.caller, context.path_param("response_id"))
    except ResponseNotFound:
        raise response_not_found() from None


async def get_response(context: RequestContext) -> ResponseObject:
    _, document = await _stored(context)
    return response_object(document)


async def delete_response(context: RequestContext) -> ResponseDeleted:
    service, document = await _stored(context)
    try:
        with store_errors():
            await service.store.delete(context.caller, document["id"])
    except ResponseNotFound:
        raise response_not_found() from None
    return ResponseDeleted(id=document["id"])


async def list_input_items(context: RequestContext) -> ItemList:
    _, document = await _stored(context)
    raw = {name: context.query(name) for name in ("limit", "after", "order") if context.query(name) is not None}
    query = parse_model(ItemPageQuery, raw)
    items = [input_item(item) for item in document.get("input", [])]
    if query.order == "desc":
        items.reverse()
    if query.after is not None:
        ids = [item.id for item in items]
        items = items[ids.index(query.after) + 1 :] if query.after in ids else []
    return item_list(items[: query.limit], len(items) > query.limit)
