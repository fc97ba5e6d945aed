"""ModerationService: provider choice, policy, PII redaction, outcome records and telemetry, failures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from shared.errors import ApiError
from shared.identity.caller import tenant_pseudonym
from shared.moderation.content_safety import ContentSafetyModerator, ModerationUnavailable
from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.models import Action, Category, ModerationResult, TextKind
from shared.moderation.offload import OffloadedModerator
from shared.moderation.outcomes import OutcomeRecorder
from shared.moderation.policy import PolicyStore, policy_from_setting
from shared.moderation.service import ModerationService, build_moderator
from shared.resources import MODERATION
from shared.settings import SettingsError, load_settings
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import MODERATION_BLOCKS
from tests.telemetry.telemetry_support import Telemetry, use_in_memory_telemetry

VIOLENT = "I will stab you and massacre your whole family tonight."
CARD = "4111 1111 1111 1111"


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


def service_over(clients, moderator=None, policy: str | None = None, **options) -> ModerationService:  # type: ignore[no-untyped-def]
    container = clients.database.get_container_client(MODERATION.name)
    return ModerationService(
        moderator or EmbeddedModerator(),
        PolicyStore(container, policy_from_setting(policy)),
        OutcomeRecorder(container, flush_interval_s=0.05),
        **options,
    )


async def outcomes_of(clients: Any, tenant: str) -> list[dict[str, Any]]:
    container = clients.database.get_container_client(MODERATION.name)
    query = "SELECT * FROM c WHERE c.type = 'moderation_outcome' AND c.tenant_hash = @t"
    return [
        item
        async for item in container.query_items(query, parameters=[{"name": "@t", "value": tenant_pseudonym(tenant)}])
    ]


async def test_blocks_harm_and_records_the_outcome_without_text(clients) -> None:
    telemetry = Telemetry(*use_in_memory_telemetry())
    blocks_before = telemetry.total(MODERATION_BLOCKS, {attr.MODERATION_CATEGORY: "violence"})
    service = service_over(clients)
    tenant = new_tenant()
    clean = await service.moderate("Summarise the meeting notes, please.", tenant_id=tenant)
    assert clean.decision.action is Action.ALLOW and not clean.blocked
    blocked = await service.moderate(VIOLENT, tenant_id=tenant, request_id="req-1")
    assert blocked.blocked and blocked.decision.triggered == {Category.VIOLENCE: Action.BLOCK}
    await service.aclose()

    records = await outcomes_of(clients, tenant)
    assert len(records) == 1, "only non-allow outcomes are recorded"
    record = records[0]
    assert record["action"] == "block" and record["stage"] == "prompt" and record["request_id"] == "req-1"
    assert record["categories"] == [{"category": "violence", "severity": 6, "action": "block"}]
    assert "text" not in record and "stab" not in str(record) and tenant not in str(record)
    assert telemetry.total(MODERATION_BLOCKS, {attr.MODERATION_CATEGORY: "violence"}) == blocks_before + 1
    spans = [s for s in telemetry.spans_named("moderation") if (s.attributes or {}).get(attr.TENANT_HASH)
             == tenant_pseudonym(tenant)]  # fmt: skip
    assert [(s.attributes or {}).get(attr.MODERATION_OUTCOME) for s in spans] == ["allow", "block"]


async def test_record_text_setting_keeps_the_text(clients) -> None:
    service = service_over(clients, record_text=True)
    tenant = new_tenant()
    await service.moderate(VIOLENT, tenant_id=tenant)
    await service.aclose()
    assert [record["text"] for record in await outcomes_of(clients, tenant)] == [VIOLENT]


async def test_pii_is_redacted_when_the_policy_says_redact(clients) -> None:
    service = service_over(clients)
    tenant = new_tenant()
    moderation = await service.moderate(f"Charge card {CARD} and mail bob@example.com", tenant_id=tenant)
    assert moderation.redacted and not moderation.blocked
    assert moderation.text == "Charge card [REDACTED:CREDIT_CARD] and mail [REDACTED:EMAIL]"
    contact_only = await service.moderate("mail bob@example.com", tenant_id=tenant)
    assert contact_only.text == "mail bob@example.com" and contact_only.decision.action is Action.ALLOW
    flagging = service_over(clients, policy='{"categories": {"pii": {"action": "flag"}}}')
    flagged = await flagging.moderate(f"card {CARD}", tenant_id=tenant)
    assert flagged.decision.action is Action.FLAG and flagged.text == f"card {CARD}"
    await service.aclose()
    await flagging.aclose()


async def test_policy_blocklists_apply_to_any_provider(clients) -> None:
    service = service_over(clients)
    tenant = new_tenant()
    await service.policies.save_override(tenant, {"blocklists": {"codenames": ["orchid"]}})
    hit = await service.moderate("What is the status of Orchid?", tenant_id=tenant)
    assert hit.blocked and hit.decision.triggered == {Category.BLOCKLIST: Action.BLOCK}
    assert [(h.blocklist, h.term) for h in hit.result.blocklist_hits] == [("codenames", "orchid")]
    other = await service.moderate("What is the status of Orchid?", tenant_id=new_tenant())
    assert not other.blocked
    await service.aclose()


def test_provider_follows_the_setting(clients) -> None:
    embedded = build_moderator(clients, load_settings(MODERATION_PROVIDER="embedded"))
    assert isinstance(embedded, OffloadedModerator) and embedded.name == EmbeddedModerator.name
    remote = build_moderator(clients, load_settings(MODERATION_PROVIDER="content_safety"))
    assert isinstance(remote, ContentSafetyModerator)
    with pytest.raises(SettingsError, match="CONTENT_SAFETY_ENDPOINT"):
        build_moderator(clients, load_settings(MODERATION_PROVIDER="content_safety", CONTENT_SAFETY_ENDPOINT=""))


async def test_content_safety_provider_with_local_pii(clients) -> None:
    settings = load_settings(MODERATION_PROVIDER="content_safety")
    service = ModerationService.from_settings(clients, settings)
    tenant = new_tenant()
    blocked = await service.moderate("They planned a massacre.", tenant_id=tenant)
    assert blocked.result.provider == "content_safety" and blocked.blocked
    assert blocked.decision.triggered == {Category.VIOLENCE: Action.BLOCK}
    redacted = await service.moderate(f"My card is {CARD}.", tenant_id=tenant)
    assert redacted.text == "My card is [REDACTED:CREDIT_CARD]." and not redacted.blocked


class Unavailable:
    name = "content_safety"

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        raise ModerationUnavailable("down", status=503)

    async def aclose(self) -> None:
        return None


async def test_unavailable_provider_fails_closed_by_default_and_open_when_configured(clients) -> None:
    closed = service_over(clients, Unavailable())
    with pytest.raises(ApiError) as raised:
        await closed.moderate("hello", tenant_id=new_tenant())
    assert raised.value.status == 503 and raised.value.code == "moderation_unavailable"
    opened = service_over(clients, Unavailable(), fail_open=True)
    moderation = await opened.moderate("hello", tenant_id=new_tenant())
    assert moderation.decision.action is Action.ALLOW and moderation.result.provider == "content_safety:unavailable"
