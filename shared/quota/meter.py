"""What one budget counts of a reservation: its tokens, or its cost in nano-dollars.

A reservation is sized in total tokens (the prompt plus the completion allowance). A token budget
counts that as is; a money budget counts the prompt at the input price and the rest at the dearer
of the output and reasoning prices, rounded up, so a reservation never under-states the call's cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from shared.quota.pricing import ModelPrice


@dataclass(frozen=True, slots=True)
class Meter:
    prompt: int = 0
    input_nano: Decimal = Decimal(0)
    output_nano: Decimal = Decimal(0)
    price: ModelPrice | None = None
    """Set for a money meter; None counts tokens."""

    @classmethod
    def money(cls, price: ModelPrice, prompt: int) -> Meter:
        input_nano, output_nano = price.most_per_token_nano()
        return cls(prompt, input_nano, output_nano, price)

    def units(self, tokens: int) -> int:
        """What `tokens` total tokens count on this budget."""
        if self.price is None:
            return tokens
        return math.ceil(self.prompt * self.input_nano + max(0, tokens - self.prompt) * self.output_nano)

    def tokens(self, units: int, most: int) -> int:
        """The most total tokens (up to `most`) that `units` cover: units(tokens(u)) <= u for any u
        that covers the prompt (admission never grants less)."""
        if self.price is None:
            return min(units, most)
        if self.output_nano == 0:
            return most
        spare = Decimal(units) - self.prompt * self.input_nano
        return min(most, self.prompt + math.floor(spare / self.output_nano))

    def actual(self, total_tokens: int, usage: dict[str, int] | None) -> int:
        """What the call really counted: exact cost from reported usage, else the tokens as reserved."""
        if self.price is None:
            return total_tokens
        if usage is None:
            return self.units(total_tokens)
        return self.price.cost_nano(
            usage.get("prompt_tokens", 0),
            usage.get("completion_tokens", 0),
            cached=usage.get("cached_tokens", 0),
            reasoning=usage.get("reasoning_tokens", 0),
        )


TOKENS = Meter()
