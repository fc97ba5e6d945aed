"""A deliberately simple tokenizer used by the local model simulator for usage accounting.

Each word (a run of word characters) and each punctuation character is one token; leading
whitespace belongs to the token that follows it, so joining the pieces restores the text.
Message counting mimics OpenAI's chat format overhead (a few tokens per message plus a reply primer).
"""

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

_TOKEN_PATTERN = re.compile(r"\s*(?:\w+|[^\w\s])")

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMER_TOKENS = 3
TOKENS_PER_NON_TEXT_PART = 85


def split_text_tokens(text: str) -> list[str]:
    """Split text into token pieces whose concatenation is exactly the input."""
    pieces = _TOKEN_PATTERN.findall(text)
    consumed = sum(len(piece) for piece in pieces)
    if consumed < len(text):
        trailing_whitespace = text[consumed:]
        if pieces:
            pieces[-1] += trailing_whitespace
        else:
            pieces.append(trailing_whitespace)
    return pieces


def count_text_tokens(text: str) -> int:
    return len(_TOKEN_PATTERN.findall(text))


def _count_content_tokens(content: Any) -> int:
    if content is None:
        return 0
    if isinstance(content, str):
        return count_text_tokens(content)
    if isinstance(content, list):
        return sum(_count_part_tokens(part) for part in content)
    return count_text_tokens(json.dumps(content))


def _count_part_tokens(part: Any) -> int:
    if isinstance(part, Mapping):
        text = part.get("text")
        if isinstance(text, str):
            return count_text_tokens(text)
        return TOKENS_PER_NON_TEXT_PART
    if isinstance(part, str):
        return count_text_tokens(part)
    return 0


def count_message_tokens(message: Mapping[str, Any]) -> int:
    tokens = TOKENS_PER_MESSAGE
    role = message.get("role")
    if isinstance(role, str):
        tokens += count_text_tokens(role)
    tokens += _count_content_tokens(message.get("content"))
    if message.get("name"):
        tokens += TOKENS_PER_NAME + count_text_tokens(str(message["name"]))
    tool_calls = message.get("tool_calls")
    if tool_calls:
        tokens += count_text_tokens(json.dumps(tool_calls))
    return tokens


def count_prompt_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """Approximate prompt tokens of a chat request (per-message overhead + content + reply primer)."""
    return REPLY_PRIMER_TOKENS + sum(count_message_tokens(message) for message in messages)
