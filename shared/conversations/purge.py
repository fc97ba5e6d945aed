"""Deletes documents of one partition in resumable rounds, stopping at a deadline."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosResourceNotFoundError

from shared.conversations import queries

ROUND_SIZE = 100
CONCURRENT_DELETES = 16


class Purger:
    def __init__(self, container: ContainerProxy) -> None:
        self._container = container

    async def delete_one(self, pk: str, document_id: str) -> bool:
        try:
            await self._container.delete_item(document_id, partition_key=pk)
            return True
        except CosmosResourceNotFoundError:
            return False

    async def _round(self, pk: str, query: str, parameters: list[dict[str, Any]]) -> int:
        """Deletes up to one round of matches; the query starts afresh each round, so an interrupted
        purge resumes with whatever is left and never holds a stale continuation token."""
        pager = self._container.query_items(
            query, parameters=parameters, partition_key=pk, max_item_count=ROUND_SIZE
        ).by_page()
        ids: list[str] = []
        async for page in pager:
            ids = [item["id"] async for item in page]
            if ids:
                break
        if not ids:
            return 0
        limit = asyncio.Semaphore(CONCURRENT_DELETES)

        async def delete(document_id: str) -> bool:
            async with limit:
                return await self.delete_one(pk, document_id)

        await asyncio.gather(*(delete(document_id) for document_id in ids))
        return len(ids)

    async def delete_matching(self, pk: str, query: str, parameters: list[dict[str, Any]], deadline: float) -> bool:
        return (await self._delete_counted(pk, query, parameters, deadline))[1]

    async def _delete_counted(
        self, pk: str, query: str, parameters: list[dict[str, Any]], deadline: float
    ) -> tuple[int, bool]:
        deleted = 0
        while time.monotonic() < deadline:
            count = await self._round(pk, query, parameters)
            if count == 0:
                return deleted, True
            deleted += count
        return deleted, False

    async def delete_partition(self, pk: str, deadline: float) -> tuple[int, bool]:
        """Conversations go first so lists empty at once; their messages follow."""
        parameters = queries.params(pk)
        conversations, done = await self._delete_counted(pk, queries.CONVERSATION_IDS, parameters, deadline)
        if not done:
            return conversations, False
        rest, done = await self._delete_counted(pk, queries.ALL_IDS, parameters, deadline)
        return conversations + rest, done
