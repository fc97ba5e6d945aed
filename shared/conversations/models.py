"""Request bodies, the documents stored in Cosmos, and the JSON objects clients see."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.conversations.items import MAX_ITEMS_PER_CREATE, MessageItem, check_metadata

Role = Literal["system", "user", "assistant", "tool"]
Rating = Literal["positive", "negative"]

CONVERSATION_TYPE = "conversation"
DELETING_TYPE = "conversation.deleting"
MESSAGE_TYPE = "message"
FEEDBACK_COMMENT_MAX_CHARS = 2000

Document = dict[str, Any]


class MessageInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    content: str = Field(min_length=1)


class ConversationCreate(BaseModel):
    """Our `title`, and OpenAI's `items` (stored as the first messages) and `metadata`."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    items: list[MessageItem] | None = Field(None, max_length=MAX_ITEMS_PER_CREATE)
    metadata: dict[str, str] | None = None

    _check_metadata = field_validator("metadata")(check_metadata)


class ConversationMetadataUpdate(BaseModel):
    """OpenAI's conversation update: the metadata, replaced as a whole."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, str]

    _check_metadata = field_validator("metadata")(check_metadata)


class ItemsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[MessageItem] = Field(min_length=1, max_length=MAX_ITEMS_PER_CREATE)


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None


class FeedbackInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Rating
    comment: str | None = Field(default=None, max_length=FEEDBACK_COMMENT_MAX_CHARS)


def now_us() -> int:
    return time.time_ns() // 1000


def conversation_document(pk: str, tenant_id: str, user_id: str, conversation_id: str, title: str | None) -> Document:
    now = now_us()
    return {
        "id": conversation_id,
        "pk": pk,
        "type": CONVERSATION_TYPE,
        "tenant_id": tenant_id,
        "user_id": user_id,
        "title": title,
        "created_us": now,
        "updated_us": now,
        "last_sequence": 0,
        "appends": [],
    }


def message_document(
    pk: str, document_id: str, conversation_id: str, sequence: int, message: MessageInput, created_us: int
) -> Document:
    return {
        "id": document_id,
        "pk": pk,
        "type": MESSAGE_TYPE,
        "conversation_id": conversation_id,
        "sequence": sequence,
        "role": message.role,
        "content": message.content,
        "created_us": created_us,
    }


def _seconds(microseconds: int | None) -> int | None:
    return None if microseconds is None else microseconds // 1_000_000


class Conversation(BaseModel):
    id: str
    object: Literal["conversation"]
    title: str | None
    created_at: int | None = Field(description="Unix seconds.")
    updated_at: int | None = Field(description="Unix seconds.")
    metadata: dict[str, str] = Field(description="OpenAI's conversation metadata: up to 16 string pairs.")


class ConversationFeedback(BaseModel):
    rating: Rating
    comment: str | None = Field(max_length=FEEDBACK_COMMENT_MAX_CHARS)
    updated_at: int | None


class ConversationMessage(BaseModel):
    id: str
    object: Literal["conversation.message"]
    conversation_id: str
    role: Role
    content: str
    sequence: int = Field(ge=1, description="1, 2, 3... in the order messages were appended.")
    created_at: int | None
    feedback: ConversationFeedback | None


class ConversationList(BaseModel):
    object: Literal["list"]
    data: list[Conversation]
    first_id: str | None
    last_id: str | None
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ConversationMessageList(BaseModel):
    object: Literal["list"]
    data: list[ConversationMessage]
    first_id: str | None
    last_id: str | None
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


def conversation_object(document: Document) -> Conversation:
    """A stored conversation as clients see it (built from what this API wrote, so not validated again)."""
    return Conversation.model_construct(
        id=document["id"],
        object="conversation",
        title=document.get("title"),
        created_at=_seconds(document.get("created_us")),
        updated_at=_seconds(document.get("updated_us")),
        metadata=document.get("metadata") or {},
    )


def _feedback(document: Document) -> ConversationFeedback | None:
    feedback = document.get("feedback")
    if not feedback:
        return None
    return ConversationFeedback.model_construct(
        rating=feedback.get("rating"),
        comment=feedback.get("comment"),
        updated_at=_seconds(feedback.get("updated_us")),
    )


def message_object(document: Document) -> ConversationMessage:
    return ConversationMessage.model_construct(
        id=document["id"],
        object="conversation.message",
        conversation_id=document["conversation_id"],
        role=document["role"],
        content=document["content"],
        sequence=document["sequence"],
        created_at=_seconds(document.get("created_us")),
        feedback=_feedback(document),
    )


def conversation_list(data: list[Conversation], next_cursor: str | None) -> ConversationList:
    return ConversationList.model_construct(object="list", **_page(data, next_cursor))


def message_list(data: list[ConversationMessage], next_cursor: str | None) -> ConversationMessageList:
    return ConversationMessageList.model_construct(object="list", **_page(data, next_cursor))


def _page(data: list[Conversation] | list[ConversationMessage], next_cursor: str | None) -> dict[str, Any]:
    return {
        "data": data,
        "first_id": data[0].id if data else None,
        "last_id": data[-1].id if data else None,
        "has_more": next_cursor is not None,
        "next_cursor": next_cursor,
    }
