"""The moderation service: the configured provider, the tenant's policy, PII redaction and outcome records.

`moderate` is on the completion hot path: the policy comes from a cache, the embedded provider runs
inline for short texts and in worker processes under a time budget for long ones
(`shared.moderation.offload`), and outcomes are queued for a background writer; only a tenant's
first request reads Cosmos.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from cachetools import LRUCache

from shared.clients import Clients, get_clients
from shared.errors import service_unavailable
from shared.identity.caller import tenant_pseudonym
from shared.moderation.content_safety import ContentSafetyModerator, ModerationUnavailable
from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.models import (
    Action,
    Category,
    CategoryResult,
    Decision,
    ModerationResult,
    Moderator,
    TextKind,
)
from shared.moderation.offload import OffloadedModerator
from shared.moderation.outcomes import OutcomeRecorder, outcome_document
from shared.moderation.pii import find_pii, redact
from shared.moderation.policy import ModerationPolicy, PolicyStore, decide, policy_from_setting
from shared.resources import MODERATION
from shared.settings import Settings, SettingsError
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import record_moderation_blocks
from shared.telemetry.tracing import annotate, stage_span

logger = logging.getLogger(__name__)

SERVICE_KEY = "moderation"
ANALYSIS_CACHE_ENTRIES = 2048
"""Embedded analyses kept per process (a few KB each): repeated texts (retries, common prompts) cost a lookup."""
FALLBACK_PII_SEVERITY = 4
"""PII severity when the provider doesn't detect PII itself (Content Safety) and spans were found locally."""


