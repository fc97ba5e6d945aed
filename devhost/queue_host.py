"""Runs queue-triggered functions from Azurite with the Functions host's queue semantics.

Messages are fetched `batchSize` at a time, a new batch once in-flight work drops to
`newBatchThreshold`; an empty queue is polled with back-off up to `maxPollingInterval`. A failed
message becomes visible again after `visibilityTimeout`; after `maxDequeueCount` attempts it moves,
body intact, to `<queue>-poison`. On stop, in-flight messages finish or are made visible again.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import os
from datetime import UTC, datetime

import azure.functions.queue as func_queue
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueMessage
from azure.storage.queue.aio import QueueClient, QueueServiceClient

from devhost.function_index import QueueFunction
from devhost.host_config import QueueOptions

logger = logging.getLogger("devhost.queues")

PROCESSING_LEASE_S = 600
"""How long a fetched message stays invisible while it is processed; a crashed host's messages
reappear after it. DEVHOST_QUEUE_LEASE_SECONDS shortens it (the crash tests)."""
MIN_POLLING_INTERVAL_S = 0.1


def _decode(content: str, encoding: str) -> bytes:
    if encoding == "base64":
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("message is not valid base64 (host.json messageEncoding is base64)") from None
    return content.encode()


class QueueListener:
    def __init__(self, function: QueueFunction, service: QueueServiceClient, options: QueueOptions) -> None:
        self.function = function
        self.options = options
        self._queue: QueueClient = service.get_queue_client(function.queue_name)
        self._poison: QueueClient = service.get_queue_client(f"{function.queue_name}-poison")
        self._in_flight: dict[asyncio.Task[None], QueueMessage] = {}
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._lease_s = int(os.environ.get("DEVHOST_QUEUE_LEASE_SECONDS", PROCESSING_LEASE_S))

    async def run(self) -> None:
        delay = MIN_POLLING_INTERVAL_S
        while not self._stopping.is_set():
            if len(self._in_flight) > self.options.new_batch_threshold:
                await self._wait_for_room()
                continue
            try:
                messages = await self._fetch()
            except Exception as error:  # Azurite restarting, network blip: keep polling
                logger.warning("queue %s: fetch failed: %s", self.function.queue_name, error)
                messages = []
            if messages:
                delay = MIN_POLLING_INTERVAL_S
                for message in messages:
                    task = asyncio.create_task(self._process(message))
                    self._in_flight[task] = message
                    task.add_done_callback(self._done)
                continue
            await self._sleep(delay)
            delay = min(delay * 2, self.options.max_polling_interval_s)

    async def _fetch(self) -> list[QueueMessage]:
        pager = self._queue.receive_messages(
            messages_per_page=self.options.batch_size,
            max_messages=self.options.batch_size,
            visibility_timeout=self._lease_s,
        )
        return [message async for message in pager]

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._wake.set()

    async def _wait_for_room(self) -> None:
        self._wake.clear()
        stop = asyncio.create_task(self._stopping.wait())
        wake = asyncio.create_task(self._wake.wait())
        await asyncio.wait({stop, wake}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        wake.cancel()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _process(self, message: QueueMessage) -> None:
        name = self.function.queue_name
        try:
            body = _decode(message.content, self.options.message_encoding)
            await self._invoke(message, body)
        except asyncio.CancelledError:
            await self._release(message)
            raise
        except Exception as error:
            logger.warning(
                "queue %s: message %s failed (attempt %s): %s", name, message.id, message.dequeue_count, error
            )
            await self._after_failure(message)
            return
        await self._queue.delete_message(message.id, message.pop_receipt)

    async def _invoke(self, message: QueueMessage, body: bytes) -> None:
        argument = func_queue.QueueMessage(  # type: ignore[no-untyped-call]
            id=message.id,
            body=body,
            dequeue_count=message.dequeue_count,
            expiration_time=message.expires_on,
            insertion_time=message.inserted_on,
            time_next_visible=datetime.now(UTC),
            pop_receipt=message.pop_receipt,
        )
        outcome = self.function.handler(**{self.function.arg_name: argument})
        if hasattr(outcome, "__await__"):
            await outcome

    async def _after_failure(self, message: QueueMessage) -> None:
        if (message.dequeue_count or 0) >= self.options.max_dequeue_count:
            await self._move_to_poison(message)
            return
        await self._queue.update_message(
            message.id, message.pop_receipt, visibility_timeout=int(self.options.visibility_timeout_s)
        )

    async def _move_to_poison(self, message: QueueMessage) -> None:
        with contextlib.suppress(ResourceExistsError):
            await self._poison.create_queue()
        await self._poison.send_message(message.content)
        await self._queue.delete_message(message.id, message.pop_receipt)
        logger.error(
            "queue %s: message %s moved to %s after %s attempts",
            self.function.queue_name,
            message.id,
            self._poison.queue_name,
            message.dequeue_count,
        )

    async def _release(self, message: QueueMessage) -> None:
        try:
            await self._queue.update_message(message.id, message.pop_receipt, visibility_timeout=0)
        except (ResourceNotFoundError, Exception) as error:  # it reappears when its lease ends anyway
            logger.warning("queue %s: could not release %s: %s", self.function.queue_name, message.id, error)

    async def stop(self, grace_s: float) -> None:
        self._stopping.set()
        pending = list(self._in_flight)
        if pending:
            _, unfinished = await asyncio.wait(pending, timeout=grace_s)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)

    async def aclose(self) -> None:
        await self._queue.close()
        await self._poison.close()
