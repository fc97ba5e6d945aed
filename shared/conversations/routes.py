"""The /api/v1/conversations operations: ours and OpenAI's Conversations API over the same documents.

The property run validates every served response against the response models declared here.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.conversations import handlers, openai_view
from shared.conversations.items import Item, ItemList, ItemPageQuery
from shared.conversations.models import (
    Conversation,
    ConversationCreate,
    ConversationList,
    ConversationMessage,
    ConversationMessageList,
    ConversationMetadataUpdate,
    ConversationUpdate,
    FeedbackInput,
    ItemsCreate,
    MessageInput,
)
from shared.conversations.size_limits import Limits
from shared.identity.caller import Capability
from shared.operations import Operation
from shared.settings import Settings

BASE = "v1/conversations"
ONE = f"{BASE}/{{conversation_id}}"
MESSAGES = f"{ONE}/messages"
FEEDBACK = f"{MESSAGES}/{{message_id}}/feedback"
ITEMS = f"{ONE}/items"
ITEM = f"{ITEMS}/{{item_id}}"
TAGS = ("conversations",)
READ, WRITE = Capability.CONVERSATIONS_READ, Capability.CONVERSATIONS_WRITE
STORE_BUSY = 429
"""The store throttled the request; every route that touches Cosmos may answer it with Retry-After."""


class PageQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100, description="Page size, 1 to CONVERSATION_PAGE_MAX (100).")
    cursor: str | None = Field(None, max_length=8192, description="`next_cursor` of the previous page.")


ETAG = "The response carries the conversation's `ETag`."
IF_MATCH = (
    "Send `If-Match: <ETag>` to change only the version you read: another version answers 412 "
    "`precondition_failed`; `If-Match: *` or no header applies the change unconditionally."
)
OPENAI_DELETION = (
    ' A request with `Accept: application/json` (as the OpenAI SDK sends) gets 200 `{"id": ..., '
    '"object": "conversation.deleted", "deleted": true}` instead of the 204.'
)
ITEMS_NOTE = (
    "OpenAI's conversation items: each stored message as a `message` item (`input_text`, or `output_text` "
    "for the assistant's). The same messages as `/messages`, whichever route or response wrote them."
)
DELETION = (
    "204 when everything is deleted. When deletion needs more time than one request allows, the answer "
    'is 202 `{"object": "conversation.deletion", "deleted": <count or null>, "completed": false}` with '
    "`Retry-After: 0`: the data is already invisible; repeat the call to finish."
)


def small_body_bytes(settings: Settings) -> int:
    return Limits.from_settings(settings).small_body_max_bytes


def message_body_bytes(settings: Settings) -> int:
    return Limits.from_settings(settings).message_body_max_bytes


def request_body_bytes(settings: Settings) -> int:
    return Limits.from_settings(settings).request_max_bytes


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "conversations_create",
        "POST",
        BASE,
        openai_view.create_conversation,
        WRITE,
        "Create a conversation",
        body_limit=small_body_bytes,
        request=ConversationCreate,
        response=Conversation,
        status=201,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=(
            "`title`: at most CONVERSATION_TITLE_MAX_CHARS (200) characters, else 400. OpenAI's `items` (up "
            f"to 20 messages, stored in order; the body stays under 64 KiB, add more with POST .../items) and "
            f"`metadata` (up to 16 string pairs) are accepted too. {ETAG}"
        ),
    ),
    Operation(
        "conversations_list",
        "GET",
        BASE,
        handlers.list_conversations,
        READ,
        "List the caller's conversations, newest first",
        query=PageQuery,
        response=ConversationList,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="A cursor from another list, or not issued by this API, answers 400 `invalid_cursor`.",
    ),
    Operation(
        "conversations_delete_all",
        "DELETE",
        BASE,
        handlers.delete_all_conversations,
        WRITE,
        "Delete all of the caller's conversations and messages",
        status=204,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=DELETION,
    ),
    Operation(
        "conversations_export",
        "GET",
        f"{BASE}/export",
        handlers.export_conversations,
        READ,
        "Export every conversation and message as JSON Lines",
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=(
            "Streams `application/x-ndjson` (attachment `conversations.jsonl`): each line one JSON object, "
            "a `Conversation` (oldest first) followed by its `ConversationMessage`s in sequence order, then the "
            "stored responses (`ResponseObject`, `object: response`), oldest first. "
            "An empty body means no conversations."
        ),
    ),
    Operation(
        "conversations_get",
        "GET",
        ONE,
        handlers.get_conversation,
        READ,
        "Read a conversation",
        response=Conversation,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=f"{ETAG} Another caller's conversation answers 404, exactly like a missing one.",
    ),
    Operation(
        "conversations_update",
        "PATCH",
        ONE,
        handlers.update_conversation,
        WRITE,
        "Rename a conversation",
        body_limit=small_body_bytes,
        request=ConversationUpdate,
        response=Conversation,
        errors=(412, STORE_BUSY),
        tags=TAGS,
        description=f"{IF_MATCH} {ETAG}",
    ),
    Operation(
        "conversations_delete",
        "DELETE",
        ONE,
        openai_view.delete_conversation,
        WRITE,
        "Delete a conversation and its messages",
        status=204,
        errors=(400, 412, STORE_BUSY),
        tags=TAGS,
        description=f"{IF_MATCH} {DELETION}{OPENAI_DELETION}",
    ),
    Operation(
        "conversations_update_metadata",
        "POST",
        ONE,
        openai_view.update_metadata,
        WRITE,
        "Update a conversation's metadata (OpenAI shape)",
        body_limit=small_body_bytes,
        request=ConversationMetadataUpdate,
        response=Conversation,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=f"Replaces `metadata` as a whole. {ETAG}",
    ),
    Operation(
        "conversations_items_list",
        "GET",
        ITEMS,
        openai_view.list_items,
        READ,
        "List a conversation's items (OpenAI shape)",
        query=ItemPageQuery,
        response=ItemList,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=f"{ITEMS_NOTE} Newest first unless `order=asc`; `after` is the last item id of the page before.",
    ),
    Operation(
        "conversations_items_create",
        "POST",
        ITEMS,
        openai_view.create_items,
        WRITE,
        "Add items to a conversation (OpenAI shape)",
        body_limit=request_body_bytes,
        request=ItemsCreate,
        response=ItemList,
        errors=(409, STORE_BUSY),
        tags=TAGS,
        description=f"{ITEMS_NOTE} Up to 20 message items, appended in order.",
    ),
    Operation(
        "conversations_items_get",
        "GET",
        ITEM,
        openai_view.get_item,
        READ,
        "Read a conversation item (OpenAI shape)",
        response=Item,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description=ITEMS_NOTE,
    ),
    Operation(
        "conversations_items_delete",
        "DELETE",
        ITEM,
        openai_view.delete_item,
        WRITE,
        "Delete a conversation item (OpenAI shape)",
        response=Conversation,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="Removes the message; answers the conversation, as OpenAI does.",
    ),
    Operation(
        "conversations_messages_list",
        "GET",
        MESSAGES,
        handlers.list_messages,
        READ,
        "List a conversation's messages, oldest first",
        query=PageQuery,
        response=ConversationMessageList,
        errors=(STORE_BUSY,),
        tags=TAGS,
    ),
    Operation(
        "conversations_messages_create",
        "POST",
        MESSAGES,
        handlers.create_message,
        WRITE,
        "Append a message",
        body_limit=message_body_bytes,
        request=MessageInput,
        response=ConversationMessage,
        status=201,
        errors=(409, STORE_BUSY),
        tags=TAGS,
        description=(
            "`content`: at most CONVERSATION_MESSAGE_MAX_BYTES (32 KiB) of UTF-8, else 413. "
            "`Idempotency-Key` (1-200 printable ASCII characters): a retry with the same key stores the "
            "message once and answers the stored message. 409 `conversation_busy` (with Retry-After) when "
            "too many writers contend; retry."
        ),
    ),
    Operation(
        "conversations_feedback",
        "PUT",
        FEEDBACK,
        handlers.put_feedback,
        WRITE,
        "Rate a message",
        body_limit=small_body_bytes,
        request=FeedbackInput,
        response=ConversationMessage,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="Replaces the message's feedback. A message of another conversation answers 404.",
    ),
)
