"""OpenAI's Conversations API over our conversations: the same documents, shaped as OpenAI shapes them.

`POST /v1/conversations` takes our `title` and OpenAI's `items` and `metadata`; `POST /v1/conversations/{id}`
replaces the metadata; `/items` lists, adds, reads and removes messages as message items. A DELETE
that asks for JSON (as the OpenAI SDK does) gets OpenAI's deleted object instead of our bare 204.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response

from shared.conversations.handlers import (
    _conversation_id,
    _repository,
    _store_errors,
    _with_etag,
    conversation_owner,
    valid_path_id,
)
from shared.conversations.handlers import (
    delete_conversation as delete_ours,
)
from shared.conversations.items import STORED_ROLES, Item, ItemList, ItemPageQuery, MessageItem, item_list, item_object
from shared.conversations.keys import Owner, is_valid_id, new_conversation_id
from shared.conversations.models import (
    Conversation,
    ConversationCreate,
    ConversationMetadataUpdate,
    ItemsCreate,
    MessageInput,
    conversation_object,
)
from shared.conversations.repository import ConversationRepository
from shared.conversations.size_limits import Limits
from shared.errors import not_found
from shared.identity.caller import Caller
from shared.web import RequestContext, json_response, parse_model

CREATE_KEY = "conversation.create"


async def append_items(
    repository: ConversationRepository,
    limits: Limits,
    owner: Owner,
    conversation_id: str,
    items: list[MessageItem],
    key: str,
) -> list[dict[str, Any]]:
    """Store message items as one append (idempotent under `key`), in order."""
    messages = [
        (index, MessageInput(role=STORED_ROLES[item.role], content=limits.check_content(item.text, f"items.{index}")))
        for index, item in enumerate(items)
    ]
    appended = await repository.append_turn(owner, conversation_id, messages, idempotency_key=key, turn_size=len(items))
    return sorted(appended.documents, key=lambda document: int(document["sequence"]))


async def create_conversation(context: RequestContext, body: ConversationCreate) -> Response:
    caller = conversation_owner(context)
    repository, limits, _ = await _repository()
    title = limits.check_title(body.title)
    conversation_id = new_conversation_id()
    with _store_errors():
        document = await repository.create(caller, conversation_id, title, body.metadata)
        if body.items:
            await append_items(repository, limits, caller, conversation_id, body.items, CREATE_KEY)
    return _with_etag(document, 201)


async def update_metadata(context: RequestContext, body: ConversationMetadataUpdate) -> Response:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, _, _ = await _repository()
    with _store_errors():
        return _with_etag(await repository.set_metadata(caller, conversation_id, body.metadata))


def _wants_json(context: RequestContext) -> bool:
    accept = context.request.headers.get("accept", "")
    return any(kind.split(";")[0].strip() == "application/json" for kind in accept.split(","))


async def delete_conversation(context: RequestContext) -> Response:
    response = await delete_ours(context)
    if response.status_code == 204 and _wants_json(context):
        deleted = {"id": context.path_param("conversation_id"), "object": "conversation.deleted", "deleted": True}
        return json_response(deleted)
    return response


NO_SUCH_ITEM = "No such item in this conversation."


def _item(context: RequestContext) -> tuple[Caller, str, str]:
    """The owner, conversation and item an item route names, checked in that order."""
    owner, conversation_id = conversation_owner(context), _conversation_id(context)
    return owner, conversation_id, valid_path_id(context, "item_id", NO_SUCH_ITEM, "item_not_found")


def _page_query(context: RequestContext) -> ItemPageQuery:
    raw = {name: context.query(name) for name in ("limit", "after", "order") if context.query(name) is not None}
    query = parse_model(ItemPageQuery, raw)
    if query.after is not None and not is_valid_id(query.after):
        raise not_found(NO_SUCH_ITEM, code="item_not_found")
    return query


async def create_items(context: RequestContext, body: ItemsCreate) -> ItemList:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, limits, _ = await _repository()
    key = context.request.headers.get("idempotency-key") or uuid.uuid4().hex
    with _store_errors():
        stored = await append_items(repository, limits, caller, conversation_id, body.items, f"items:{key[:200]}")
    return item_list([item_object(document) for document in stored], False)


async def list_items(context: RequestContext) -> ItemList:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    query = _page_query(context)
    repository, _, _ = await _repository()
    with _store_errors():
        page, more = await repository.messages_page(
            caller, conversation_id, query.limit, newest_first=query.order == "desc", after=query.after
        )
    return item_list([item_object(document) for document in page], more)


async def get_item(context: RequestContext) -> Item:
    owner, conversation_id, item_id = _item(context)
    repository, _, _ = await _repository()
    with _store_errors():
        return item_object(await repository.get_message(owner, conversation_id, item_id))


async def delete_item(context: RequestContext) -> Conversation:
    owner, conversation_id, item_id = _item(context)
    repository, _, _ = await _repository()
    with _store_errors():
        return conversation_object(await repository.delete_message(owner, conversation_id, item_id))
