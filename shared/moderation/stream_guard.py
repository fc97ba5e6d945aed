"""Windowed moderation of a streamed completion.

The relay (`shared.gateway.relay.SseRelay`) holds the streamed events back until the guard has seen
their text: it calls the guard with the accumulated completion text once at least a window's worth
(`STREAM_GUARD_WINDOW_CHARS`) has arrived, and once more at the end. The guard moderates only the text
it has not cleared yet plus an overlap of already-cleared text (started at a word boundary), so a
phrase split across two windows is still seen whole. A blocked window ends the stream with
finish_reason `content_filter` and its text is never delivered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shared.errors import ApiError
from shared.moderation.service import Moderation, ModerationService

WORD_BOUNDARY_SEARCH_CHARS = 32

ModerateWindow = Callable[[str], Awaitable[Moderation]]


def window_start(text: str, cleared: int, overlap_chars: int) -> int:
    """Where the next window starts: `overlap_chars` before the cleared end, moved back to a word start."""
    if cleared <= 0:
        return 0
    start = max(0, cleared - overlap_chars)
    if start == 0 or text[start - 1].isspace():
        return start
    boundary = max(
        text.rfind(" ", max(0, start - WORD_BOUNDARY_SEARCH_CHARS), start),
        text.rfind("\n", max(0, start - WORD_BOUNDARY_SEARCH_CHARS), start),
    )
    return boundary + 1 if boundary >= 0 else start


class WindowedStreamGuard:
    """A `shared.gateway.relay.StreamGuard` for one stream: `await guard(text, final)` -> True to cut."""

    def __init__(self, moderate: ModerateWindow, *, overlap_chars: int = 64) -> None:
        self._moderate = moderate
        self._overlap_chars = overlap_chars
        self._cleared = 0
        self.windows: list[tuple[int, int]] = []
        """(start, end) of each window moderated, for tests and debugging."""
        self.blocked_by: Moderation | None = None
        self.unavailable = False

    @property
    def cleared_chars(self) -> int:
        return self._cleared

    async def __call__(self, text: str, final: bool) -> bool:
        if self.blocked_by is not None or self.unavailable:
            return True
        if len(text) <= self._cleared:
            return False
        start = window_start(text, self._cleared, self._overlap_chars)
        self.windows.append((start, len(text)))
        try:
            moderation = await self._moderate(text[start:])
        except ApiError:
            # The provider is down and the policy fails closed: end the stream rather than send unchecked text.
            self.unavailable = True
            return True
        if moderation.blocked:
            self.blocked_by = moderation
            return True
        self._cleared = len(text)
        return False


def completion_guard(
    service: ModerationService, tenant_id: str, *, request_id: str | None = None
) -> WindowedStreamGuard:
    """A guard that moderates each window as a completion under the tenant's policy."""

    async def moderate(window: str) -> Moderation:
        return await service.moderate(
            window, tenant_id=tenant_id, stage="completion", kind="completion", request_id=request_id
        )

    return WindowedStreamGuard(moderate, overlap_chars=service.stream_overlap_chars)
