"""Moderation outcomes (category, severity and action; never the text unless configured), written in batches.

`record` only queues the document: a background task writes the queue every `flush_interval_s`, so a
completion never waits on Cosmos for its moderation record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import AzureError
from azure.cosmos.aio import ContainerProxy

from shared.moderation.models import Decision, ModerationResult
from shared.telemetry.background import RequestLinks, background_span

logger = logging.getLogger(__name__)

MAX_PENDING = 10_000
WRITE_CONCURRENCY = 8


def outcome_partition(tenant_pseudonym: str, at: datetime) -> str:
    return f"outcome:{tenant_pseudonym}:{at:%Y-%m-%d}"


def outcome_document(
    *,
    tenant_pseudonym: str,
    stage: str,
    result: ModerationResult,
    decision: Decision,
    request_id: str | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    at = datetime.now(UTC)
    document: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "pk": outcome_partition(tenant_pseudonym, at),
        "type": "moderation_outcome",
        "tenant_hash": tenant_pseudonym,
        "stage": stage,
        "action": decision.action.value,
        "provider": result.provider,
        "request_id": request_id,
        "at": at.isoformat(),
        "categories": [
            {"category": category.value, "severity": result.severity(category), "action": action.value}
            for category, action in decision.triggered.items()
        ],
        "pii_types": sorted({span.type for span in result.pii}),
        "blocklists": sorted({hit.blocklist for hit in result.blocklist_hits}),
    }
    if text is not None:
        document["text"] = text
    return document


class OutcomeRecorder:
    def __init__(self, container: ContainerProxy, flush_interval_s: float = 1.0) -> None:
        self._container = container
        self._interval_s = flush_interval_s
        self._pending: list[dict[str, Any]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.dropped = 0
        self._served = RequestLinks()

    def record(self, document: dict[str, Any]) -> None:
        if len(self._pending) >= MAX_PENDING:
            self.dropped += 1
            return
        self._pending.append(document)
        self._served.add_current()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush_later())

    async def _flush_later(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._interval_s)
        await self.flush()

    async def flush(self) -> None:
        slots = asyncio.Semaphore(WRITE_CONCURRENCY)

        async def write(document: dict[str, Any]) -> None:
            async with slots:
                try:
                    await self._container.create_item(document)
                except AzureError as error:
                    logger.warning("moderation outcome not recorded: %s", type(error).__name__)

        while self._pending:
            batch, self._pending = self._pending, []
            with background_span("moderation outcomes write", self._served.take()):
                await asyncio.gather(*(write(document) for document in batch))

    async def aclose(self) -> None:
        """Write everything queued so far (wakes the background flush rather than cancelling it)."""
        self._wake.set()
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()
        self._wake.clear()
