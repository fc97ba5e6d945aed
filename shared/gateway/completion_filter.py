"""Moderation of a non-streamed completion: every choice's message is checked before the body goes out.

What is checked is everything the model wrote in the message: content, refusal, tool-call and
function-call names and arguments (`written_text`). A withheld choice keeps its place in `choices`
but loses all of that, and its `logprobs` (which spell the same tokens out): `finish_reason` becomes
"content_filter" and `content_filter_results` says why (as Azure OpenAI answers). The body is
re-serialised only when something was withheld; otherwise the upstream bytes go out as they are.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from shared.gateway.hooks import CompletionGuard
from shared.gateway.relay import JsonCompletion, message_text
from shared.gateway.request import CompletionRequest
from shared.identity.caller import Caller
from shared.moderation.model_input import joined, model_input

FILTERED = "content_filter"


WRITTEN_FIELDS = ("tool_calls", "function_call", "audio")


def written_text(choice: dict[str, Any]) -> str:
    """Every string of the choice's message the model wrote, tool-call arguments decoded."""
    message = choice.get("message")
    if not isinstance(message, dict):
        return ""
    segments, _ = model_input({key: value for key, value in message.items() if key != "role"})
    return joined(segments)


def withhold(choice: dict[str, Any], results: dict[str, Any]) -> None:
    message = choice.get("message")
    if isinstance(message, dict):
        message["content"] = None
        if "refusal" in message:
            message["refusal"] = None
        for key in WRITTEN_FIELDS:
            message.pop(key, None)
    if "logprobs" in choice:
        choice["logprobs"] = None
    choice["finish_reason"] = FILTERED
    choice["content_filter_results"] = results


async def guard_completion(
    guard: CompletionGuard, caller: Caller, request: CompletionRequest, completion: JsonCompletion
) -> JsonCompletion:
    """The completion as the client may see it: choices the guard flags are withheld."""
    checked = [(choice, text) for choice in completion.choices() if (text := written_text(choice))]
    if not checked:
        return completion
    if len(checked) == 1:
        verdicts = [await guard(caller, request, checked[0][1])]
    else:
        verdicts = list(await asyncio.gather(*(guard(caller, request, text) for _, text in checked)))
    if all(verdict is None for verdict in verdicts):
        return completion
    for (choice, _), verdict in zip(checked, verdicts, strict=True):
        if verdict is not None:
            withhold(choice, verdict)
    payload = completion.payload
    first = completion.choices()[0]
    return JsonCompletion(
        body=json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode(),
        payload=payload,
        usage=completion.usage,
        text=message_text(first),
        finish_reason=first.get("finish_reason"),
    )
