"""Prices per model alias and the cost of a call, in whole nano-dollars.

Prices are US dollars per million tokens, for input, cached input, output and reasoning tokens. The
`MODEL_PRICES` setting holds the table; the document `{"id": "prices", "pk": "prices", "models":
{...}}` in `quotas` overrides it alias by alias (cached like the limits). OpenAI counts cached tokens
within `prompt_tokens` and reasoning tokens within `completion_tokens`; each is charged once, at its
own price. Costs are kept as integers (nano-dollars, rounded up once per call or flush) so counters
can be incremented atomically and sum without drift; $1 = 10^9.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any

from azure.cosmos.aio import ContainerProxy
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from shared.overrides import CachedOverrides

NANO_PER_USD = 1_000_000_000
PRICES_ID = "prices"

PerMillion = Annotated[
    Decimal, Field(ge=0, max_digits=12, decimal_places=6), PlainSerializer(float, return_type=float, when_used="json")
]


class ModelPrice(BaseModel):
    """USD per million tokens; cached input defaults to input, reasoning to output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: PerMillion
    output: PerMillion
    cached_input: PerMillion | None = None
    reasoning: PerMillion | None = None

    def cost_nano(self, prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> int:
        """Nano-dollars for one usage record (rounded up to a whole nano-dollar)."""
        cached = min(max(0, cached), max(0, prompt))
        reasoning = min(max(0, reasoning), max(0, completion))
        micro_cost = (
            (prompt - cached) * self.input
            + cached * (self.cached_input if self.cached_input is not None else self.input)
            + (completion - reasoning) * self.output
            + reasoning * (self.reasoning if self.reasoning is not None else self.output)
        )
        return math.ceil(micro_cost * 1000)

    def most_per_token_nano(self) -> tuple[Decimal, Decimal]:
        """(input, output) nano-dollars per token at the dearest rate, for reserving money ahead of a call."""
        output = max(self.output, self.reasoning if self.reasoning is not None else self.output)
        return self.input * 1000, output * 1000


def nano_to_usd(nano: int) -> float:
    return float(Decimal(nano) / NANO_PER_USD)


def _parse_prices(document: Mapping[str, Any]) -> dict[str, ModelPrice]:
    return {alias: ModelPrice.model_validate(price) for alias, price in (document.get("models") or {}).items()}


class PriceTable:
    def __init__(
        self,
        container: ContainerProxy | None,
        defaults: dict[str, ModelPrice],
        *,
        cache_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._defaults = defaults
        self._overrides = (
            CachedOverrides(container, PRICES_ID, _parse_prices, ttl_s=cache_s, clock=clock) if container else None
        )

    async def table(self) -> dict[str, ModelPrice]:
        """The settings' prices with the Cosmos override on top (see `shared.overrides` for the caching)."""
        if self._overrides is None:
            return self._defaults
        return {**self._defaults, **(await self._overrides.get(PRICES_ID) or {})}

    async def price(self, alias: str) -> ModelPrice | None:
        return (await self.table()).get(alias)

    async def put_overrides(self, prices: dict[str, ModelPrice]) -> None:
        assert self._overrides is not None
        models = {alias: price.model_dump(mode="json", exclude_none=True) for alias, price in prices.items()}
        await self._overrides.put(PRICES_ID, {"models": models})

    async def stored_overrides(self) -> dict[str, ModelPrice]:
        """The Cosmos override alone (uncached)."""
        if self._overrides is None:
            return {}
        return await self._overrides.read(PRICES_ID) or {}
