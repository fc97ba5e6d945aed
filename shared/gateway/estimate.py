"""Prompt token estimate for quota reservation, without a tokenizer (tiktoken can't fetch encodings here).

It leans high on purpose: the reservation is reconciled with the exact usage after the call, and an
over-estimate only holds back allowance for a moment, while an under-estimate lets a burst overshoot.
"""

from __future__ import annotations

import json
import string
from typing import Any

TOKENS_PER_MESSAGE = 4
REPLY_PRIMER_TOKENS = 3
IMAGE_TOKENS = 765
"""A high-detail 512x512 tile budget; low-detail images cost 85."""
ASCII_CHARS_PER_TOKEN = 3.5
NON_ASCII_BYTES_PER_TOKEN = 2.5


_WORDLIKE = string.ascii_letters + string.digits + "_" + string.whitespace
_DROP_WORDLIKE = str.maketrans("", "", _WORDLIKE)


def estimate_text_tokens(text: str) -> int:
    """max(chars / 3.5, words + 2 x symbols): each symbol is a token and may split a word in two."""
    if not text:
        return 0
    if text.isascii():
        by_chars = int(len(text) / ASCII_CHARS_PER_TOKEN) + 1
        symbols = len(text.translate(_DROP_WORDLIKE))
        return max(by_chars, len(text.split()) + 2 * symbols)
    return int(len(text.encode()) / NON_ASCII_BYTES_PER_TOKEN) + 1


def _content_tokens(content: Any) -> int:
    if content is None:
        return 0
    if isinstance(content, str):
        return estimate_text_tokens(content)
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, dict):
                text = part.get("text")
                if isinstance(text, str):
                    total += estimate_text_tokens(text)
                elif part.get("type") in ("image_url", "input_image"):
                    detail = (part.get("image_url") or {}).get("detail") if part.get("image_url") else None
                    total += 85 if detail == "low" else IMAGE_TOKENS
                else:
                    total += estimate_text_tokens(json.dumps(part))
            elif isinstance(part, str):
                total += estimate_text_tokens(part)
        return total
    return estimate_text_tokens(json.dumps(content))


def estimate_prompt_tokens(payload: dict[str, Any]) -> int:
    """Estimated prompt tokens of a chat completion request body (messages, tools, functions)."""
    total = REPLY_PRIMER_TOKENS
    for message in payload.get("messages") or ():
        if not isinstance(message, dict):
            continue
        total += TOKENS_PER_MESSAGE + _content_tokens(message.get("content"))
        name = message.get("name")
        if isinstance(name, str):
            total += estimate_text_tokens(name)
        tool_calls = message.get("tool_calls")
        if tool_calls:
            total += estimate_text_tokens(json.dumps(tool_calls))
    for key in ("tools", "functions", "response_format"):
        extra = payload.get(key)
        if extra:
            total += estimate_text_tokens(json.dumps(extra))
    return total


def estimate_request_tokens(payload: dict[str, Any], completion_limit: int | None, default_reserve: int) -> int:
    """What to reserve against the quota: the prompt estimate plus the most the reply may use."""
    n = payload.get("n")
    choices = n if isinstance(n, int) else 1
    reply = completion_limit if completion_limit is not None else default_reserve
    return estimate_prompt_tokens(payload) + reply * max(1, choices)
