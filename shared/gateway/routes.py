"""The gateway's operations: chat completions (OpenAI and Azure shapes), models, usage.

Completion shapes are OpenAI's and evolve with it, so the response models are permissive: the fields the
gateway reads or adds are typed, everything else passes as additional properties. A completion body is
checked against OpenAI's schema and kept as the object that goes upstream, not only as the model, so its
`reader` builds the `CompletionRequest` the handler takes; the model documents the body.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.gateway import handlers
from shared.gateway.models import ChatCompletionRequest, ModelList, Usage, UsageList
from shared.gateway.usage import MAX_USAGE_DAYS
from shared.identity.caller import Capability
from shared.operations import Operation

TAGS = ("completions",)
COMPLETION_ERRORS = (400, 404, 413, 429, 503)
"""400 also carries `content_filter` (a blocked prompt); 404 an unknown model or conversation; 429 a token
quota or every backend throttled; 503 every backend unavailable."""
STREAMING_NOTE = (
    " With `stream: true` the answer is `text/event-stream`: `data: <chat.completion.chunk>` events, then"
    " `data: [DONE]`. Completions are moderated; a flagged one ends with finish_reason `content_filter`"
    " and its text is withheld. `X-Conversation-Id: <id>|new` appends the turn to a conversation (the"
    " response names it in the same header)."
)


class AssistantMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | None = None


class Choice(BaseModel):
    model_config = ConfigDict(extra="allow")

    index: int
    message: AssistantMessage
    finish_reason: str | None = None
    content_filter_results: dict[str, Any] | None = Field(
        default=None, description="Why a choice was withheld (finish_reason `content_filter`)."
    )


class ChatCompletion(BaseModel):
    """A non-streamed chat completion, as the model answered it (withheld choices aside)."""

    model_config = ConfigDict(extra="allow")

    id: str
    object: str
    created: int
    model: str
    choices: list[Choice]
    usage: Usage | None = None


class AzureQuery(BaseModel):
    api_version: str = Field(alias="api-version", description="Azure OpenAI API version, e.g. 2024-10-21.")


class UsageQuery(BaseModel):
    days: int = Field(30, ge=1, le=MAX_USAGE_DAYS, description="UTC days back from today, today included.")


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "chat_completions",
        "POST",
        "v1/chat/completions",
        handlers.complete,
        Capability.COMPLETIONS,
        "Create a chat completion (OpenAI shape)",
        request=ChatCompletionRequest,
        reader=handlers.read_chat_request,
        response=ChatCompletion,
        streaming=True,
        errors=COMPLETION_ERRORS,
        tags=TAGS,
        description="`model` names a configured model alias (see GET /api/v1/models)." + STREAMING_NOTE,
    ),
    Operation(
        "azure_chat_completions",
        "POST",
        "openai/deployments/{deployment}/chat/completions",
        handlers.complete,
        Capability.COMPLETIONS,
        "Create a chat completion (Azure OpenAI shape)",
        request=ChatCompletionRequest,
        reader=handlers.read_azure_chat_request,
        query=AzureQuery,
        response=ChatCompletion,
        streaming=True,
        errors=COMPLETION_ERRORS,
        tags=TAGS,
        description="`deployment` names a configured model alias; `model` in the body is ignored." + STREAMING_NOTE,
    ),
    Operation(
        "list_models",
        "GET",
        "v1/models",
        handlers.list_models,
        Capability.COMPLETIONS,
        "List the model aliases",
        response=ModelList,
        tags=TAGS,
    ),
    Operation(
        "get_usage",
        "GET",
        "v1/usage",
        handlers.get_usage,
        Capability.COMPLETIONS,
        "The caller's token usage per UTC day and model",
        response=UsageList,
        query=UsageQuery,
        tags=TAGS,
        description="Newest first; exact counts as the models reported them.",
    ),
)
