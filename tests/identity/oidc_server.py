"""A loopback OIDC issuer for tests: discovery, a JWKS that can rotate, request counts, and slowness."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig"})
    return dict(jwk)


@dataclass
class OidcServer:
    """Serves `/<tenant or template>/.well-known/openid-configuration` and `/keys`."""

    issuer_path: str = "tenant-a/v2.0"
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    extra_jwks: list[dict[str, Any]] = field(default_factory=list)
    hang: bool = False
    """When set, `/keys` answers nothing until the server stops."""
    discovery_issuer: str | None = None
    discovery_jwks_uri: str | None = None
    jwks_requests: int = 0
    discovery_requests: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def issuer(self) -> str:
        return f"{self.url}/{self.issuer_path}"

    def add_key(self) -> str:
        kid = uuid.uuid4().hex
        self.keys[kid] = new_rsa_key()
        return kid

    def rotate(self) -> str:
        self.keys.clear()
        return self.add_key()

    def token(
        self, kid: str, *, issuer: str | None = None, audience: str = "api://app", lifetime_s: int = 600, **claims: Any
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "aud": audience,
            "tid": "tenant-a",
            "oid": "user-1",
            "scp": "access_as_user",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_s,
        }
        body.update(claims)
        return jwt.encode(
            {k: v for k, v in body.items() if v is not None}, self.keys[kid], algorithm="RS256", headers={"kid": kid}
        )

    async def _discovery(self, request: web.Request) -> web.Response:
        self.discovery_requests += 1
        issuer = self.discovery_issuer or f"{self.url}/{request.match_info['prefix']}"
        return web.json_response({"issuer": issuer, "jwks_uri": self.discovery_jwks_uri or f"{self.url}/keys"})

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_requests += 1
        if self.hang:
            await self._stopping.wait()
        keys = [public_jwk(key, kid) for kid, key in self.keys.items()] + self.extra_jwks
        return web.json_response({"keys": keys})

    async def start(self) -> OidcServer:
        app = web.Application()
        app.router.add_get("/{prefix:.+}/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/keys", self._jwks)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
