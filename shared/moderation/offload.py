"""In-process moderation that cannot stall the instance: worker processes, a length cap and a time budget.

An in-process moderator (the embedded one) is pure CPU, and its cost depends on the text: a hostile
32 KB prompt can take tens of seconds, and regular expressions hold the GIL, so a thread would
still stall the event loop. Texts longer than `inline_chars` are therefore analysed in a small pool
of worker processes (forkserver: nothing of the parent's threads or sockets is inherited; niced, so
they never starve the serving process), each
analysis under a time budget that includes its wait for a worker. A text above `max_chars` is
refused before any work (413 `moderation_input_too_large`); an analysis over budget fails closed
with 503 `moderation_timeout` (never "fail open": a client could choose to trigger it), and when it
was already running its worker pool is replaced so the runaway work stops; analyses that were in
the killed pool are retried once on the new one. At most `workers + queue_limit` analyses are admitted
at once; one more is refused at once with 503 `moderation_overloaded` instead of queueing without
bound behind work it would only wait out its budget for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from shared.errors import ApiError
from shared.moderation.models import ModerationResult, Moderator, TextKind

logger = logging.getLogger(__name__)

_worker_moderator: Moderator | None = None
_worker_loop: asyncio.AbstractEventLoop | None = None


STARTUP_LIMIT_S = 120.0
"""How long a first analysis waits for the worker pool to start (not counted in its budget)."""
WORKER_NICENESS = 19
"""Workers yield the CPU to the serving process: an attack on moderation must not starve health or completions."""


def _start_worker(factory: Callable[[], Moderator]) -> None:
    global _worker_moderator, _worker_loop
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    _worker_moderator = factory()
    _worker_loop = asyncio.new_event_loop()


def _analyze_in_worker(text: str, kind: TextKind, documents: Sequence[str]) -> ModerationResult:
    assert _worker_moderator is not None and _worker_loop is not None
    return _worker_loop.run_until_complete(_worker_moderator.analyze(text, kind=kind, documents=documents))


def overloaded() -> ApiError:
    return ApiError(
        503,
        "Content moderation is at capacity; retry later. The content was not accepted.",
        type="server_error",
        code="moderation_overloaded",
        headers={"Retry-After": "1"},
    )


def budget_exceeded() -> ApiError:
    return ApiError(
        503,
        "Content moderation did not finish within its time budget; the content was not accepted.",
        type="server_error",
        code="moderation_timeout",
        headers={"Retry-After": "1"},
    )


class OffloadedModerator:
    """A `Moderator` running `factory()`'s analyses inline when short, else in worker processes."""

    def __init__(
        self,
        factory: Callable[[], Moderator],
        *,
        workers: int = 2,
        budget_s: float = 5.0,
        max_chars: int = 1_048_576,
        inline_chars: int = 512,
        queue_limit: int = 64,
    ) -> None:
        self.factory = factory
        self._inline = factory()
        self.name = self._inline.name
        self._workers = workers
        self._budget_s = budget_s
        self._max_chars = max_chars
        self._inline_chars = inline_chars
        self._admission_limit = workers + queue_limit
        self.admitted = 0
        """Offloaded analyses running or waiting for a worker."""
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        """The running pool, once its workers are up."""
        self._starting: asyncio.Future[concurrent.futures.ProcessPoolExecutor] | None = None

    def _start_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        """In a thread: starting worker processes blocks (forkserver and resource tracker hand-shakes)."""
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, self.factory.__module__])  # imported once, not per worker
        pool = concurrent.futures.ProcessPoolExecutor(
            self._workers, mp_context=context, initializer=_start_worker, initargs=(self.factory,)
        )
        warm_up = [pool.submit(_analyze_in_worker, "", "prompt", ()) for _ in range(self._workers)]
        for future in warm_up:
            future.result(timeout=STARTUP_LIMIT_S)
        return pool

    async def _running_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        """The pool with its workers up and their moderator built: start-up is not charged to a budget."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._start_pool))
        starting = self._starting
        try:
            pool = await asyncio.wait_for(asyncio.shield(starting), STARTUP_LIMIT_S)
        except (TimeoutError, BrokenProcessPool, concurrent.futures.TimeoutError):
            if self._starting is starting:
                self._starting = None
            raise budget_exceeded() from None
        self._pool = pool
        return pool

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        size = len(text) + sum(len(document) for document in documents)
        if size > self._max_chars:
            raise ApiError(
                413,
                f"The text to moderate has {size} characters; at most {self._max_chars} are analysed.",
                code="moderation_input_too_large",
            )
        if size <= self._inline_chars:
            return await self._inline.analyze(text, kind=kind, documents=documents)
        if self.admitted >= self._admission_limit:
            raise overloaded()
        self.admitted += 1
        try:
            return await self._offloaded(text, kind, documents)
        finally:
            self.admitted -= 1

    async def _offloaded(self, text: str, kind: TextKind, documents: Sequence[str]) -> ModerationResult:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = await self._running_pool()
            if attempt == 1:
                deadline = loop.time() + self._budget_s
            future = pool.submit(_analyze_in_worker, text, kind, tuple(documents))
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), max(0.0, deadline - loop.time()))
            except TimeoutError:
                if not future.cancel():
                    logger.warning("a moderation analysis overran its %.1f s budget; replacing workers", self._budget_s)
                    self._replace(pool)
                raise budget_exceeded() from None
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2 or loop.time() >= deadline:
                    raise budget_exceeded() from None
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    future.cancel()
                    raise
                # Not our cancellation: the pool was replaced under this queued analysis; retry on the new one.
                if attempt == 2 or loop.time() >= deadline:
                    raise budget_exceeded() from None
        raise AssertionError("unreachable")

    def _replace(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        """Kill a pool whose worker overran its budget; the next analysis starts a new one."""
        if self._pool is not pool:
            return
        self._pool = None
        self._starting = None
        processes: dict[Any, Any] = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        if self._starting is not None and self._pool is None:
            with contextlib.suppress(Exception):
                self._pool = await asyncio.wait_for(asyncio.shield(self._starting), STARTUP_LIMIT_S)
        if self._pool is not None:
            self._replace(self._pool)
        await self._inline.aclose()
