"""The completion flow: authorise, guard, reserve quota, pick a backend, attempt with failover, relay,
then (off the request path) record usage, reconcile the reservation and append the conversation turn.

Each step is its own coroutine (`pick_backends`, `attempt`, `open_upstream`, `relay_json`,
`relay_stream`) so telemetry can wrap them in spans. Hook points for moderation and conversations
are described in `shared.gateway.hooks`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from opentelemetry.trace import Span

from shared.errors import ApiError, forbidden, not_found
from shared.gateway import spans
from shared.gateway.completion_filter import guard_completion
from shared.gateway.estimate import estimate_prompt_tokens
from shared.gateway.hooks import (
    STREAM_GUARD_WINDOW_CHARS,
    CompletionGuard,
    ConversationHook,
    PromptGuard,
    StreamGuardFactory,
    allow_prompt,
    no_stream_guard,
)
from shared.gateway.pool import Backend, Unavailable, UpstreamPool
from shared.gateway.relay import RelayOutcome, SseRelay, read_completion
from shared.gateway.request import CompletionRequest
from shared.gateway.upstream import (
    UpstreamClient,
    UpstreamFailure,
    UpstreamRejected,
    UpstreamTimedOut,
    generation_timeout_error,
    unavailable_error,
)
from shared.gateway.usage import UsageRecorder, token_details
from shared.identity.caller import Caller, Capability, tenant_pseudonym
from shared.quota.completion_cap import reserve_completion
from shared.telemetry.metrics import record_tokens

logger = logging.getLogger(__name__)

CONVERSATION_HEADER = "X-Conversation-Id"
SSE_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}


def _opens_new(request: CompletionRequest) -> bool:
    return (request.conversation or "").strip().lower() == "new"


class Quota(Protocol):
    async def reserve(self, caller: Caller, model_alias: str, estimated_tokens: int) -> Any: ...

    async def reconcile(
        self, reservation: Any, actual_total_tokens: int, usage: dict[str, int] | None = None
    ) -> None: ...


class CaptureHook(Protocol):
    """Optional per-tenant capture of exchanges (shared.admin.capture)."""

    async def enabled(self, tenant_id: str) -> bool: ...

    async def record(
        self, caller: Caller, model: str, request_id: str, messages: list[Any], completion: str
    ) -> None: ...


@dataclass
class CompletionResponse:
    """A JSON body or an SSE stream, with the headers the client gets."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None
    content_type: str = "application/json"


@dataclass
class _Call:
    """Book-keeping of one completion between admission and the end of its response."""

    caller: Caller
    request: CompletionRequest
    reservation: Any
    prompt_estimate: int
    conversation_id: str | None = None
    backend: Backend | None = None
    span: Span | None = None
    """The CLIENT span of the attempt whose response is relayed; it ends with the relay."""
    sent_at: float = 0.0
    turn_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """The gateway's own id of this completion: the conversation turn's idempotency key."""
    capturing: bool = False


