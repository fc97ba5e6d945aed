"""HTTP entity tags for conversations: the Cosmos `_etag`, wrapped so it round-trips exactly."""

from __future__ import annotations

import base64
import binascii

from shared.errors import bad_request

NEVER_MATCHES = "never-matches"


def to_http(cosmos_etag: str) -> str:
    return '"' + base64.urlsafe_b64encode(cosmos_etag.encode()).decode().rstrip("=") + '"'


def from_if_match(header: str | None) -> str | None:
    """The Cosmos etag an `If-Match` asks for; None when there is no condition (absent or `*`).

    A weak or unknown tag can never match (If-Match uses strong comparison), so it maps to a tag
    the store will reject with 412.
    """
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return None
    if "," in value:
        raise bad_request("If-Match: send one entity tag.", code="invalid_if_match", param="If-Match")
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return NEVER_MATCHES
    inner = value[1:-1]
    try:
        return base64.urlsafe_b64decode(inner + "=" * (-len(inner) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return NEVER_MATCHES
