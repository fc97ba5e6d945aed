"""Deterministic reply text: hashed plain-English words, or a scripted reply embedded in the prompt.

Scripts in the last user message: `[[sim:reply:TEXT]]` (the i-th one is choice i's reply when n > 1;
the last one repeats), `[[sim:tool:NAME:ARGUMENTS]]` (a tool call, finish_reason `tool_calls`) and
`[[sim:refusal:TEXT]]` (a refusal instead of content).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from devhost.simulators.tokenizer import split_text_tokens

_VOCABULARY_TEXT = (
    "the of and to in is it that was for on are as with his they at be this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their if "
    "will up other about out many then them these so some her would make like him into time has look "
    "two more write go see number no way could people my than first water been call who oil its now "
    "find long down day did get come made may part over new sound take only little work know place "
    "year live me back give most very after thing our just name good sentence man think say great "
    "where help through much before line right too mean old any same tell boy follow came want show "
    "also around form three small set put end does another well large must big even such because "
    "turn here why ask went men read need land different home us move try kind hand picture again "
    "change off play spell air away animal house point page letter mother answer found study still "
    "learn should world high every near add food between own below country plant last school father "
    "keep tree never start city earth eye light thought head under story saw left few while along "
    "might close something seem next hard open example begin life always those both paper together "
    "got group often run important until children side feet car mile night walk white sea began grow "
    "took river four carry state once book hear stop without second later miss idea enough eat face "
    "watch far"
)

_WORDS = tuple(_VOCABULARY_TEXT.split()[:256])
_SCRIPTED_REPLY = re.compile(r"\[\[sim:reply:(.*?)\]\]", re.DOTALL)
_SCRIPTED_TOOL = re.compile(r"\[\[sim:tool:([A-Za-z0-9_.-]+):(.*?)\]\]", re.DOTALL)
_SCRIPTED_REFUSAL = re.compile(r"\[\[sim:refusal:(.*?)\]\]", re.DOTALL)

ReplyKind = Literal["content", "tool_call", "refusal"]


@dataclass(frozen=True)
class PlannedReply:
    pieces: list[str]
    finish_reason: str
    kind: ReplyKind = "content"
    tool_name: str | None = None

    @property
    def content(self) -> str:
        return "".join(self.pieces)


def _last_user_text(messages: list[Any]) -> str | None:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "".join(
                    part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"
                )
            return None
    return None


def scripted_reply(messages: list[Any]) -> str | None:
    text = _last_user_text(messages)
    if text is None:
        return None
    match = _SCRIPTED_REPLY.search(text)
    return match.group(1) if match else None


def _limited(pieces: list[str], max_tokens: int | None, finish: str, **kind: Any) -> PlannedReply:
    if max_tokens is not None and len(pieces) > max_tokens:
        return PlannedReply(pieces=pieces[:max_tokens], finish_reason="length", **kind)
    return PlannedReply(pieces=pieces, finish_reason=finish, **kind)


def plan_replies(messages: list[Any], max_tokens: int | None, default_tokens: int, n: int) -> list[PlannedReply]:
    """One reply per choice; scripted tool calls and refusals win over scripted text."""
    text = _last_user_text(messages) or ""
    tool = _SCRIPTED_TOOL.search(text)
    if tool is not None:
        reply = _limited(
            split_text_tokens(tool.group(2)), max_tokens, "tool_calls", kind="tool_call", tool_name=tool.group(1)
        )
        return [reply] * n
    refusal = _SCRIPTED_REFUSAL.search(text)
    if refusal is not None:
        return [_limited(split_text_tokens(refusal.group(1)), max_tokens, "stop", kind="refusal")] * n
    scripts = _SCRIPTED_REPLY.findall(text)
    if scripts:
        return [_limited(split_text_tokens(scripts[min(i, len(scripts) - 1)]), max_tokens, "stop") for i in range(n)]
    return [plan_reply(messages, max_tokens, default_tokens)] * n


def generated_pieces(messages: list[Any], count: int) -> list[str]:
    """`count` words chosen by a hash of the messages; same messages, same words."""
    seed = hashlib.sha256(json.dumps(messages, sort_keys=True, separators=(",", ":")).encode()).digest()
    indexes = bytearray()
    block = 0
    while len(indexes) < count:
        indexes.extend(hashlib.sha256(seed + block.to_bytes(4, "big")).digest())
        block += 1
    return [(" " if position else "") + _WORDS[index] for position, index in enumerate(indexes[:count])]


def plan_reply(messages: list[Any], max_tokens: int | None, default_tokens: int) -> PlannedReply:
    script = scripted_reply(messages)
    if script is not None:
        pieces = split_text_tokens(script)
        if max_tokens is not None and len(pieces) > max_tokens:
            return PlannedReply(pieces=pieces[:max_tokens], finish_reason="length")
        return PlannedReply(pieces=pieces, finish_reason="stop")
    if max_tokens is not None and max_tokens < default_tokens:
        return PlannedReply(pieces=generated_pieces(messages, max_tokens), finish_reason="length")
    return PlannedReply(pieces=generated_pieces(messages, default_tokens), finish_reason="stop")
