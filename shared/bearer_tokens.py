"""Bearer tokens for Entra ID scopes from one credential, cached per scope and refreshed ahead of expiry.

Every outbound call to an Azure service authenticated by managed identity (Azure OpenAI, Content
Safety) takes its `Authorization` header from here, so the hot path waits for Entra ID only for a
scope's first token or after a token ran out: a token with less than `refresh_ahead_s` left is still
served while one background fetch replaces it, and one with less than `MIN_VALIDITY_S` left is not
served at all. Concurrent callers share one fetch per scope.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from cachetools import TLRUCache

logger = logging.getLogger(__name__)

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
REFRESH_AHEAD_S = 300.0
MIN_VALIDITY_S = 30.0
_MAX_SCOPES = 64


class BearerTokens:
    """`authorization(scope)` -> `"Bearer <token>"`, cached until `MIN_VALIDITY_S` before expiry."""

    def __init__(
        self,
        credential: AsyncTokenCredential,
        *,
        refresh_ahead_s: float = REFRESH_AHEAD_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self._refresh_ahead_s = refresh_ahead_s
        self._clock = clock
        self._tokens: TLRUCache[str, AccessToken] = TLRUCache(
            maxsize=_MAX_SCOPES, ttu=lambda _scope, token, _now: token.expires_on - MIN_VALIDITY_S, timer=clock
        )
        self._fetching: dict[str, asyncio.Task[AccessToken]] = {}

    async def authorization(self, scope: str = COGNITIVE_SERVICES_SCOPE) -> str:
        token = self._tokens.get(scope)
        if token is None:
            token = await asyncio.shield(self._fetching.get(scope) or self._fetch(scope))
        elif token.expires_on - self._clock() < self._refresh_ahead_s and scope not in self._fetching:
            self._fetch(scope)
        return f"Bearer {token.token}"

    def _fetch(self, scope: str) -> asyncio.Task[AccessToken]:
        task = asyncio.create_task(self._credential.get_token(scope))
        self._fetching[scope] = task
        task.add_done_callback(lambda done: self._fetched(scope, done))
        return task

    def _fetched(self, scope: str, task: asyncio.Task[AccessToken]) -> None:
        self._fetching.pop(scope, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.warning("token fetch for %s failed: %s", scope, type(error).__name__)
            return
        self._tokens[scope] = task.result()
