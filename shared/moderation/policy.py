"""Moderation policy: a threshold and an action per category, from settings, with per-tenant overrides.

The base policy is the defaults overlaid with the `MODERATION_POLICY` setting. A tenant's override is
the document `{"id": "policy", "pk": "policy:t:<tenant>", "categories": {...}, "blocklists": {...}}` in
the `moderation` container, overlaid on the base field by field. Policies are cached per tenant and
served stale while a refresh runs in the background (`shared.overrides`), so only a tenant's first
request waits on Cosmos; an unreadable document leaves the tenant on the base policy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from azure.cosmos.aio import ContainerProxy
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from shared.moderation.blocklist import Blocklists
from shared.moderation.models import Action, Category, Decision, ModerationResult
from shared.overrides import CachedOverrides
from shared.settings import SettingsError

POLICY_DOCUMENT_ID = "policy"
MAX_BLOCKLIST_TERMS = 5_000


def policy_partition(tenant_id: str) -> str:
    return f"policy:t:{tenant_id}"


class CategoryPolicy(BaseModel):
    """`action` applies when the category's severity (0-7) is at least `threshold`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: int = Field(ge=1, le=7)
    action: Action


class CategoryOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: int | None = Field(default=None, ge=1, le=7)
    action: Action | None = None


class PolicyOverride(BaseModel):
    """A partial policy, as the setting and tenant documents state it."""

    model_config = ConfigDict(extra="ignore")

    categories: dict[Category, CategoryOverride] = Field(default_factory=dict)
    blocklists: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bounded_blocklists(self) -> PolicyOverride:
        if sum(len(terms) for terms in self.blocklists.values()) > MAX_BLOCKLIST_TERMS:
            raise ValueError(f"blocklists may hold at most {MAX_BLOCKLIST_TERMS} terms in all")
        return self


DEFAULT_CATEGORIES: dict[Category, CategoryPolicy] = {
    Category.HATE: CategoryPolicy(threshold=4, action=Action.BLOCK),
    Category.SEXUAL: CategoryPolicy(threshold=4, action=Action.BLOCK),
    Category.SELF_HARM: CategoryPolicy(threshold=4, action=Action.BLOCK),
    Category.VIOLENCE: CategoryPolicy(threshold=4, action=Action.BLOCK),
    Category.ILLICIT: CategoryPolicy(threshold=4, action=Action.BLOCK),
    Category.JAILBREAK: CategoryPolicy(threshold=4, action=Action.BLOCK),
    # Secrets and government/financial identifiers (severity >= 4) are redacted; contact details pass.
    Category.PII: CategoryPolicy(threshold=4, action=Action.REDACT),
    Category.BLOCKLIST: CategoryPolicy(threshold=2, action=Action.BLOCK),
}


class ModerationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: dict[Category, CategoryPolicy] = Field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    blocklists: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    _compiled: Blocklists | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _redact_is_for_pii(self) -> ModerationPolicy:
        for category, rule in self.categories.items():
            if rule.action is Action.REDACT and category is not Category.PII:
                raise ValueError(f"{category.value}: only pii can be redacted")
        return self

    @property
    def compiled_blocklists(self) -> Blocklists:
        """The policy's own term lists, compiled on first use (policies are cached, so once per load)."""
        if self._compiled is None:
            self._compiled = Blocklists(self.blocklists)
        return self._compiled

    def overlay(self, override: PolicyOverride) -> ModerationPolicy:
        categories = dict(self.categories)
        for category, change in override.categories.items():
            current = categories.get(category, DEFAULT_CATEGORIES[category])
            categories[category] = CategoryPolicy(
                threshold=change.threshold if change.threshold is not None else current.threshold,
                action=change.action if change.action is not None else current.action,
            )
        blocklists = {**self.blocklists, **{name: tuple(terms) for name, terms in override.blocklists.items()}}
        return ModerationPolicy(categories=categories, blocklists=blocklists)


def decide(result: ModerationResult, policy: ModerationPolicy) -> Decision:
    """Each category at or above its threshold takes its action; the strongest one is the decision."""
    triggered: dict[Category, Action] = {}
    for category, rule in policy.categories.items():
        if rule.action is not Action.ALLOW and result.severity(category) >= rule.threshold:
            triggered[category] = rule.action
    action = max(triggered.values(), key=lambda taken: taken.rank, default=Action.ALLOW)
    return Decision(action=action, triggered=triggered)


def parse_override(raw: str | Mapping[str, Any] | None, *, source: str) -> PolicyOverride:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return PolicyOverride()
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return PolicyOverride.model_validate(data)
    except (ValueError, ValidationError) as error:
        raise SettingsError(f"{source}: invalid moderation policy: {error}") from None


def policy_from_setting(raw: str | None) -> ModerationPolicy:
    """The base policy: defaults overlaid with `MODERATION_POLICY` (a SettingsError names a bad value)."""
    try:
        return ModerationPolicy().overlay(parse_override(raw, source="MODERATION_POLICY"))
    except ValidationError as error:
        raise SettingsError(f"MODERATION_POLICY: {error}") from None


class PolicyStore:
    """Per-tenant policies over the base, cached for `ttl_s` and refreshed without blocking callers."""

    def __init__(
        self,
        container: ContainerProxy | None,
        base: ModerationPolicy,
        ttl_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base = base
        self._overrides = (
            CachedOverrides(
                container, POLICY_DOCUMENT_ID, self._effective, ttl_s=ttl_s, clock=clock, none_on_error=True
            )
            if container is not None
            else None
        )

    async def for_tenant(self, tenant_id: str) -> ModerationPolicy:
        if self._overrides is None or not tenant_id:
            return self.base
        policy = await self._overrides.get(policy_partition(tenant_id))
        return self.base if policy is None else policy

    async def save_override(self, tenant_id: str, override: Mapping[str, Any]) -> ModerationPolicy:
        """Store a tenant's override (validated) and return the effective policy."""
        assert self._overrides is not None
        parsed = PolicyOverride.model_validate(override)
        fields = {"type": "moderation_policy", **parsed.model_dump(mode="json", exclude_defaults=True)}
        return await self._overrides.put(policy_partition(tenant_id), fields)

    def _effective(self, document: Mapping[str, Any]) -> ModerationPolicy:
        return self.base.overlay(PolicyOverride.model_validate(document))
