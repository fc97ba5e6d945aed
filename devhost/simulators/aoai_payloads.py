"""Wire payloads of the simulator: chat completions, SSE chunks and OpenAI/Azure error bodies."""

import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from devhost.simulators.aoai_text import PlannedReply

SYSTEM_FINGERPRINT = "fp_simulator"
SSE_DONE = b"data: [DONE]\n\n"

_SAFE = {"filtered": False, "severity": "safe"}
_NOT_DETECTED = {"filtered": False, "detected": False}
AZURE_PROMPT_FILTER_RESULTS = [
    {
        "prompt_index": 0,
        "content_filter_results": {
            "hate": _SAFE,
            "jailbreak": _NOT_DETECTED,
            "self_harm": _SAFE,
            "sexual": _SAFE,
            "violence": _SAFE,
        },
    }
]
AZURE_COMPLETION_FILTER_RESULTS = {
    "hate": _SAFE,
    "protected_material_code": _NOT_DETECTED,
    "protected_material_text": _NOT_DETECTED,
    "self_harm": _SAFE,
    "sexual": _SAFE,
    "violence": _SAFE,
}


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


def new_completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


@dataclass
class CompletionContext:
    model: str
    azure: bool
    include_usage: bool = False
    completion_id: str = field(default_factory=new_completion_id)
    created: int = field(default_factory=lambda: int(time.time()))


