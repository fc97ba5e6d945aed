"""A Cosmos container that counts what a store sends it, for tests that assert on Cosmos traffic."""

from __future__ import annotations

from typing import Any


class CountingContainer:
    """The real container, counting the reads and patches the store sends it."""

    def __init__(self, container: Any) -> None:
        self._container = container
        self.reads = 0
        self.touches = 0

    async def read_item(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return await self._container.read_item(*args, **kwargs)

    async def patch_item(self, *args: Any, **kwargs: Any) -> Any:
        self.touches += 1
        return await self._container.patch_item(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)
