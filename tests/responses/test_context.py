"""Context assembly on its own: what fits is kept newest first, what does not is refused or dropped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.errors import ApiError
from shared.responses.context import Budget, Turn, assemble

BUDGET = Budget(context_tokens=400, output_tokens=100, margin=0.25)


async def newest_first(turns: list[Turn], read: list[int]) -> AsyncIterator[Turn]:
    for number, turn in enumerate(reversed(turns)):
        read.append(number)
        yield turn


def history(count: int) -> list[Turn]:
    return [Turn("user" if n % 2 == 0 else "assistant", f"turn {n} " + "word " * 20) for n in range(count)]


async def test_everything_fits_in_order_with_instructions_first() -> None:
    turns = history(3)
    context = await assemble("Be brief.", newest_first(turns, []), [Turn("developer", "now")], BUDGET, truncate=False)
    assert context.messages == [
        {"role": "system", "content": "Be brief."},
        *[{"role": turn.role, "content": turn.text} for turn in turns],
        {"role": "system", "content": "now"},
    ]
    assert context.dropped == 0 and context.estimated_tokens <= BUDGET.prompt_tokens


async def test_disabled_truncation_refuses_with_openai_code() -> None:
    with pytest.raises(ApiError) as raised:
        await assemble(None, newest_first(history(20), []), [Turn("user", "now")], BUDGET, truncate=False)
    assert (raised.value.status, raised.value.code, raised.value.param) == (400, "context_length_exceeded", "input")


async def test_auto_truncation_keeps_the_newest_and_counts_the_rest() -> None:
    turns = history(20)
    read: list[int] = []
    context = await assemble(None, newest_first(turns, read), [Turn("user", "now")], BUDGET, truncate=True)
    kept = len(context.messages) - 1
    assert 0 < kept < 20 and context.dropped == 20 - kept
    assert [m["content"] for m in context.messages[:-1]] == [turn.text for turn in turns[-kept:]]
    assert context.estimated_tokens <= BUDGET.prompt_tokens
    assert len(read) == 20, "the dropped items are counted"


async def test_new_input_that_cannot_fit_is_refused_even_with_auto() -> None:
    with pytest.raises(ApiError) as raised:
        await assemble(None, newest_first([], []), [Turn("user", "word " * 400)], BUDGET, truncate=True)
    assert raised.value.code == "context_length_exceeded"


def test_margin_scales_the_estimate() -> None:
    turn = Turn("user", "word " * 100)
    plain = Budget(400, 100, 0.0).cost(turn)
    assert Budget(400, 100, 0.5).cost(turn) == -(-plain * 3 // 2)


async def test_a_known_history_length_spares_reading_the_dropped_items() -> None:
    turns = history(20)
    read: list[int] = []
    context = await assemble(None, newest_first(turns, read), [Turn("user", "now")], BUDGET, truncate=True, total=20)
    kept = len(context.messages) - 1
    assert context.dropped == 20 - kept and len(read) == kept + 1
