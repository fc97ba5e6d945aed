"""The resolved caller every feature partitions and authorises by."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class CallerKind(StrEnum):
    USER = "user"
    APP = "app"
    SERVICE = "service"
    ANONYMOUS = "anonymous"


class Capability(StrEnum):
    COMPLETIONS = "completions"
    MODERATION = "moderation"
    CONVERSATIONS_READ = "conversations.read"
    CONVERSATIONS_WRITE = "conversations.write"
    ADMIN = "admin"
    """Administer the caller's own tenant: budgets, moderation policy, API keys, usage, audit."""
    DESCRIBE = "describe"
    """Read who the credential is and the published contracts (OpenAPI, queues); implied by any other grant."""


USER_CAPABILITIES = frozenset(Capability) - {Capability.ADMIN}


def granted(capabilities: Iterable[Capability]) -> frozenset[Capability]:
    """What a grant of `capabilities` allows: a credential allowed anything may also describe itself and the API.

    A credential granted nothing (an app token without app roles) stays unable to call any operation.
    """
    allowed = frozenset(capabilities)
    return allowed | {Capability.DESCRIBE} if allowed else allowed


ADMIN_ROLE = "Admin"
"""The Entra app role that makes a user or app an administrator of its tenant."""

SERVICE_USER_PREFIX = "service:"
"""Service API keys own data as `service:<name>`; tokens may not claim ids in that namespace."""


@functools.lru_cache(maxsize=4096)
def tenant_pseudonym(tenant_id: str) -> str:
    """A stable pseudonym of a tenant for telemetry and outcome records, never the raw id (memoised: hot path)."""
    return hashlib.sha256(tenant_id.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Caller:
    kind: CallerKind
    tenant_id: str
    user_id: str
    issuer: str = ""
    capabilities: frozenset[Capability] = field(default_factory=frozenset)
    roles: tuple[str, ...] = ()

    @classmethod
    def anonymous(cls) -> Caller:
        return cls(CallerKind.ANONYMOUS, tenant_id="", user_id="")

    @property
    def tenant_hash(self) -> str:
        return tenant_pseudonym(self.tenant_id)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities
