"""The caller as GET /api/v1/me shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from shared.identity.caller import CallerKind, Capability


class CallerView(BaseModel):
    object: Literal["caller"] = "caller"
    kind: CallerKind
    tenant: str
    user: str
    capabilities: list[Capability]
