"""Authorisation in one place: capabilities checked against the resolved caller."""

from __future__ import annotations

from typing import Protocol

from shared.errors import forbidden, unauthorized
from shared.identity.caller import Caller, CallerKind, Capability


class HasCaller(Protocol):
    @property
    def caller(self) -> Caller: ...


def require(context: HasCaller | Caller, *capabilities: Capability) -> Caller:
    """The caller, if authenticated and granted every capability: else 401 (anonymous) or 403."""
    caller = context if isinstance(context, Caller) else context.caller
    if caller.kind is CallerKind.ANONYMOUS or not caller.tenant_id or not caller.user_id:
        raise unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")
    missing = [capability.value for capability in capabilities if not caller.can(capability)]
    if missing:
        raise forbidden(f"The caller lacks the capability: {', '.join(missing)}.")
    return caller
