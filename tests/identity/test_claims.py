"""Token claims become a caller whose capabilities are exactly what its roles or scopes grant."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import ApiError
from shared.identity.caller import USER_CAPABILITIES, CallerKind, Capability, granted
from shared.identity.claims import APP_ROLE_CAPABILITIES, caller_from_claims

ISSUER = "https://login.example/t1/v2.0"


def _claims(**extra: Any) -> dict[str, Any]:
    return {"tid": "t1", "oid": "o1", **extra}


@pytest.mark.parametrize("role", sorted(APP_ROLE_CAPABILITIES))
def test_each_app_role_grants_its_capabilities_and_describe(role: str) -> None:
    caller = caller_from_claims(_claims(idtyp="app", roles=[role]), ISSUER, None)
    assert caller.kind is CallerKind.APP
    assert caller.capabilities == APP_ROLE_CAPABILITIES[role] | {Capability.DESCRIBE}


def test_an_app_token_without_roles_can_do_nothing() -> None:
    caller = caller_from_claims(_claims(idtyp="app", roles=["Unknown.Role"]), ISSUER, None)
    assert caller.capabilities == frozenset()


def test_a_user_holds_every_capability_but_admin_unless_given_the_admin_role() -> None:
    user = caller_from_claims(_claims(scp="access_as_user"), ISSUER, None, ["access_as_user"])
    admin = caller_from_claims(_claims(scp="access_as_user", roles=["Admin"]), ISSUER, None, ["access_as_user"])
    assert user.capabilities == USER_CAPABILITIES and Capability.DESCRIBE in user.capabilities
    assert admin.capabilities == frozenset(Capability)


def test_a_delegated_token_without_the_api_scope_is_refused() -> None:
    with pytest.raises(ApiError) as refused:
        caller_from_claims(_claims(scp="User.Read"), ISSUER, None, ["access_as_user"])
    assert refused.value.status == 401


def test_granting_nothing_stays_nothing_and_describe_alone_is_a_grant() -> None:
    assert granted([]) == frozenset()
    assert granted([Capability.DESCRIBE]) == {Capability.DESCRIBE}
    assert granted([Capability.MODERATION]) == {Capability.MODERATION, Capability.DESCRIBE}
