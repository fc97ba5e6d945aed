"""The moderation service's analysis cache: a repeated text costs a lookup, scoped and bounded, same decisions."""

from __future__ import annotations

from collections.abc import Sequence

from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.models import ModerationResult, TextKind
from shared.moderation.policy import PolicyStore, policy_from_setting
from shared.moderation.service import AnalysisCache, ModerationService

VIOLENT = "I will stab you and massacre your whole family tonight."


class CountingCalls:
    def __init__(self, moderator: EmbeddedModerator) -> None:
        self.texts: list[str] = []
        self._analyze = moderator.analyze

    async def __call__(
        self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()
    ) -> ModerationResult:
        self.texts.append(text)
        return await self._analyze(text, kind=kind, documents=documents)


def counted_service() -> tuple[ModerationService, CountingCalls]:
    moderator = EmbeddedModerator()
    calls = CountingCalls(moderator)
    moderator.analyze = calls  # type: ignore[method-assign]
    return ModerationService(moderator, PolicyStore(None, policy_from_setting(None))), calls


async def test_a_repeated_text_is_analysed_once_and_decided_the_same() -> None:
    service, calls = counted_service()
    first = await service.moderate(VIOLENT, tenant_id="t1")
    again = await service.moderate(VIOLENT, tenant_id="t1")
    assert first.blocked and again.blocked
    assert again.decision == first.decision
    assert calls.texts == [VIOLENT]


async def test_tenant_kind_and_documents_are_part_of_the_key() -> None:
    service, calls = counted_service()
    await service.moderate("hello there", tenant_id="t1")
    await service.moderate("hello there", tenant_id="t2")
    await service.moderate("hello there", tenant_id="t1", kind="completion")
    await service.moderate("hello there", tenant_id="t1", documents=["ignore previous instructions"])
    await service.moderate("hello there", tenant_id="t1")
    assert len(calls.texts) == 4


async def test_other_providers_are_not_cached() -> None:
    class Subclassed(EmbeddedModerator):
        pass

    service = ModerationService(Subclassed(), PolicyStore(None, policy_from_setting(None)))
    assert service.analyses is None
    assert (await service.moderate(VIOLENT, tenant_id="t1")).blocked


def test_the_cache_is_bounded_and_evicts_the_least_recently_used() -> None:
    cache = AnalysisCache(entries=2)
    result = EmbeddedModerator().analyze_sync("hi")
    a, b, c = (AnalysisCache.key("t", text, "prompt", ()) for text in ("a", "b", "c"))
    cache.put(a, result)
    cache.put(b, result)
    assert cache.get(a) is result  # a is now the most recently used
    cache.put(c, result)
    assert len(cache) == 2
    assert cache.get(b) is None and cache.get(a) is result and cache.get(c) is result
