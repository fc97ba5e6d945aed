"""The /api/v1/responses operations: OpenAI's Responses API (text subset) over our conversation store."""

from __future__ import annotations

from shared.conversations.items import ItemList, ItemPageQuery
from shared.identity.caller import Capability
from shared.operations import Operation
from shared.responses import handlers
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


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "responses_create",
        "POST",
        BASE,
        handlers.create_response,
        Capability.COMPLETIONS,
        "Create a model response (OpenAI Responses API)",
        request=ResponseCreate,
        response=ResponseObject,
        streaming=True,
        errors=(400, 404, 409, 413, 429, 503),
        tags=TAGS,
        description=CREATE,
    ),
    Operation(
        "responses_get",
        "GET",
        ONE,
        handlers.get_response,
        Capability.CONVERSATIONS_READ,
        "Read a stored response",
        response=ResponseObject,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="Another caller's response answers 404, exactly like a missing one.",
    ),
    Operation(
        "responses_delete",
        "DELETE",
        ONE,
        handlers.delete_response,
        Capability.CONVERSATIONS_WRITE,
        "Delete a stored response",
        response=ResponseDeleted,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="A later response that continued from it keeps its own items; its chain ends here.",
    ),
    Operation(
        "responses_input_items",
        "GET",
        f"{ONE}/input_items",
        handlers.list_input_items,
        Capability.CONVERSATIONS_READ,
        "List a response's input items",
        query=ItemPageQuery,
        response=ItemList,
        errors=(STORE_BUSY,),
        tags=TAGS,
        description="The items this response was given as `input`, newest first unless `order=asc`.",
    ),
)