@dataclass
class CompletionService:
    pool: UpstreamPool
    upstream: UpstreamClient
    usage: UsageRecorder
    quota: Quota
    max_attempts: int = 3
    default_reserve_tokens: int = 512
    prompt_guard: PromptGuard = allow_prompt
    stream_guard: StreamGuardFactory = no_stream_guard
    completion_guard: CompletionGuard | None = None
    conversations: ConversationHook | None = None
    capture: CaptureHook | None = None
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    async def complete(self, caller: Caller, request: CompletionRequest) -> CompletionResponse:
        if not caller.can(Capability.COMPLETIONS):
            raise forbidden("This caller may not request completions.")
        if not self.pool.has(request.alias):
            raise not_found(f"The model `{request.alias}` does not exist.", code="model_not_found")
        conversation_id = await self._conversation_hook(caller, request)
        await self.prompt_guard(caller, request)
        prompt_estimate = estimate_prompt_tokens(request.payload)
        reservation, cap_headers = await reserve_completion(
            self.quota, caller, request, prompt_estimate, self.default_reserve_tokens
        )
        call = _Call(caller, request, reservation, prompt_estimate, conversation_id)
        call.capturing = self.capture is not None and await self.capture.enabled(caller.tenant_id)
        try:
            response = await self.open_upstream(call)
        except UpstreamRejected as rejected:
            self._reconcile(call, 0)
            return CompletionResponse(
                rejected.status, dict(reservation.headers), rejected.body, None, rejected.content_type
            )
        except asyncio.CancelledError:
            self._reconcile(call, prompt_estimate if call.sent_at else 0)
            raise
        except BaseException:
            self._reconcile(call, 0)
            raise
        if conversation_id is not None and _opens_new(request):
            await self._create_conversation(call, response)
        headers = {**reservation.headers, **cap_headers}
        if conversation_id is not None:
            headers[CONVERSATION_HEADER] = conversation_id
        if request.streaming:
            return CompletionResponse(
                200,
                {**headers, **SSE_HEADERS},
                stream=self.relay_stream(call, response),
                content_type=SSE_HEADERS["Content-Type"],
            )
        body = await self.relay_json(call, response)
        return CompletionResponse(200, headers, body)

    async def _conversation_hook(self, caller: Caller, request: CompletionRequest) -> str | None:
        if request.conversation is None:
            return None
        if self.conversations is None:
            raise ApiError(501, "Conversations are not available.", type="server_error", code="not_implemented")
        return await self.conversations.open(caller, request.conversation)

    async def _create_conversation(self, call: _Call, response: aiohttp.ClientResponse) -> None:
        """A `new` conversation exists before a response carries its id, so a follow-up finds it at once."""
        assert self.conversations is not None and call.conversation_id is not None
        try:
            await self.conversations.create(call.caller, call.conversation_id)
        except BaseException as error:
            response.release()
            if call.span is not None:
                spans.end_answered(call.span, error=type(error).__name__)
            self._reconcile(call, 0)
            raise

    def pick_backends(self, alias: str) -> list[Backend]:
        candidates = self.pool.candidates(alias)
        if isinstance(candidates, Unavailable):
            raise unavailable_error(candidates.retry_after_s, candidates.throttled)
        return candidates[: self.max_attempts]

    async def open_upstream(self, call: _Call) -> aiohttp.ClientResponse:
        """Try backends in order until one answers; 429/5xx/connect errors/timeouts move on at once."""
        body = call.request.upstream_body()
        failures: list[UpstreamFailure] = []
        failed: Backend | None = None
        for number, backend in enumerate(self.pick_backends(call.request.alias), start=1):
            if failed is not None:
                spans.record_next_attempt(failed, backend, failures[-1].code)
            try:
                response = await self.attempt(call, backend, body, number)
            except UpstreamFailure as failure:
                logger.warning("upstream attempt %d on %s failed: %s", number, backend.name, failure.reason)
                failures.append(failure)
                failed = backend
                continue
            call.backend = backend
            return response
        throttled = all(failure.throttled for failure in failures)
        waits = [f.retry_after_s for f in failures if f.retry_after_s is not None]
        raise unavailable_error(min(waits) if waits else self.pool.error_cooldown_s, throttled)

    async def attempt(self, call: _Call, backend: Backend, body: bytes, number: int) -> aiohttp.ClientResponse:
        """One attempt on one backend, in a CLIENT span that stays open while its response is relayed."""
        request = call.request
        span = spans.start_attempt(call.caller, request.alias, backend, number, streaming=request.streaming)
        self.pool.begin_attempt(backend)
        call.sent_at = time.monotonic()
        try:
            response = await self.upstream.open_attempt(backend, body, request.request_id, streaming=request.streaming)
        except UpstreamTimedOut:
            backend.probe_in_flight = False
            spans.end_failed(span, "generation_timeout")
            raise generation_timeout_error() from None
        except UpstreamFailure as failure:
            if failure.throttled:
                self.pool.record_throttled(backend, failure.retry_after_s)
            else:
                self.pool.record_failure(backend, failure.retry_after_s, unreachable=failure.unreachable)
            spans.end_failed(span, failure.code, failure.status)
            raise
        except UpstreamRejected as rejected:
            self.pool.record_success(backend)
            spans.end_failed(span, str(rejected.status), rejected.status)
            raise
        except BaseException as error:
            backend.probe_in_flight = False
            spans.end_failed(span, type(error).__name__)
            raise
        self.pool.record_success(backend)
        call.span = span
        return response

    async def relay_json(self, call: _Call, response: aiohttp.ClientResponse) -> bytes:
        try:
            completion = await read_completion(response)
        except asyncio.CancelledError:
            if call.span is not None:
                spans.end_answered(call.span, error="CancelledError")
            self._finish(call, None, "", 0, completed=False)
            raise
        except (aiohttp.ClientError, TimeoutError) as error:
            if call.backend is not None:
                self.pool.record_failure(call.backend)
            if call.span is not None:
                spans.end_answered(call.span, error=type(error).__name__)
            self._finish(call, None, "", 0, completed=False)
            raise ApiError(
                502,
                f"The model response failed: {type(error).__name__}.",
                type="server_error",
                code="upstream_error",
            ) from None
        if self.completion_guard is not None:
            try:
                completion = await guard_completion(self.completion_guard, call.caller, call.request, completion)
            except BaseException as error:
                if call.span is not None:
                    spans.end_answered(call.span, error=type(error).__name__)
                self._finish(call, completion.usage, "", 0, completed=False)
                raise
        if call.span is not None:
            spans.end_json(call.span, completion)
        self._finish(call, completion.usage, completion.text, 0, completed=True)
        return completion.body

    def relay_stream(self, call: _Call, response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        def finished(outcome: RelayOutcome) -> None:
            if outcome.error is not None and not outcome.client_caused and call.backend is not None:
                self.pool.record_failure(call.backend)
            if call.span is not None and call.backend is not None:
                spans.end_stream(call.span, outcome, call.request.alias, call.backend, call.sent_at)
            text = outcome.delivered_text
            self._finish(call, outcome.usage, text, outcome.content_events, completed=outcome.completed)

        relay = SseRelay(
            response,
            client_wants_usage=call.request.client_wants_usage,
            collect_text=call.conversation_id is not None or call.capturing,
            guard=self.stream_guard(call.caller, call.request),
            guard_window_chars=STREAM_GUARD_WINDOW_CHARS,
            on_finish=finished,
            choice_guard=lambda _index: self.stream_guard(call.caller, call.request),
        )
        return relay.events()

    def _finish(
        self, call: _Call, usage: dict[str, Any] | None, text: str, content_events: int, *, completed: bool
    ) -> None:
        """After the response: exact usage when the upstream reported it, else the best estimate."""
        details: dict[str, int] = {}
        if usage is not None:
            prompt = int(usage.get("prompt_tokens") or 0)
            completion = int(usage.get("completion_tokens") or 0)
            details = token_details(usage)
        else:
            prompt = call.prompt_estimate
            completion = content_events
        if prompt or completion:
            self.usage.record(call.caller, call.request.alias, prompt, completion, **details)
            record_tokens(
                tenant_hash=tenant_pseudonym(call.caller.tenant_id),
                model=call.request.alias,
                input_tokens=prompt,
                output_tokens=completion,
            )
        counted = {"prompt_tokens": prompt, "completion_tokens": completion, **details} if usage is not None else None
        self._reconcile(call, prompt + completion, counted)
        if completed and call.capturing and self.capture is not None:
            messages = list(call.request.payload.get("messages") or [])
            self._spawn(self.capture.record(call.caller, call.request.alias, call.request.request_id, messages, text))
        if completed and call.conversation_id is not None and self.conversations is not None:
            self._spawn(
                self.conversations.record_turn(
                    call.caller,
                    call.conversation_id,
                    call.request.last_user_message(),
                    text,
                    model=call.request.alias,
                    turn_id=call.turn_id,
                    created=_opens_new(call.request),
                )
            )

    def _reconcile(self, call: _Call, actual_tokens: int, usage: dict[str, int] | None = None) -> None:
        self._spawn(self.quota.reconcile(call.reservation, actual_tokens, usage))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("completion follow-up failed: %r", task.exception())

    async def aclose(self) -> None:
        """Let follow-ups (reconciliation, conversation turns) finish, then flush usage."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=10)
        await self.usage.aclose()
