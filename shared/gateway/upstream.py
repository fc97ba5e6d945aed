"""The upstream HTTP client: auth headers, one attempt against one backend, failures classified.

Managed identity tokens come from `shared.bearer_tokens` (cached, refreshed ahead of expiry).
`open_attempt` returns once the response headers arrive (the
first byte); its caller streams or reads the body.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

from shared.bearer_tokens import BearerTokens
from shared.errors import ApiError
from shared.gateway.pool import Backend

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({401, 403, 404, 408, 409, 429})
"""Besides 5xx: statuses that say "this backend can't serve it", not "the request is wrong"."""
MAX_ERROR_BODY_BYTES = 64 * 1024


class UpstreamFailure(Exception):
    """One attempt failed in a way another backend may not: try the next one."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        unreachable: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after_s = retry_after_s
        self.unreachable = unreachable
        self._code = code

    @property
    def throttled(self) -> bool:
        return self.status == 429

    @property
    def code(self) -> str:
        """A short code for metrics and spans (`429`, `503`, `timeout`, `connect`), never a message."""
        if self._code is not None:
            return self._code
        return str(self.status) if self.status is not None else "error"


class UpstreamRejected(Exception):
    """The upstream refused the request itself (4xx such as 400): the client gets this answer as is."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """Seconds from `retry-after-ms` (precise, Azure) or `Retry-After` (integer seconds)."""
    get = headers.get
    precise = get("retry-after-ms")
    if precise:
        try:
            return max(0.0, float(precise) / 1000.0)
        except ValueError:
            pass
    value = get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            return None
    return None


class UpstreamTimedOut(Exception):
    """A non-streamed call ran out of its generation time: slow, not broken (no failover, no breaker count)."""


def generation_timeout_error() -> ApiError:
    return ApiError(
        504,
        "The model did not finish the completion in time; ask for fewer tokens or stream the response.",
        type="server_error",
        code="upstream_timeout",
    )


@dataclass(frozen=True)
class Timeouts:
    connect_s: float
    first_byte_s: float
    chunk_s: float
    total_s: float
    generation_s: float = 300.0
    """Non-streamed calls: headers come only after the whole completion, so first_byte_s does not apply."""


class UpstreamClient:
    """Sends one chat completion request to one backend over the process's shared aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, timeouts: Timeouts, tokens: BearerTokens | None) -> None:
        self._session = session
        self._timeouts = timeouts
        self._tokens = tokens
        self._client_timeout = aiohttp.ClientTimeout(
            total=timeouts.total_s, connect=timeouts.connect_s, sock_read=timeouts.chunk_s
        )
        self._json_timeout = aiohttp.ClientTimeout(
            total=timeouts.generation_s, connect=timeouts.connect_s, sock_read=timeouts.generation_s
        )

    @property
    def timeouts(self) -> Timeouts:
        return self._timeouts

    async def auth_headers(self, backend: Backend) -> dict[str, str]:
        if backend.settings.auth == "api_key":
            return {"api-key": backend.settings.api_key or ""}
        if self._tokens is None:
            raise UpstreamFailure("no credential for managed identity auth", unreachable=True, code="auth")
        return {"Authorization": await self._tokens.authorization()}

    async def open_attempt(
        self, backend: Backend, body: bytes, request_id: str, *, streaming: bool = True
    ) -> aiohttp.ClientResponse:
        """Send the request; return the response once its headers arrive, or raise UpstreamFailure.

        A stream's headers come at once, so their wait is bounded by the first-byte timeout (a miss
        means the backend is unwell). A non-streamed call's headers come after the whole completion:
        its wait is bounded by the generation timeout, and a miss raises `UpstreamTimedOut`.
        """
        headers = await self.auth_headers(backend)
        headers["Content-Type"] = "application/json"
        headers["x-ms-client-request-id"] = request_id
        wait_s = self._timeouts.first_byte_s if streaming else self._timeouts.generation_s
        timeout = self._client_timeout if streaming else self._json_timeout
        try:
            async with asyncio.timeout(wait_s):
                response = await self._session.post(backend.url, data=body, headers=headers, timeout=timeout)
        except aiohttp.ConnectionTimeoutError:
            raise UpstreamFailure("connection timed out", unreachable=True, code="connect") from None
        except TimeoutError:
            if not streaming:
                raise UpstreamTimedOut(backend.name) from None
            raise UpstreamFailure(
                "no response before the first-byte timeout", unreachable=True, code="timeout"
            ) from None
        except aiohttp.ClientConnectionError as error:
            raise UpstreamFailure(
                f"connection failed: {type(error).__name__}", unreachable=True, code="connect"
            ) from None
        except aiohttp.ClientError as error:
            raise UpstreamFailure(f"request failed: {type(error).__name__}", unreachable=True, code="request") from None
        if response.status < 300:
            return response
        await self._raise_for(response)
        raise AssertionError("unreachable")

    async def _raise_for(self, response: aiohttp.ClientResponse) -> None:
        status = response.status
        retry_after = retry_after_of(response.headers)
        try:
            body = await response.content.read(MAX_ERROR_BODY_BYTES)
        except (aiohttp.ClientError, TimeoutError):
            body = b""
        finally:
            response.release()
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise UpstreamFailure(f"upstream answered {status}", status=status, retry_after_s=retry_after)
        content_type = response.headers.get("Content-Type", "application/json")
        raise UpstreamRejected(status, body, content_type)


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def unavailable_error(retry_after_s: float, throttled: bool) -> ApiError:
    """429 when every backend is throttled, else 503; Retry-After names the soonest free backend."""
    headers = {"Retry-After": retry_after_header(retry_after_s)}
    if throttled:
        return ApiError(
            429,
            "The model is at capacity; retry after the indicated time.",
            type="rate_limit_error",
            code="upstream_rate_limited",
            headers=headers,
        )
    return ApiError(
        503,
        "The model service is unavailable; retry after the indicated time.",
        type="server_error",
        code="upstream_unavailable",
        headers=headers,
    )
