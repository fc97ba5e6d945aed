"""App Service Authentication ("Easy Auth"): the `X-MS-CLIENT-PRINCIPAL` header it injects.

Only trusted when the app is deployed behind Easy Auth (`AUTH_TRUST_EASY_AUTH=true`): Easy Auth strips
this header from incoming requests and sets it itself, so anywhere else a client could forge it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from shared.errors import unauthorized
from shared.identity.caller import Caller
from shared.identity.claims import caller_from_claims
from shared.identity.jwt_validation import TokenValidator

PRINCIPAL_HEADER = "x-ms-client-principal"
MAX_PRINCIPAL_CHARS = 32_768
_CLAIM_TYPES: dict[str, tuple[str, ...]] = {
    "tid": ("tid", "http://schemas.microsoft.com/identity/claims/tenantid"),
    "oid": ("oid", "http://schemas.microsoft.com/identity/claims/objectidentifier"),
    "scp": ("scp", "http://schemas.microsoft.com/identity/claims/scope"),
    "iss": ("iss",),
    "idtyp": ("idtyp",),
    "roles": ("roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"),
}


def decode_principal(encoded: str) -> dict[str, Any]:
    """The principal's claims, with Easy Auth's long claim types folded into the JWT names."""
    if len(encoded) > MAX_PRINCIPAL_CHARS:
        raise unauthorized("The client principal header is too large.")
    try:
        principal = json.loads(base64.b64decode(encoded, validate=True))
        entries = principal["claims"]
        role_type = principal.get("role_typ")
        if not isinstance(entries, list):
            raise TypeError("claims is not a list")
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise unauthorized("The client principal header is malformed.") from None
    claims: dict[str, Any] = {}
    roles: list[str] = []
    for entry in entries:
        typ, val = (entry.get("typ"), entry.get("val")) if isinstance(entry, dict) else (None, None)
        if not isinstance(typ, str) or not isinstance(val, str):
            continue
        if typ in _CLAIM_TYPES["roles"] or typ == role_type:
            roles.append(val)
            continue
        for name, types in _CLAIM_TYPES.items():
            if typ in types:
                claims.setdefault(name, val)
    if roles:
        claims["roles"] = roles
    return claims


class EasyAuthPrincipal:
    """Callers from the Easy Auth header, limited to the configured issuers and their tenants."""

    def __init__(self, tokens: TokenValidator) -> None:
        self._tokens = tokens

    def caller(self, encoded: str) -> Caller:
        claims = decode_principal(encoded)
        iss = claims.get("iss")
        found = self._tokens.trusted_issuer(iss) if isinstance(iss, str) else None
        if found is None:
            raise unauthorized("The client principal's issuer is not trusted.")
        keys, iss_tenant = found
        if iss_tenant is not None and claims.get("tid") != iss_tenant:
            raise unauthorized("The client principal's tenant does not match its issuer.")
        return caller_from_claims(claims, keys.issuer.issuer, keys.issuer.allowed_tenants)
