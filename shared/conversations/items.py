"""Conversation items as OpenAI shapes them: the messages we store, seen as `message` items.

Our messages hold a role and plain text; an item shows the text as one `input_text` part (or
`output_text` for the assistant's), so the Conversations and Responses APIs read the same documents.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ItemRole = Literal["user", "assistant", "system", "developer"]
STORED_ROLES: dict[str, Literal["system", "user", "assistant"]] = {
    "developer": "system", "system": "system", "user": "user", "assistant": "assistant",
}  # fmt: skip
MAX_ITEMS_PER_CREATE = 20

Document = dict[str, Any]
METADATA_MAX_KEYS = 16
METADATA_KEY_MAX_CHARS = 64
METADATA_VALUE_MAX_CHARS = 512


def check_metadata(value: dict[str, str] | None) -> dict[str, str] | None:
    """OpenAI's limits: 16 pairs, keys up to 64 characters, values up to 512."""
    if value is None:
        return None
    if len(value) > METADATA_MAX_KEYS:
        raise ValueError(f"at most {METADATA_MAX_KEYS} keys")
    for key, item in value.items():
        if len(key) > METADATA_KEY_MAX_CHARS or len(item) > METADATA_VALUE_MAX_CHARS:
            raise ValueError(f"keys up to {METADATA_KEY_MAX_CHARS} and values up to {METADATA_VALUE_MAX_CHARS} chars")
    return value


class TextPart(BaseModel):
    """`input_text` (what people wrote) or `output_text` (an earlier answer sent back as input)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["input_text", "output_text"]
    text: str


class MessageItem(BaseModel):
    """A message item of `input` or of a conversation (`type` may be left out, as in OpenAI's easy form)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["message"] = "message"
    role: ItemRole
    content: str | list[TextPart] = Field(min_length=1)

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)

    @field_validator("content")
    @classmethod
    def _has_text(cls, value: str | list[TextPart]) -> str | list[TextPart]:
        text = value if isinstance(value, str) else "".join(part.text for part in value)
        if not text:
            raise ValueError("a message needs some text")
        return value


class InputText(BaseModel):
    type: Literal["input_text"] = "input_text"
    text: str


class OutputText(BaseModel):
    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[Any] = Field(default_factory=list)
    logprobs: list[Any] = Field(default_factory=list)


class Item(BaseModel):
    """A stored message as a Responses/Conversations item: `input_text` parts, or `output_text` for answers."""

    id: str
    type: Literal["message"] = "message"
    role: ItemRole
    status: Literal["in_progress", "completed", "incomplete"] = "completed"
    content: list[InputText | OutputText]


class ItemList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Item]
    first_id: str | None
    last_id: str | None
    has_more: bool


class ItemPageQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100, description="Page size, 1 to 100.")
    after: str | None = Field(None, max_length=100, description="An item id: list the items after it.")
    order: Literal["asc", "desc"] = Field("desc", description="By position in the conversation or input.")


def item_object(document: Document) -> Item:
    """A stored message (or a response's stored item) as an OpenAI message item."""
    role = document["role"] if document["role"] in STORED_ROLES else "user"
    text = document.get("content", document.get("text", ""))
    part: InputText | OutputText = OutputText(text=text) if role == "assistant" else InputText(text=text)
    return Item(id=document["id"], role=role, content=[part])


def item_list(data: list[Item], has_more: bool) -> ItemList:
    return ItemList(
        data=data,
        first_id=data[0].id if data else None,
        last_id=data[-1].id if data else None,
        has_more=has_more,
    )
