"""Context assembly: instructions, as much history as fits, and the new input, within the model's budget.

Tokens are counted with the gateway's estimator (no tokenizer can be loaded offline). Its error against
the usage the model reports is measured in bench/responses_context.py; the safety margin multiplies
every estimate so that a context judged to fit does fit.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from shared.errors import bad_request
from shared.gateway.estimate import REPLY_PRIMER_TOKENS, TOKENS_PER_MESSAGE, estimate_text_tokens
from shared.gateway.models import MAX_MESSAGES

MAX_HISTORY_ITEMS = MAX_MESSAGES - 64
"""History items sent at most, leaving room for instructions and the new input under the gateway's limit."""

CHAT_ROLES = {"developer": "system"}


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the context: a chat role and its text."""

    role: str
    text: str

    def chat_message(self) -> dict[str, Any]:
        return {"role": CHAT_ROLES.get(self.role, self.role), "content": self.text}


@dataclass(frozen=True, slots=True)
class Budget:
    context_tokens: int
    output_tokens: int
    margin: float

    @property
    def prompt_tokens(self) -> int:
        return self.context_tokens - self.output_tokens

    def cost(self, turn: Turn) -> int:
        return math.ceil((TOKENS_PER_MESSAGE + estimate_text_tokens(turn.text)) * (1 + self.margin))


@dataclass
class Context:
    messages: list[dict[str, Any]]
    estimated_tokens: int
    dropped: int = 0
    history: list[Turn] = field(default_factory=list)


def context_length_exceeded(needed: int, budget: Budget) -> Exception:
    return bad_request(
        f"The input needs about {needed} tokens but the model allows {budget.prompt_tokens} "
        f"({budget.context_tokens} of context minus {budget.output_tokens} reserved for the output); "
        "send less, or set truncation to 'auto' to drop the oldest history.",
        code="context_length_exceeded",
        param="input",
    )


async def assemble(
    instructions: str | None,
    history_newest_first: AsyncIterator[Turn],
    new_input: list[Turn],
    budget: Budget,
    *,
    truncate: bool,
    total: int | None = None,
) -> Context:
    """The chat messages to send; 400 `context_length_exceeded` when they cannot fit.

    History is read newest first and stops being read as soon as an item does not fit: with
    `truncate` the rest (the oldest) is dropped and counted (from `total`, the history's length when
    known, else by reading on), otherwise the request is refused.
    """
    fixed = [Turn("system", instructions)] if instructions else []
    fixed += new_input
    used = math.ceil(REPLY_PRIMER_TOKENS * (1 + budget.margin)) + sum(budget.cost(turn) for turn in fixed)
    if used > budget.prompt_tokens:
        raise context_length_exceeded(used, budget)
    kept: list[Turn] = []
    dropped = 0
    async for turn in history_newest_first:
        if dropped:
            dropped += 1
            continue
        cost = budget.cost(turn)
        if used + cost > budget.prompt_tokens or len(kept) >= MAX_HISTORY_ITEMS:
            if not truncate:
                raise context_length_exceeded(used + cost, budget)
            if total is not None:
                dropped = max(1, total - len(kept))
                break
            dropped = 1
            continue
        kept.append(turn)
        used += cost
    kept.reverse()
    head = [Turn("system", instructions)] if instructions else []
    messages = [turn.chat_message() for turn in (*head, *kept, *new_input)]
    return Context(messages, used, dropped, kept)
