"""One tenant pseudonym for telemetry and records: stable, short, never the raw id."""

from __future__ import annotations

from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind, tenant_pseudonym


def test_the_pseudonym_is_stable_distinct_and_hides_the_tenant() -> None:
    first = tenant_pseudonym("contoso")
    assert first == tenant_pseudonym("contoso") and len(first) == 16 and int(first, 16) >= 0
    assert first != tenant_pseudonym("fabrikam")
    assert "contoso" not in first


def test_a_caller_uses_the_same_pseudonym() -> None:
    caller = Caller(CallerKind.USER, "contoso", "u1", capabilities=USER_CAPABILITIES)
    assert caller.tenant_hash == tenant_pseudonym("contoso")
