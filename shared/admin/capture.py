"""Optional per-tenant capture of prompts and completions, PII-redacted, with their own retention.

Off unless a tenant's admin turns it on (`PUT /api/v1/admin/capture`). A completed call of a
capturing tenant is stored in the `captures` container (partition `capture:t:<tenant>:u:<user>`) with
every message's text and the completion passed through the PII redactor first, and a `ttl` of the
tenant's `retention_days`. The settings are cached per tenant like the quota limits, so turning
capture on or off reaches every instance within `QUOTA_LIMITS_CACHE_SECONDS`. Captures are exported
with `GET /api/v1/admin/captures`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from azure.cosmos.aio import ContainerProxy
from pydantic import BaseModel, ConfigDict, Field

from shared.identity.caller import Caller
from shared.moderation.pii import find_pii, redact
from shared.overrides import CachedOverrides

logger = logging.getLogger(__name__)

SETTINGS_ID = "settings"
MAX_PAGE = 200


class CaptureSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    retention_days: int = Field(30, ge=1, le=3650, description="How long a capture is kept.")


class Capture(BaseModel):
    id: str
    seq: str
    at: datetime
    tenant: str
    user: str
    model: str
    request_id: str
    messages: list[dict[str, Any]]
    completion: str


class CapturePage(BaseModel):
    object: str = "list"
    data: list[Capture]
    next_cursor: str | None = None


def settings_partition(tenant_id: str) -> str:
    return f"capture-settings:t:{tenant_id}"


def capture_partition(tenant_id: str, user_id: str) -> str:
    return f"capture:t:{tenant_id}:u:{user_id}"


def _redacted(text: str) -> str:
    return redact(text, find_pii(text))


def redact_message(message: Any) -> dict[str, Any]:
    """A chat message with the text of its content redacted (other parts kept as they are)."""
    if not isinstance(message, dict):
        return {"content": _redacted(str(message))}
    content = message.get("content")
    if isinstance(content, str):
        content = _redacted(content)
    elif isinstance(content, list):
        content = [
            {**part, "text": _redacted(part["text"])} if isinstance(part, dict) and isinstance(part.get("text"), str)
            else part
            for part in content
        ]  # fmt: skip
    return {**message, "content": content}


def _settings_of(document: Mapping[str, Any]) -> CaptureSettings:
    return CaptureSettings.model_validate({k: v for k, v in document.items() if k in CaptureSettings.model_fields})


class CaptureStore:
    def __init__(
        self, container: ContainerProxy, *, cache_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._container = container
        self._overrides = CachedOverrides(container, SETTINGS_ID, _settings_of, ttl_s=cache_s, clock=clock)

    async def settings(self, tenant_id: str) -> CaptureSettings:
        """The tenant's settings (off by default); an expired entry is served while one read refreshes it."""
        stored = await self._overrides.get(settings_partition(tenant_id))
        return CaptureSettings() if stored is None else stored

    async def enabled(self, tenant_id: str) -> bool:
        """Whether the tenant captures; a failed read counts as off (capture never fails a request)."""
        try:
            return (await self.settings(tenant_id)).enabled
        except Exception:
            logger.warning("capture settings could not be read; not capturing", exc_info=True)
            return False

    async def put_settings(self, tenant_id: str, settings: CaptureSettings) -> None:
        await self._overrides.put(settings_partition(tenant_id), settings.model_dump())

    async def record(self, caller: Caller, model: str, request_id: str, messages: list[Any], completion: str) -> None:
        """Store one redacted exchange; logs instead of raising."""
        try:
            settings = await self.settings(caller.tenant_id)
            now = time.time()
            seq = f"{int(now * 1_000_000):017d}-{secrets.token_hex(4)}"
            capture = Capture(
                id=seq,
                seq=seq,
                at=datetime.fromtimestamp(now, UTC),
                tenant=caller.tenant_id,
                user=caller.user_id,
                model=model,
                request_id=request_id,
                messages=[redact_message(message) for message in messages],
                completion=_redacted(completion),
            )
            body = {
                "pk": capture_partition(caller.tenant_id, caller.user_id),
                "type": "capture",
                "ttl": settings.retention_days * 86_400,
                **capture.model_dump(mode="json"),
            }
            await self._container.create_item(body)
        except Exception:
            logger.warning("a capture could not be stored", exc_info=True)

    async def page(
        self, tenant_id: str, user_id: str | None, limit: int, before_seq: str | None
    ) -> tuple[list[Capture], str | None]:
        """Captures of the tenant (or one user), newest first, older than `before_seq`."""
        limit = max(1, min(limit, MAX_PAGE))
        query = f"SELECT TOP {limit + 1} * FROM c WHERE c.type = 'capture' AND c.tenant = @tenant"
        parameters: list[dict[str, Any]] = [{"name": "@tenant", "value": tenant_id}]
        if user_id is not None:
            query += " AND c.pk = @pk"
            parameters.append({"name": "@pk", "value": capture_partition(tenant_id, user_id)})
        if before_seq is not None:
            query += " AND c.seq < @before"
            parameters.append({"name": "@before", "value": before_seq})
        query += " ORDER BY c.seq DESC"
        items = self._container.query_items(query, parameters=parameters)
        captures = [Capture.model_validate(item) async for item in items]
        more = len(captures) > limit
        captures = captures[:limit]
        return captures, (captures[-1].seq if more else None)
