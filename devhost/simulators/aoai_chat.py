"""Chat completion endpoints of the simulator (OpenAI and Azure OpenAI routes)."""

import asyncio
import time
from typing import Any

from aiohttp import web

from devhost.simulators.aoai_config import FaultSpec, SimulatorConfig
from devhost.simulators.aoai_payloads import (
    SSE_DONE,
    ChunkEncoder,
    CompletionContext,
    completion_body,
    rate_limited,
    simulated_fault,
    token_logprobs,
    unauthorized,
    usage_json,
)
from devhost.simulators.aoai_request import (
    ChatRequest,
    RequestRejected,
    classify_auth,
    is_authorized,
    parse_chat_request,
    read_json_object,
    require_api_version,
    require_deployment,
)
from devhost.simulators.aoai_state import SimulatorState, SimulatorStats
from devhost.simulators.aoai_text import PlannedReply, plan_replies
from devhost.simulators.tokenizer import count_prompt_tokens

_SSE_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}


class ConnectionDropped(Exception):
    """The simulator closed the connection on purpose (injected fault)."""


def _close_connection(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.close()


class ChatCompletions:
    def __init__(self, state: SimulatorState) -> None:
        self._state = state

    async def openai_route(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, azure=False, deployment=None)

    async def azure_route(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, azure=True, deployment=request.match_info["deployment"])

    async def models_route(self, request: web.Request) -> web.Response:
        config = self._state.config
        auth_kind, credential = classify_auth(request)
        if not is_authorized(config, auth_kind, credential):
            return unauthorized(azure=False)
        created = int(time.time())
        names = dict.fromkeys([*config.models, *(config.deployments or [])])
        data = [{"id": name, "object": "model", "created": created, "owned_by": "simulator"} for name in names]
        return web.json_response({"object": "list", "data": data})

    async def _serve(self, request: web.Request, azure: bool, deployment: str | None) -> web.StreamResponse:
        stats = self._state.stats
        stats.total_requests += 1
        stats.by_path[request.path] += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        status = 0
        try:
            response = await self._respond(request, stats, azure, deployment)
            status = response.status
            return response
        except RequestRejected as rejection:
            status = rejection.response.status
            return rejection.response
        except ConnectionDropped:
            return web.Response()
        except asyncio.CancelledError:
            stats.cancelled += 1
            raise
        finally:
            stats.in_flight -= 1
            if status:
                stats.by_status[status] += 1

    async def _respond(
        self, request: web.Request, stats: SimulatorStats, azure: bool, deployment: str | None
    ) -> web.StreamResponse:
        config = self._state.config
        if azure:
            require_api_version(request)
        auth_kind, credential = classify_auth(request)
        stats.auth_kinds[auth_kind] += 1
        if not is_authorized(config, auth_kind, credential):
            return unauthorized(azure)
        body = await read_json_object(request)
        chat = parse_chat_request(body, azure, deployment)
        if deployment is not None:
            require_deployment(config, deployment)
        stats.by_deployment[chat.target] += 1
        stats.recent_requests.append(
            {
                "path": request.path,
                "target": chat.target,
                "auth": auth_kind,
                "stream": chat.stream,
                "body": body,
                "first_token_ms": config.first_token_ms,
                "per_token_ms": config.per_token_ms,
            }
        )
        replies = plan_replies(chat.messages, chat.max_tokens, config.default_reply_tokens, chat.n)
        reply = replies[0]
        prompt_tokens = count_prompt_tokens(chat.messages)
        ctx = CompletionContext(model=chat.target, azure=azure, include_usage=chat.include_usage)
        extra_headers = {"x-request-id": ctx.completion_id}

        fault = self._state.faults.take(chat.target, chat.stream)
        if fault is not None:
            stats.faults_applied[fault.kind] += 1
            fault_response = await self._apply_pre_response_fault(request, fault, chat)
            if fault_response is not None:
                return fault_response

        if config.tokens_per_minute is not None:
            requested = prompt_tokens + (chat.max_tokens or config.default_reply_tokens)
            decision = self._state.rate_limiter.admit(chat.target, requested, config.tokens_per_minute)
            if not decision.allowed:
                stats.rate_limited += 1
                return rate_limited(azure, chat.target, decision.retry_after_s, config.tokens_per_minute, requested)
            extra_headers["x-ratelimit-limit-tokens"] = str(config.tokens_per_minute)
            extra_headers["x-ratelimit-remaining-tokens"] = str(decision.remaining_tokens)

        generated = sum(len(choice.pieces) for choice in replies)
        reasoning = config.reasoning_tokens
        if chat.max_tokens is not None:
            reasoning = min(reasoning, max(0, chat.max_tokens - generated))
        cached = min(config.cached_prompt_tokens, prompt_tokens)
        usage = usage_json(prompt_tokens, generated + reasoning, cached, reasoning)
        if not chat.stream:
            await asyncio.sleep(_seconds(config.first_token_ms + config.per_token_ms * len(reply.pieces)))
            stats.prompt_tokens += prompt_tokens
            stats.completion_tokens += usage["completion_tokens"]
            stats.completed += 1
            return web.Response(
                body=completion_body(ctx, replies, usage, chat.logprobs),
                content_type="application/json",
                headers=extra_headers,
            )
        disconnect_after = fault.after_chunks if fault is not None and fault.kind == "disconnect" else None
        pause_after = fault.after_chunks if fault is not None and fault.kind == "pause" else None
        return await self._stream(
            request, stats, config, chat, ctx, replies, usage, extra_headers, disconnect_after, pause_after
        )

    async def _apply_pre_response_fault(
        self, request: web.Request, fault: FaultSpec, chat: ChatRequest
    ) -> web.StreamResponse | None:
        if fault.kind == "status":
            return simulated_fault(chat.azure, fault.status, fault.message, fault.retry_after_s)
        if fault.kind == "pause":
            return None
        if fault.kind == "hang":
            if fault.hang_s is None:
                await asyncio.Event().wait()
            else:
                await asyncio.sleep(fault.hang_s)
            return None
        if not chat.stream:
            _close_connection(request)
            raise ConnectionDropped
        return None

    async def _stream(
        self,
        request: web.Request,
        stats: SimulatorStats,
        config: SimulatorConfig,
        chat: ChatRequest,
        ctx: CompletionContext,
        replies: list[PlannedReply],
        usage: dict[str, Any],
        extra_headers: dict[str, str],
        disconnect_after: int | None,
        pause_after: int | None = None,
    ) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        started = loop.time()
        first_token_s = _seconds(config.first_token_ms)
        per_token_s = _seconds(config.per_token_ms)
        if first_token_s:
            await asyncio.sleep(first_token_s)
        response = web.StreamResponse(headers={**_SSE_HEADERS, **extra_headers})
        await response.prepare(request)
        encoder = ChunkEncoder(ctx, azure_filters=chat.azure and config.azure_content_filter_results)
        sent = 0

        async def send(event: bytes) -> None:
            nonlocal sent
            if disconnect_after is not None and sent >= disconnect_after:
                _close_connection(request)
                raise ConnectionDropped
            if pause_after is not None and sent == pause_after:
                await self._state.resumed.wait()
            await response.write(event)
            sent += 1

        simple = len(replies) == 1 and replies[0].kind == "content" and not chat.logprobs
        try:
            for number in range(len(replies)):
                await send(encoder.role_chunk(number))
            for index in range(max(len(reply.pieces) for reply in replies)):
                if index and per_token_s:
                    delay = started + first_token_s + per_token_s * index - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                for number, reply in enumerate(replies):
                    if index >= len(reply.pieces):
                        continue
                    piece = reply.pieces[index]
                    if simple:
                        await send(encoder.content_chunk(piece))
                    else:
                        await send(_piece_chunk(encoder, ctx, number, reply, index, chat.logprobs))
                    stats.tokens_streamed += 1
            for number, reply in enumerate(replies):
                await send(encoder.finish_chunk(reply.finish_reason, number))
            if chat.include_usage:
                await send(encoder.usage_chunk(usage))
            await send(SSE_DONE)
            await response.write_eof()
        except ConnectionDropped:
            return response
        except ConnectionError:
            stats.cancelled += 1
            return response
        stats.prompt_tokens += usage["prompt_tokens"]
        stats.completion_tokens += usage["completion_tokens"]
        stats.completed += 1
        return response


def _piece_chunk(
    encoder: ChunkEncoder, ctx: CompletionContext, number: int, reply: PlannedReply, index: int, logprobs: bool
) -> bytes:
    """One streamed piece of choice `number`: content, refusal or tool-call arguments (the first names the tool)."""
    piece = reply.pieces[index]
    if reply.kind == "tool_call":
        call: dict[str, object] = {"index": 0, "function": {"arguments": piece}}
        if index == 0:
            call.update(id=f"call_{ctx.completion_id[-8:]}_{number}", type="function",
                        function={"name": reply.tool_name, "arguments": piece})  # fmt: skip
        return encoder.choice_chunk(number, {"tool_calls": [call]})
    tokens: dict[str, object] | None = {reply.kind: token_logprobs([piece])} if logprobs else None
    return encoder.choice_chunk(number, {reply.kind: piece}, tokens)


def _seconds(milliseconds: float) -> float:
    return milliseconds / 1000.0
