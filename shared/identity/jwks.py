"""Signing keys per trusted issuer: OIDC discovery, JWKS fetch, cache, refresh on an unknown kid."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt

from shared.settings import IssuerSettings

# An unknown kid may mean the issuer rotated keys; refetch, but never more often than this.
MIN_REFRESH_INTERVAL_S = 60.0
# Keys are refetched on the next request after this long, rotation or not.
MAX_KEY_AGE_S = 24 * 3600.0
# After a failed fetch, requests fail fast for this long instead of each waiting for a timeout.
FAILURE_BACKOFF_S = 5.0
MAX_DOCUMENT_BYTES = 512 * 1024
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})


class JwksUnavailable(Exception):
    pass


def metadata_url_of(issuer: IssuerSettings) -> str:
    if issuer.metadata_url:
        return issuer.metadata_url
    base = issuer.issuer.replace("{tenantid}", "organizations").rstrip("/")
    return base + "/.well-known/openid-configuration"


def _require_https(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS):
        return url
    raise ValueError(f"refusing to fetch signing keys over {parts.scheme or 'no scheme'}: {url}")


def _discovered_jwks_uri(uri: str, metadata_url: str) -> str:
    """A discovery document's `jwks_uri`: https, or plain http on loopback only for a loopback issuer (tests)."""
    parts = urlsplit(uri)
    if parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS and urlsplit(metadata_url).scheme == "http"
    ):
        return uri
    raise ValueError(f"refusing a discovered jwks_uri that is not https: {uri}")


def parse_jwks(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    """Signature keys of asymmetric types, by kid; symmetric ("oct") and encryption keys are dropped."""
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or entry.get("kty") not in _KEY_TYPES:
            continue
        try:
            keys[str(entry.get("kid", ""))] = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
    return keys


class IssuerKeys:
    """The signing keys of one issuer, fetched lazily and shared by concurrent requests."""

    def __init__(
        self,
        issuer: IssuerSettings,
        session: aiohttp.ClientSession,
        timeout_s: float,
        *,
        min_refresh_s: float = MIN_REFRESH_INTERVAL_S,
        max_age_s: float = MAX_KEY_AGE_S,
        failure_backoff_s: float = FAILURE_BACKOFF_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._min_refresh_s = min_refresh_s
        self._max_age_s = max_age_s
        self._failure_backoff_s = failure_backoff_s
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._generation = 0
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        """The key for `kid`; raises JwksUnavailable only when no keys could ever be fetched."""
        now = self._clock()
        if self._fetched_at is not None:
            found = self._lookup(kid)
            age = now - self._fetched_at
            if found is not None and age < self._max_age_s:
                return found
            if found is None and age < self._min_refresh_s:
                return None
            try:
                await self._refresh(self._generation)
            except JwksUnavailable:
                return found  # keep serving the keys we have while the issuer is unreachable
            return self._lookup(kid)
        await self._refresh(self._generation)
        return self._lookup(kid)

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, seen_generation: int) -> None:
        async with self._lock:
            if self._generation != seen_generation:
                return  # another request refreshed while this one waited
            if self._failed_at is not None and self._clock() - self._failed_at < self._failure_backoff_s:
                raise JwksUnavailable(f"signing keys of issuer {self.issuer.name} recently unavailable")
            try:
                document = await self._fetch_jwks()
            except JwksUnavailable:
                self._failed_at = self._clock()
                raise
            self._keys = parse_jwks(document)
            self._fetched_at = self._clock()
            self._failed_at = None
            self._generation += 1

    async def _fetch_jwks(self) -> dict[str, Any]:
        uri = self.issuer.jwks_uri
        try:
            if uri is None:
                metadata_url = _require_https(metadata_url_of(self.issuer))
                discovery = await self._get_json(metadata_url)
                if discovery.get("issuer") != self.issuer.issuer:
                    raise ValueError(f"discovery names issuer {discovery.get('issuer')!r}")
                uri = _discovered_jwks_uri(str(discovery["jwks_uri"]), metadata_url)
            elif uri.startswith("file:"):
                path = Path(uri.removeprefix("file://").removeprefix("file:"))
                return dict(json.loads(await asyncio.to_thread(path.read_text)))
            return await self._get_json(_require_https(uri))
        except (TimeoutError, OSError, aiohttp.ClientError, KeyError, ValueError, TypeError) as error:
            raise JwksUnavailable(f"signing keys of issuer {self.issuer.name} unavailable: {error}") from None

    async def _get_json(self, url: str) -> dict[str, Any]:
        # The shared session does not decompress (completions stream through it), so ask for none.
        headers = {"Accept-Encoding": "identity", "Accept": "application/json"}
        async with self._session.get(url, timeout=self._timeout, allow_redirects=False, headers=headers) as response:
            response.raise_for_status()
            body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
            if len(body) > MAX_DOCUMENT_BYTES:
                raise ValueError(f"{url} answered with more than {MAX_DOCUMENT_BYTES} bytes")
            document = json.loads(body)
            if not isinstance(document, dict):
                raise ValueError(f"{url} did not answer with a JSON object")
            return document