def usage_json(prompt_tokens: int, completion_tokens: int, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    """OpenAI's usage object; `cached` counts within prompt_tokens, `reasoning` within completion_tokens."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


def token_logprobs(pieces: list[str]) -> list[dict[str, Any]]:
    return [{"token": piece, "logprob": -0.01, "bytes": list(piece.encode()), "top_logprobs": []} for piece in pieces]


def reply_message(reply: "PlannedReply", index: int, completion_id: str) -> dict[str, Any]:
    text = "".join(reply.pieces)
    if reply.kind == "tool_call":
        call = {"id": f"call_{completion_id[-8:]}_{index}", "type": "function",
                "function": {"name": reply.tool_name, "arguments": text}}  # fmt: skip
        return {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
    if reply.kind == "refusal":
        return {"role": "assistant", "content": None, "refusal": text}
    return {"role": "assistant", "content": text, "refusal": None}


def reply_logprobs(reply: "PlannedReply") -> dict[str, Any] | None:
    if reply.kind == "tool_call":
        return None
    tokens = token_logprobs(reply.pieces)
    return {"content": tokens, "refusal": None} if reply.kind == "content" else {"content": None, "refusal": tokens}


def completion_body(
    ctx: CompletionContext, replies: list["PlannedReply"], usage: dict[str, Any], logprobs: bool = False
) -> bytes:
    choices: list[dict[str, Any]] = []
    for index, reply in enumerate(replies):
        choice: dict[str, Any] = {
            "index": index,
            "message": reply_message(reply, index, ctx.completion_id),
            "logprobs": reply_logprobs(reply) if logprobs else None,
            "finish_reason": reply.finish_reason,
        }
        if ctx.azure:
            choice["content_filter_results"] = AZURE_COMPLETION_FILTER_RESULTS
        choices.append(choice)
    body: dict[str, Any] = {
        "id": ctx.completion_id,
        "object": "chat.completion",
        "created": ctx.created,
        "model": ctx.model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": choices,
        "usage": usage,
    }
    if ctx.azure:
        body["prompt_filter_results"] = AZURE_PROMPT_FILTER_RESULTS
    return _dumps(body).encode()


class ChunkEncoder:
    """Builds `data: {chat.completion.chunk}` events; content chunks reuse a precomputed envelope."""

    _PIECE_MARK = "@@piece@@"

    def __init__(self, ctx: CompletionContext, azure_filters: bool) -> None:
        self._ctx = ctx
        self._azure_filters = azure_filters
        content_choice = {
            "index": 0,
            "delta": {"content": self._PIECE_MARK},
            "logprobs": None,
            "finish_reason": None,
        }
        template = self._event([content_choice], **self._usage_placeholder())
        head, tail = template.split(json.dumps(self._PIECE_MARK).encode())
        self._content_head = head
        self._content_tail = tail

    def _event(self, choices: list[dict[str, Any]], **extra: Any) -> bytes:
        chunk: dict[str, Any] = {
            "id": self._ctx.completion_id,
            "object": "chat.completion.chunk",
            "created": self._ctx.created,
            "model": self._ctx.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": choices,
        }
        chunk.update(extra)
        return b"data: " + _dumps(chunk).encode() + b"\n\n"

    def _usage_placeholder(self) -> dict[str, Any]:
        return {"usage": None} if self._ctx.include_usage else {}

    def choice_chunk(self, index: int, delta: dict[str, Any], logprobs: dict[str, object] | None = None) -> bytes:
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": None}
        return self._event([choice], **self._usage_placeholder())

    def role_chunk(self, index: int = 0) -> bytes:
        delta = {"role": "assistant", "content": "", "refusal": None}
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": None}
        extra = self._usage_placeholder()
        if self._azure_filters:
            extra["prompt_filter_results"] = AZURE_PROMPT_FILTER_RESULTS
        return self._event([choice], **extra)

    def content_chunk(self, piece: str) -> bytes:
        return self._content_head + json.dumps(piece).encode() + self._content_tail

    def finish_chunk(self, finish_reason: str, index: int = 0) -> bytes:
        choice: dict[str, Any] = {"index": index, "delta": {}, "logprobs": None, "finish_reason": finish_reason}
        if self._azure_filters:
            choice["content_filter_results"] = AZURE_COMPLETION_FILTER_RESULTS
        return self._event([choice], **self._usage_placeholder())

    def usage_chunk(self, usage: dict[str, Any]) -> bytes:
        return self._event([], usage=usage)


def error_response(
    status: int,
    message: str,
    *,
    error_type: str | None,
    code: str | None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body = {"error": {"message": message, "type": error_type, "code": code, "param": param}}
    return web.Response(status=status, body=_dumps(body).encode(), content_type="application/json", headers=headers)


def retry_after_headers(seconds: float) -> dict[str, str]:
    """Azure/OpenAI send both an integer-seconds Retry-After and a precise retry-after-ms."""
    return {
        "Retry-After": str(max(1, math.ceil(seconds))),
        "retry-after-ms": str(max(1, round(seconds * 1000))),
    }


def unauthorized(azure: bool) -> web.Response:
    if azure:
        return error_response(
            401,
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
            "a valid key for an active subscription and use a correct regional API endpoint "
            "for your resource.",
            error_type=None,
            code="401",
        )
    return error_response(
        401, "Incorrect API key provided.", error_type="invalid_request_error", code="invalid_api_key"
    )


def rate_limited(azure: bool, model: str, retry_after_s: float, limit: int, requested: int) -> web.Response:
    seconds = max(1, math.ceil(retry_after_s))
    headers = retry_after_headers(retry_after_s)
    if azure:
        message = (
            "Requests to the ChatCompletions_Create Operation under Azure OpenAI API have exceeded "
            f"token rate limit of your current deployment '{model}' ({limit} tokens per minute). "
            f"Please retry after {seconds} seconds."
        )
        return error_response(429, message, error_type=None, code="429", headers=headers)
    message = (
        f"Rate limit reached for {model} on tokens per min (TPM): Limit {limit}, Requested {requested}. "
        f"Please try again in {seconds}s."
    )
    return error_response(429, message, error_type="tokens", code="rate_limit_exceeded", headers=headers)


def simulated_fault(azure: bool, status: int, message: str | None, retry_after_s: float | None) -> web.Response:
    headers = retry_after_headers(retry_after_s) if retry_after_s is not None else None
    text = message or f"Simulated upstream failure (HTTP {status})."
    if azure:
        return error_response(status, text, error_type=None, code=str(status), headers=headers)
    error_type = "server_error" if status >= 500 else "invalid_request_error"
    code = "rate_limit_exceeded" if status == 429 else None
    return error_response(status, text, error_type=error_type, code=code, headers=headers)


def bad_request(message: str, param: str | None = None, code: str | None = None) -> web.Response:
    return error_response(400, message, error_type="invalid_request_error", code=code, param=param)
