"""OpenAI chat completion shapes the gateway reads; permissive, so unknown fields pass through untouched.

Only the fields the gateway acts on are typed. The request body is forwarded as the client sent it
(bytes), changed only where the gateway must (stream usage, guard rewrites).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(min_length=1, max_length=64)
    content: str | list[Any] | None = None
    name: str | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool | None = None


# Far above any real conversation that fits a context window; bounds the work one request can cause.
MAX_MESSAGES = 1024


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str | None = Field(default=None, max_length=256)
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: int | None = Field(default=None, ge=1, le=128)

    @property
    def streaming(self) -> bool:
        return bool(self.stream)

    @property
    def wants_usage(self) -> bool:
        return self.stream_options is not None and bool(self.stream_options.include_usage)

    @property
    def completion_limit(self) -> int | None:
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens


class Usage(BaseModel):
    model_config = ConfigDict(extra="allow")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "copilot-platform"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class UsageRow(BaseModel):
    day: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    requests: int
    cached_tokens: int = Field(0, description="Of prompt_tokens, those the model served from its prompt cache.")
    reasoning_tokens: int = Field(0, description="Of completion_tokens, those spent on reasoning.")
    cost_usd: float = Field(0.0, description="At the price table in effect when the usage was recorded.")


class UsageList(BaseModel):
    object: Literal["list"] = "list"
    data: list[UsageRow]