class AnalysisCache:
    """A bounded LRU of one deterministic provider's analyses, keyed by a digest of tenant, kind, text, documents."""

    def __init__(self, entries: int = ANALYSIS_CACHE_ENTRIES) -> None:
        self._results: LRUCache[bytes, ModerationResult] = LRUCache(maxsize=entries)

    @staticmethod
    def key(tenant_id: str, text: str, kind: TextKind, documents: Sequence[str]) -> bytes:
        digest = hashlib.blake2b(tenant_id.encode("utf-8", "surrogatepass"), digest_size=16)
        digest.update(b"\0" + kind.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
        for document in documents:
            digest.update(b"\0\1" + document.encode("utf-8", "surrogatepass"))
        return digest.digest()

    def get(self, key: bytes) -> ModerationResult | None:
        return self._results.get(key)

    def put(self, key: bytes, result: ModerationResult) -> None:
        self._results[key] = result

    def __len__(self) -> int:
        return len(self._results)


@dataclass(frozen=True)
class Moderation:
    """One text's result and decision; `text` is what may go on (PII redacted when the policy says so)."""

    result: ModerationResult
    decision: Decision
    text: str

    @property
    def blocked(self) -> bool:
        return self.decision.blocked

    @property
    def redacted(self) -> bool:
        return self.decision.redact_pii and bool(self.result.pii)


def _is_embedded(moderator: Moderator) -> bool:
    """Exactly the embedded provider (inline or offloaded): deterministic, so its analyses may be cached."""
    if isinstance(moderator, OffloadedModerator):
        return moderator.factory is EmbeddedModerator
    return type(moderator) is EmbeddedModerator


def build_moderator(clients: Clients, settings: Settings) -> Moderator:
    if settings.moderation_provider == "embedded":
        return OffloadedModerator(
            EmbeddedModerator,
            workers=settings.moderation_workers,
            budget_s=settings.moderation_budget_s,
            max_chars=settings.moderation_max_analysis_chars,
            inline_chars=settings.moderation_inline_chars,
            queue_limit=settings.moderation_queue_limit,
        )
    if not settings.content_safety_endpoint:
        raise SettingsError("CONTENT_SAFETY_ENDPOINT: required when MODERATION_PROVIDER is content_safety")
    names = [name.strip() for name in settings.content_safety_blocklists.split(",") if name.strip()]
    api_key = settings.content_safety_api_key or None
    return ContentSafetyModerator(
        settings.content_safety_endpoint,
        clients.http,
        credential=None if api_key else clients.credential,
        api_key=api_key,
        blocklist_names=names,
        deadline_s=settings.content_safety_deadline_s,
    )


class ModerationService:
    def __init__(
        self,
        moderator: Moderator,
        policies: PolicyStore,
        outcomes: OutcomeRecorder | None = None,
        *,
        record_text: bool = False,
        fail_open: bool = False,
        stream_overlap_chars: int = 64,
    ) -> None:
        self.moderator = moderator
        self.policies = policies
        self.outcomes = outcomes
        self.record_text = record_text
        self.fail_open = fail_open
        self.stream_overlap_chars = stream_overlap_chars
        self.analyses = AnalysisCache() if _is_embedded(moderator) else None

    @classmethod
    def from_settings(cls, clients: Clients, settings: Settings) -> ModerationService:
        container = clients.database.get_container_client(MODERATION.name)
        service = cls(
            build_moderator(clients, settings),
            PolicyStore(container, policy_from_setting(settings.moderation_policy), settings.moderation_policy_cache_s),
            OutcomeRecorder(container),
            record_text=settings.moderation_record_text,
            fail_open=settings.moderation_fail_open,
            stream_overlap_chars=settings.moderation_stream_overlap_chars,
        )
        clients.on_close(service.aclose)
        return service

    @classmethod
    def from_clients(cls, clients: Clients) -> ModerationService:
        return cls.from_settings(clients, clients.settings)

    async def moderate(
        self,
        text: str,
        *,
        tenant_id: str,
        stage: str = "prompt",
        kind: TextKind = "prompt",
        documents: Sequence[str] = (),
        request_id: str | None = None,
        record: bool = True,
    ) -> Moderation:
        """Analyse, apply the tenant's policy, redact PII if it says so, record a non-allow outcome."""
        pseudonym = tenant_pseudonym(tenant_id)
        with stage_span("moderation", {attr.MODERATION_STAGE: stage, attr.TENANT_HASH: pseudonym}) as span:
            policy = await self.policies.for_tenant(tenant_id)
            result = self._with_policy_checks(await self._analyze(tenant_id, text, kind, documents), text, policy)
            decision = decide(result, policy)
            annotate(
                {
                    attr.MODERATION_OUTCOME: decision.action.value,
                    attr.MODERATION_CATEGORY: [category.value for category in decision.triggered],
                },
                span,
            )
        if decision.blocked:
            record_moderation_blocks(
                [category.value for category in decision.categories_with(Action.BLOCK)], stage=stage
            )
        moderation = Moderation(
            result, decision, redact(text, result.pii) if decision.redact_pii and result.pii else text
        )
        if record and decision.flagged and self.outcomes is not None:
            self.outcomes.record(
                outcome_document(
                    tenant_pseudonym=pseudonym,
                    stage=stage,
                    result=result,
                    decision=decision,
                    request_id=request_id,
                    text=text if self.record_text else None,
                )
            )
        return moderation

    async def moderate_many(
        self, texts: Sequence[str], *, tenant_id: str, stage: str = "request", request_id: str | None = None
    ) -> list[Moderation]:
        return list(
            await asyncio.gather(
                *(self.moderate(text, tenant_id=tenant_id, stage=stage, request_id=request_id) for text in texts)
            )
        )

    async def _analyze(self, tenant_id: str, text: str, kind: TextKind, documents: Sequence[str]) -> ModerationResult:
        if self.analyses is None:
            return await self._analyze_uncached(text, kind, documents)
        key = AnalysisCache.key(tenant_id, text, kind, documents)
        result = self.analyses.get(key)
        if result is None:
            result = await self._analyze_uncached(text, kind, documents)
            self.analyses.put(key, result)
        return result

    async def _analyze_uncached(self, text: str, kind: TextKind, documents: Sequence[str]) -> ModerationResult:
        try:
            return await self.moderator.analyze(text, kind=kind, documents=documents)
        except ModerationUnavailable as error:
            if not self.fail_open:
                raise service_unavailable(
                    "Content moderation is unavailable; retry later.", code="moderation_unavailable"
                ) from error
            logger.warning("moderation unavailable (status %s); failing open", error.status)
            return ModerationResult(categories={}, provider=f"{self.moderator.name}:unavailable")

    def _with_policy_checks(self, result: ModerationResult, text: str, policy: ModerationPolicy) -> ModerationResult:
        """Add the policy's own blocklists, and local PII detection for providers that have none."""
        categories = dict(result.categories)
        hits = policy.compiled_blocklists.match(text) if policy.blocklists else []
        pii = result.pii
        if hits:
            categories[Category.BLOCKLIST] = CategoryResult(category=Category.BLOCKLIST, severity=6, score=1.0)
        pii_rule = policy.categories.get(Category.PII)
        if result.provider != EmbeddedModerator.name and pii_rule is not None and pii_rule.action is not Action.ALLOW:
            pii = find_pii(text)
            if pii:
                categories[Category.PII] = CategoryResult(
                    category=Category.PII, severity=FALLBACK_PII_SEVERITY, score=FALLBACK_PII_SEVERITY / 7
                )
        if not hits and pii is result.pii:
            return result
        return result.model_copy(
            update={"categories": categories, "pii": pii, "blocklist_hits": [*result.blocklist_hits, *hits]}
        )

    async def aclose(self) -> None:
        if self.outcomes is not None:
            await self.outcomes.aclose()
        await self.moderator.aclose()


async def get_moderation_service() -> ModerationService:
    """The process's moderation service over the process's clients and settings."""
    clients = await get_clients()
    return clients.service(SERVICE_KEY, ModerationService.from_clients)


def moderation_service_for(clients: Clients, settings: Settings) -> ModerationService:
    """The clients' shared service for their own settings; a separate one for explicit settings (tests)."""
    if settings is clients.settings:
        return clients.service(SERVICE_KEY, ModerationService.from_clients)
    return ModerationService.from_settings(clients, settings)
