"""Admitting as much of a request as a budget still holds, and the output bounds per model alias.

`admit_up_to` is the lease's all-or-nothing admit, retried with the window's true remainder when the
full amount is refused: one point read of the window's counter, then a try for exactly what the
counter and this instance's spare still hold. Every grant still goes through the lease's
conditional take, so the budget bound across instances is the lease's own.
"""

from __future__ import annotations

from shared.quota.lease import Lease
from shared.quota.ledger import QuotaLedger
from shared.settings import Settings

MAX_TRIES = 4
"""Tries after a refusal; each follows another instance's grant, so a few settle it."""


def output_bounds(settings: Settings, alias: str) -> tuple[int, int]:
    """(most, least) completion tokens per choice for `alias`: its maximum output and its floor."""
    limit = settings.completion_output_limits.get(alias)
    most = (limit.max_output_tokens if limit else None) or settings.completion_max_output_tokens
    least = (limit.min_output_tokens if limit else None) or settings.completion_min_output_tokens
    return most, min(least, most)


async def admit_up_to(ledger: QuotaLedger, lease: Lease, budget: int, least: int, most: int) -> tuple[int, int] | None:
    """Admit between `least` and `most` tokens on one lease: (window index, amount), or None."""
    amount = min(most, budget)
    if amount < least:
        return None
    for _ in range(MAX_TRIES):
        index = lease.try_admit(amount)
        if index is None:
            index = await lease.admit(amount, budget)
        if index is not None:
            return index, amount
        if amount <= least:
            return None
        used = await ledger.used(lease.key(lease.current_index()))
        room = budget - used + max(0, lease.available)
        amount = min(amount - 1, room)
        if amount < least:
            return None
    return None
