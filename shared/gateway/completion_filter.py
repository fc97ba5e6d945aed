"""Moderation of a non-streamed completion: each choice's message is checked before the body goes out.

A withheld choice keeps its place in `choices` but loses its content: `message.content` becomes null,
`finish_reason` "content_filter", and `content_filter_results` says why (as Azure OpenAI answers).
The body is re-serialised only when something was withheld; otherwise the upstream bytes go out as they are.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from shared.gateway.hooks import CompletionGuard
from shared.gateway.relay import JsonCompletion, message_text
from shared.gateway.request import CompletionRequest
from shared.identity.caller import Caller

FILTERED = "content_filter"


def withhold(choice: dict[str, Any], results: dict[str, Any]) -> None:
    message = choice.get("message")
    if isinstance(message, dict):
        message["content"] = None
    choice["finish_reason"] = FILTERED
    choice["content_filter_results"] = results


async def guard_completion(
    guard: CompletionGuard, caller: Caller, request: CompletionRequest, completion: JsonCompletion
) -> JsonCompletion:
    """The completion as the client may see it: choices the guard flags are withheld."""
    checked = [(choice, text) for choice in completion.choices() if (text := message_text(choice))]
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
