"""Builds the process-wide completion service from the clients and settings (or explicit parts, in tests)."""

from __future__ import annotations

import asyncio
import gc
import logging

from shared.admin.wiring import capture_store
from shared.bearer_tokens import BearerTokens
from shared.clients import Clients, get_clients
from shared.gateway.hooks import ConversationHook
from shared.gateway.pool import UpstreamPool
from shared.gateway.service import CompletionService, Quota
from shared.gateway.upstream import Timeouts, UpstreamClient
from shared.gateway.usage import UsageRecorder
from shared.moderation.gateway_guards import moderation_guards, warm_moderation
from shared.quota.service import price_table
from shared.resources import USAGE
from shared.settings import Settings

logger = logging.getLogger(__name__)

SERVICE_KEY = "gateway.completions"


def pool_from_settings(settings: Settings) -> UpstreamPool:
    return UpstreamPool.from_settings(
        settings.openai_backends,
        breaker_failures=settings.upstream_breaker_failures,
        breaker_open_s=settings.upstream_breaker_open_s,
        error_cooldown_s=settings.upstream_error_cooldown_s,
    )


def timeouts_from_settings(settings: Settings) -> Timeouts:
    return Timeouts(
        connect_s=settings.upstream_connect_timeout_s,
        first_byte_s=settings.upstream_first_byte_timeout_s,
        chunk_s=settings.upstream_chunk_timeout_s,
        total_s=settings.upstream_total_timeout_s,
        generation_s=settings.upstream_generation_timeout_s,
    )


def build_completion_service(
    clients: Clients,
    quota: Quota,
    *,
    settings: Settings | None = None,
    conversations: ConversationHook | None = None,
) -> CompletionService:
    """A service over `settings` (default: the clients'); its usage is flushed when the clients close."""
    settings = settings or clients.settings
    needs_identity = any(backend.auth == "managed_identity" for backend in settings.openai_backends)
    tokens = BearerTokens(clients.credential) if needs_identity else None
    service = CompletionService(
        pool=pool_from_settings(settings),
        upstream=UpstreamClient(clients.http, timeouts_from_settings(settings), tokens),
        usage=UsageRecorder(
            clients.database.get_container_client(USAGE.name), settings.usage_flush_interval_s, price_table(clients)
        ),
        quota=quota,
        max_attempts=settings.upstream_max_attempts,
        default_reserve_tokens=settings.completion_reserve_tokens,
        conversations=conversations,
        capture=capture_store(clients),
        **moderation_guards(clients, settings),
    )
    clients.on_close(service.aclose)
    return service


async def _default_quota() -> Quota:
    from shared.quota.service import get_quota_service

    return await get_quota_service()


async def _default_conversations(clients: Clients) -> ConversationHook | None:
    from shared.gateway.conversation_hook import conversation_hook

    return await conversation_hook(clients)


_built: tuple[Clients, CompletionService] | None = None


async def get_completion_service() -> CompletionService:
    """The process's completion service, built on first use (and again for new clients)."""
    global _built
    clients = await get_clients()
    if _built is not None and _built[0] is clients:
        return _built[1]
    await warm_moderation(clients.settings)
    quota = await _default_quota()
    conversations = await _default_conversations(clients)
    service = clients.service(SERVICE_KEY, lambda c: build_completion_service(c, quota, conversations=conversations))
    _built = (clients, service)
    return service


_warm_up: asyncio.Task[None] | None = None


def start_warm_up() -> None:
    """Build the completion service in the background (the moderation rules compile in a thread).

    Call from a running event loop once the process's clients exist, so the first completion finds
    everything ready; later calls do nothing.
    """
    global _warm_up
    if _warm_up is None:
        _warm_up = asyncio.get_running_loop().create_task(_warm())


async def _warm() -> None:
    try:
        await get_completion_service()
    except Exception:
        logger.warning("completion service warm-up failed; it is built on first use instead", exc_info=True)
        return
    freeze_startup_heap()


def freeze_startup_heap() -> None:
    """Move what start-up built (app, SDKs, ~100k objects of compiled moderation rules) out of the cyclic GC.

    Those objects live as long as the process; left in the oldest generation, every full collection
    walks them again (~70 ms each on the 2-core host), a pause every request in flight would wait for.
    """
    gc.freeze()
