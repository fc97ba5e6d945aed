"""Moderation in the completion gateway: the prompt guard and the stream guard factory.

The prompt is every string of the request the model reads (`shared.moderation.model_input`) joined
into one text (one analysis per request); tool results also go along as documents, where prompt
injection is looked for. A blocked prompt raises the
400 `content_filter` error before anything goes upstream; when the policy redacts PII, the affected
messages are rewritten with the PII replaced. A non-streamed completion's choices are moderated before
the body goes out (`CompletionModeration`); streamed ones window by window (`StreamModeration`).

The embedded provider compiles its rules (~0.3-0.5 s of CPU) when first constructed: `warm_moderation`
does that in a background thread once per process, so neither the first completion nor the event loop
waits for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any

from shared.clients import Clients
from shared.errors import ApiError
from shared.gateway.relay import StreamGuard
from shared.gateway.request import CompletionRequest
from shared.identity.caller import Caller
from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.model_input import Unredactable, joined, model_input, redacted_payload
from shared.moderation.openai_shape import ContentFilterError, content_filter_result
from shared.moderation.service import ModerationService, moderation_service_for
from shared.moderation.stream_guard import completion_guard
from shared.settings import Settings


async def guard_model_input(
    service: ModerationService, tenant_id: str, payload: dict[str, Any], *, request_id: str = ""
) -> dict[str, Any] | None:
    """The one prompt guard of every route: moderate each string the model will read (`model_input`).

    Raises the 400 `content_filter` error when the policy blocks; returns the payload with PII
    redacted when it redacts (None: forward `payload` unchanged).
    """
    segments, documents = model_input(payload)
    if not segments:
        return None
    moderation = await service.moderate(
        joined(segments),
        tenant_id=tenant_id,
        stage="prompt",
        kind="prompt",
        documents=documents,
        request_id=request_id,
    )
    if moderation.blocked:
        raise ContentFilterError(moderation.result, moderation.decision)
    if not moderation.redacted:
        return None
    try:
        return redacted_payload(payload, segments, moderation.result.pii)
    except Unredactable:
        raise ContentFilterError(moderation.result, moderation.decision) from None


class PromptModeration:
    """The gateway's `PromptGuard`."""

    def __init__(self, service: ModerationService) -> None:
        self._service = service

    async def __call__(self, caller: Caller, request: CompletionRequest) -> None:
        rewritten = await guard_model_input(
            self._service, caller.tenant_id, request.payload, request_id=request.request_id
        )
        if rewritten is not None:
            request.replace_payload(rewritten)


class StreamModeration:
    """The gateway's `StreamGuardFactory`: one windowed guard per streamed completion."""

    def __init__(self, service: ModerationService) -> None:
        self._service = service

    def __call__(self, caller: Caller, request: CompletionRequest) -> StreamGuard | None:
        return completion_guard(self._service, caller.tenant_id, request_id=request.request_id)


class CompletionModeration:
    """The gateway's `CompletionGuard`: one choice of a non-streamed completion, under the tenant's policy."""

    def __init__(self, service: ModerationService) -> None:
        self._service = service

    async def __call__(self, caller: Caller, request: CompletionRequest, text: str) -> dict[str, Any] | None:
        try:
            moderation = await self._service.moderate(
                text, tenant_id=caller.tenant_id, stage="completion", kind="completion", request_id=request.request_id
            )
        except ApiError:
            # The provider is down and the policy fails closed: withhold rather than send unchecked text.
            return {"error": {"code": "moderation_unavailable", "message": "The completion could not be moderated."}}
        if not moderation.blocked:
            return None
        return content_filter_result(moderation.result, moderation.decision)


def moderation_guards(clients: Clients, settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `CompletionService`: the guards, or none when moderation is off."""
    if not settings.moderation_enabled:
        return {}
    service = moderation_service_for(clients, settings)
    return {
        "prompt_guard": PromptModeration(service),
        "stream_guard": StreamModeration(service),
        "completion_guard": CompletionModeration(service),
    }


_warming: concurrent.futures.Future[None] | None = None
_warming_lock = threading.Lock()


def _compile_rules(done: concurrent.futures.Future[None]) -> None:
    try:
        EmbeddedModerator()  # compiles the shared rule engines once per process
    except BaseException as error:  # surfaced to whoever awaits the warm-up
        done.set_exception(error)
    else:
        done.set_result(None)


def start_rule_compilation() -> concurrent.futures.Future[None]:
    """Compile the embedded moderator's rules in a background thread (once per process)."""
    global _warming
    with _warming_lock:
        if _warming is None:
            _warming = concurrent.futures.Future()
            threading.Thread(target=_compile_rules, args=(_warming,), name="moderation-warm-up", daemon=True).start()
        return _warming


async def warm_moderation(settings: Settings) -> None:
    """Returns once building the moderation service no longer compiles anything on the event loop."""
    if not settings.moderation_enabled or settings.moderation_provider != "embedded":
        return
    compiling = start_rule_compilation()
    if not compiling.done():
        await asyncio.wrap_future(compiling)
