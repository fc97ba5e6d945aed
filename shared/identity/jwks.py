"""Signing keys per trusted issuer: OIDC discovery, JWKS fetch, cache, refresh on an unknown kid."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import jwt

from shared.settings import IssuerSettings

# An unknown kid may mean the issuer rotated keys; refetch, but never more often than this.
MIN_REFRESH_INTERVAL_S = 60.0
# Keys are refetched in the background of a request after this long, rotation or not.
MAX_KEY_AGE_S = 24 * 3600.0


class JwksUnavailable(Exception):
    pass


class IssuerKeys:
    """The signing keys of one issuer, fetched lazily and shared by concurrent requests."""

    def __init__(self, issuer: IssuerSettings, session: aiohttp.ClientSession, timeout_s: float) -> None:
        self.issuer = issuer
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        now = time.monotonic()
        if self._fetched_at and now - self._fetched_at < MAX_KEY_AGE_S:
            found = self._lookup(kid)
            if found is not None or now - self._fetched_at < MIN_REFRESH_INTERVAL_S:
                return found
        await self._refresh(since=self._fetched_at)
        return self._lookup(kid)

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, since: float) -> None:
        async with self._lock:
            if self._fetched_at != since:
                return  # another request refreshed while this one waited
            document = await self._fetch_jwks()
            keys: dict[str, jwt.PyJWK] = {}
            for entry in document.get("keys", []):
                if entry.get("use", "sig") != "sig" or entry.get("kty") not in ("RSA", "EC", "OKP"):
                    continue
                try:
                    keys[entry.get("kid", "")] = jwt.PyJWK(entry)
                except jwt.PyJWKError:
                    continue
            self._keys = keys
            self._fetched_at = time.monotonic()
            self.fetch_count += 1

    async def _fetch_jwks(self) -> dict[str, Any]:
        uri = self.issuer.jwks_uri
        try:
            if uri is None:
                discovery = await self._get_json(self.issuer.issuer.rstrip("/") + "/.well-known/openid-configuration")
                uri = str(discovery["jwks_uri"])
            if uri.startswith("file:"):
                return dict(json.loads(Path(uri.removeprefix("file://").removeprefix("file:")).read_text()))
            return await self._get_json(uri)
        except (OSError, aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as error:
            raise JwksUnavailable(f"signing keys of issuer {self.issuer.name} unavailable: {error}") from None

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self._session.get(url, timeout=self._timeout) as response:
            response.raise_for_status()
            return dict(await response.json(content_type=None))
