"""Turns a request's credentials into a Caller: the one place authentication happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from shared.errors import unauthorized
from shared.identity.caller import Caller
from shared.identity.tokens import TokenValidator, looks_like_jwt

ApiKeyResolver = Callable[[str], Awaitable[Caller]]


def credential_of(request: Request) -> str | None:
    """The presented secret: `Authorization: Bearer <x>` or Azure clients' `api-key: <x>`."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise unauthorized("The Authorization header must be 'Bearer <token>'.")
        return value.strip()
    api_key = request.headers.get("api-key")
    return api_key.strip() if api_key and api_key.strip() else None


class Authenticator:
    def __init__(self, tokens: TokenValidator, api_keys: ApiKeyResolver | None = None) -> None:
        self.tokens = tokens
        self._api_keys = api_keys

    async def authenticate(self, request: Request) -> Caller:
        credential = credential_of(request)
        if credential is None:
            raise unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")
        if looks_like_jwt(credential):
            return await self.tokens.validate(credential)
        if self._api_keys is not None:
            return await self._api_keys(credential)
        raise unauthorized("The credential is not a valid bearer token.")
