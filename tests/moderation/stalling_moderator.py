"""A moderator for the offload tests, importable by worker processes: "stall" in a text never returns."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from shared.moderation.models import ModerationResult, TextKind


class StallingModerator:
    name = "stalling"

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        while "stall" in text:
            time.sleep(0.05)  # noqa: ASYNC251  (stands for CPU-bound work: it never yields to the loop)
        return ModerationResult(categories={}, provider=f"{self.name}:{len(text)}")

    async def aclose(self) -> None:
        return None


class NicenessModerator:
    """Reports the scheduling niceness of the process it runs in."""

    name = "niceness"

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        return ModerationResult(categories={}, provider=f"{self.name}:{os.nice(0)}")

    async def aclose(self) -> None:
        return None
