"""The /api/v1/responses routes in the OpenAPI document."""

from __future__ import annotations

from shared.conversations.items import ItemList, ItemPageQuery
from shared.identity.caller import Capability
from shared.openapi import register_operation
from shared.responses.models import ResponseCreate, ResponseDeleted, ResponseObject

BASE = "v1/responses"
ONE = f"{BASE}/{{response_id}}"
TAGS = ("responses",)
STORE_BUSY = 429
CREATE = (
    "OpenAI's Responses API, text subset. `input` is a string or message items (`input_text` parts); the "
    "history comes from the store: the `previous_response_id` chain, or the `conversation`'s items (not both). "
    "The context (instructions, history, input) must fit the model alias's context window minus "
    "`max_output_tokens` (or the default reservation): `truncation: disabled` answers 400 "
    "`context_length_exceeded`, `auto` drops the oldest history and counts it in `usage.truncated_input_items`. "
    "Moderated, quota-limited and failed over like chat completions; 400 `content_filter` for a flagged input. "
    "`store: false` writes nothing. Needs `conversations.read` to use history and `conversations.write` to store. "
    "With `stream: true` the answer is `text/event-stream`: `response.created`, `response.in_progress`, "
    "`response.output_item.added`, `response.content_part.added`, `response.output_text.delta`..., "
    "`response.output_text.done`, `response.content_part.done`, `response.output_item.done`, then "
    "`response.completed` (with usage), `response.incomplete` (moderated output, length) or `response.failed`."
)


def register() -> None:
    register_operation(
        "POST",
        BASE,
        summary="Create a model response (OpenAI Responses API)",
        request=ResponseCreate,
        response=ResponseObject,
        streaming=True,
        capability=Capability.COMPLETIONS,
        errors=(400, 404, 409, 413, 429, 503),
        tags=TAGS,
        description=CREATE,
    )
    register_operation(
        "GET",
        ONE,
        summary="Read a stored response",
        response=ResponseObject,
        capability=Capability.CONVERSATIONS_READ,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="Another caller's response answers 404, exactly like a missing one.",
    )
    register_operation(
        "DELETE",
        ONE,
        summary="Delete a stored response",
        response=ResponseDeleted,
        capability=Capability.CONVERSATIONS_WRITE,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="A later response that continued from it keeps its own items; its chain ends here.",
    )
    register_operation(
        "GET",
        f"{ONE}/input_items",
        summary="List a response's input items",
        query=ItemPageQuery,
        response=ItemList,
        capability=Capability.CONVERSATIONS_READ,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="The items this response was given as `input`, newest first unless `order=asc`.",
    )


register()
