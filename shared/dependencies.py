"""Process-wide objects built once from the clients: what function adapters ask for."""

from __future__ import annotations

from fastapi import Request

from shared.clients import Clients, get_clients
from shared.identity.authenticator import Authenticator
from shared.identity.caller import Caller
from shared.identity.tokens import TokenValidator


def build_authenticator(clients: Clients) -> Authenticator:
    settings = clients.settings
    tokens = TokenValidator(
        settings.auth_issuers,
        clients.http,
        skew_s=settings.auth_clock_skew_s,
        fetch_timeout_s=settings.jwks_fetch_timeout_s,
    )
    return Authenticator(tokens)


async def get_authenticator() -> Authenticator:
    clients = await get_clients()
    return clients.service("authenticator", build_authenticator)


async def authenticate(request: Request) -> Caller:
    authenticator = await get_authenticator()
    return await authenticator.authenticate(request)
