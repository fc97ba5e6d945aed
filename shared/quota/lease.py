"""Per-instance leases: allowance taken from a window counter in blocks and admitted from locally.

Invariant (per window): tokens this instance admits (`charged`) never exceed what it has taken
from the counter (`granted`), and the counter's conditional `take` never lets the sum of all
instances' grants pass the budget. So the admitted total can't exceed the budget, however many
instances run; an instance that dies with unused allowance only under-admits until the window ends.

Blocks are max(shortfall, budget / divisor). Once the window's unallocated remainder is smaller
than a block (or a block is refused), the lease turns "tight": it takes exactly what each request
lacks, and hands spare allowance back to the counter when it refuses a request or gets tokens
back, so other instances can use it.

Leasing ahead: in the last LEASE_AHEAD_S of a window, the first admission that finds the lease
roomy takes a block of the *next* window in the background. At the roll-over that block becomes the
new window's grant, so the first requests of a window are admitted from memory instead of waiting
for a Cosmos round trip. The block counts against the next window's counter from the moment it is
taken, so the invariant holds per window; a block the instance doesn't use goes back at the
following roll-over like any spare.

When the counter store is unavailable, admission fails open only as far as allowance already
leased reaches (this window's grant, or the next window's block when taken ahead): those requests
need no I/O. A request the lease doesn't cover needs a take, which fails, and the caller answers
503 with Retry-After (`QuotaService.reserve`): the budget is never exceeded because of an outage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from shared.quota.ledger import QuotaLedger
from shared.quota.models import Scope, WindowKey, WindowKind, window_index, window_start

logger = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any]], None]

LEASE_AHEAD_S = 10.0
"""How long before a window ends a busy lease takes a block of the next window."""


class Lease:
    def __init__(
        self,
        ledger: QuotaLedger,
        kind: WindowKind,
        scope: Scope,
        *,
        divisor: int,
        clock: Callable[[], float],
        spawn: Spawn,
    ) -> None:
        self.kind = kind
        self.scope = scope
        self._ledger = ledger
        self._divisor = divisor
        self._clock = clock
        self._spawn = spawn
        self._lock = asyncio.Lock()
        self._in_flight = 0
        self.index = -1
        self.granted = 0
        self.charged = 0
        self.tight = False
        self.retired = False
        self.seen_total = 0
        """The window's counter as this instance last saw it (for the remaining-tokens header)."""
        self.ahead_index = -1
        self.ahead_granted = 0
        """A block of window `ahead_index` taken before it began; it becomes that window's grant."""
        self._ahead_pending = False
        self._ahead_for = -1
        self._ahead_done = asyncio.Event()
        self._budget = 0
        self._end_for = -1
        self._end = 0.0

    @property
    def available(self) -> int:
        return self.granted - self.charged

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    def key(self, index: int) -> WindowKey:
        return WindowKey(self.kind, self.scope, index)

    def current_index(self) -> int:
        """The current window, rolling the lease over (and returning its spare) when one ends."""
        now = self._clock()
        if self.index >= 0 and now < self.window_end(self.index):
            return self.index
        index = window_index(self.kind, now)
        if index > self.index:
            self._return_spare_later()
            ahead = self.ahead_granted if self.ahead_index == index else 0
            if self.ahead_granted and self.ahead_index != index:
                self._spawn(self._ledger.add(self.key(self.ahead_index), -self.ahead_granted))
            self.ahead_index, self.ahead_granted = -1, 0
            self.index, self.granted, self.charged = index, ahead, 0
            self.tight, self.seen_total = False, 0
        return self.index

    def try_admit(self, amount: int) -> int | None:
        """Admit from local allowance without I/O; the window index, or None if it doesn't cover it."""
        index = self.current_index()
        if self.granted - self.charged >= amount:
            self.charged += amount
            self._maybe_lease_ahead(index)
            return index
        return None

    def _maybe_lease_ahead(self, index: int) -> None:
        if self.tight or self.retired or self._ahead_pending or self.ahead_index > index or self._budget <= 0:
            return
        if self.window_end(index) - self._clock() > LEASE_AHEAD_S:
            return
        self._ahead_pending, self._ahead_for, self._ahead_done = True, index + 1, asyncio.Event()
        self._spawn(self._lease_ahead(index + 1, self._block(self._budget), self._budget))

    async def _lease_ahead(self, index: int, want: int, budget: int) -> None:
        try:
            total = await self._ledger.take(self.key(index), want, budget)
        except Exception as error:  # the window's first requests will take their own block
            logger.warning("leasing the next quota window ahead failed: %r", error)
            return
        finally:
            self._ahead_pending = False
            self._ahead_done.set()
        if total is None:
            return
        if self.retired or self.index > index:
            await self._ledger.add(self.key(index), -want)
        elif self.index == index:
            self.granted += want
        else:
            self.ahead_index = index
            self.ahead_granted += want

    async def admit(self, amount: int, budget: int) -> int | None:
        """Admit `amount`, taking more allowance from the counter if needed; None when over budget."""
        if amount > budget:
            return None
        self._budget = budget
        self._in_flight += 1
        try:
            async with self._lock:
                return await self._admit_locked(amount, budget)
        finally:
            self._in_flight -= 1

    async def _admit_locked(self, amount: int, budget: int) -> int | None:
        while True:
            index = self.try_admit(amount)
            if index is not None:
                return index
            index = self.index
            if self._ahead_pending and self._ahead_for == index:
                await self._ahead_done.wait()  # a block of this window is on its way: no second take
                continue
            shortfall = amount - self.available
            block = self._block(budget)
            want = shortfall if self.tight else min(budget, max(shortfall, block))
            total = await self._ledger.take(self.key(index), want, budget)
            if total is None and want > shortfall:
                self.tight = True
                want = shortfall
                total = await self._ledger.take(self.key(index), want, budget)
            if self.index != index or self.retired:
                if total is not None:
                    self._spawn(self._ledger.add(self.key(index), -want))
                if self.retired:
                    return None
                continue
            if total is None:
                self.tight = True
                await self.give_back_spare()
                return None
            self.granted += want
            self.seen_total = total
            self.tight = budget - total < block

    async def release(self, index: int, amount: int) -> None:
        """Give back tokens admitted in window `index` (a refused sibling scope, or usage below estimate)."""
        if amount <= 0:
            return
        if index == self.index and not self.retired:
            self.charged -= amount
            if self.tight:
                await self.give_back_spare()
            return
        await self._ledger.add(self.key(index), -amount)

    async def charge_extra(self, index: int, amount: int) -> None:
        """Record usage beyond the estimate. It can't be refused after the fact, so it may pass the budget."""
        if amount <= 0:
            return
        if index == self.index and not self.retired:
            local = min(amount, max(0, self.available))
            self.charged += amount
            rest = amount - local
            if rest:
                self.granted += rest
                total = await self._ledger.add(self.key(index), rest)
                if total is not None:
                    self.seen_total = total
            return
        await self._ledger.add(self.key(index), amount)

    async def give_back_spare(self) -> None:
        spare = self.available
        if spare > 0 and not self.retired:
            self.granted -= spare
            total = await self._ledger.add(self.key(self.index), -spare)
            if total is not None:
                self.seen_total = total

    def retire(self) -> None:
        """Stop using this lease (its window is over or the process is closing); return its spare."""
        self._return_spare_later()
        if self.ahead_granted:
            self._spawn(self._ledger.add(self.key(self.ahead_index), -self.ahead_granted))
            self.ahead_index, self.ahead_granted = -1, 0
        self.granted = self.charged
        self.retired = True

    def remaining_estimate(self, budget: int) -> int:
        """A cheap guess at the tokens left in the window: unallocated as last seen, plus local spare."""
        return max(0, budget - self.seen_total) + max(0, self.available)

    def reset_after(self) -> float:
        return max(0.0, self.window_end(self.index) - self._clock())

    def window_end(self, index: int) -> float:
        """When window `index` ends; remembered for the last window asked about (calendar arithmetic per
        request would otherwise be the admission's main cost)."""
        if index != self._end_for:
            self._end_for, self._end = index, window_start(self.kind, index + 1)
        return self._end

    def _block(self, budget: int) -> int:
        return max(1, -(-budget // self._divisor))

    def _return_spare_later(self) -> None:
        spare = self.available
        if spare > 0 and self.index >= 0 and not self.retired:
            self.granted -= spare
            self._spawn(self._ledger.add(self.key(self.index), -spare))
