"""A stored (or in-flight) response document as the Response object clients see."""

from __future__ import annotations

from typing import Any

from shared.conversations.items import InputText, Item, OutputText
from shared.responses.models import ResponseObject, Usage
from shared.responses.store import Document


def usage_of(chat_usage: dict[str, Any] | None, truncated: int) -> Usage | None:
    """The chat completion's exact usage, renamed; None when the model reported none."""
    if chat_usage is None:
        return None
    prompt = int(chat_usage.get("prompt_tokens") or 0)
    completion = int(chat_usage.get("completion_tokens") or 0)
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=int(chat_usage.get("total_tokens") or prompt + completion),
        truncated_input_items=truncated,
    )


def output_item(item: dict[str, Any]) -> Item:
    return Item(id=item["id"], role="assistant", status=item["status"], content=[OutputText(text=item["text"])])


def input_item(item: dict[str, Any]) -> Item:
    part = OutputText(text=item["text"]) if item["role"] == "assistant" else InputText(text=item["text"])
    return Item(id=item["id"], role=item["role"], content=[part])


def render(document: Document) -> dict[str, Any]:
    return response_object(document).model_dump()


def response_object(document: Document) -> ResponseObject:
    conversation = document.get("conversation_id")
    return ResponseObject(
        id=document["id"],
        created_at=document["created_us"] // 1_000_000,
        completed_at=document.get("completed_at") if document["status"] == "completed" else None,
        status=document["status"],
        model=document["model"],
        output=[output_item(item) for item in document.get("output", [])],
        instructions=document.get("instructions"),
        previous_response_id=document.get("previous_response_id"),
        conversation={"id": conversation} if conversation else None,
        metadata=document.get("metadata") or {},
        temperature=document.get("temperature"),
        top_p=document.get("top_p"),
        max_output_tokens=document.get("max_output_tokens"),
        truncation=document.get("truncation", "disabled"),
        store=document.get("store", True),
        usage=usage_of(document.get("usage"), int(document.get("truncated_input_items") or 0)),
        error=document.get("error"),
        incomplete_details=document.get("incomplete_details"),
    )
