"""Opaque page cursors: a Cosmos continuation token, bound to the list it pages, base64url-wrapped."""

from __future__ import annotations

import base64
import binascii
import json

MAX_CURSOR_CHARS = 8192
_VERSION = 1


class InvalidCursor(ValueError):
    """The cursor is malformed, or belongs to another list."""


def encode_cursor(scope: str, continuation: str | None) -> str | None:
    if continuation is None:
        return None
    raw = json.dumps({"v": _VERSION, "s": scope, "t": continuation}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(scope: str, cursor: str | None) -> str | None:
    """The continuation token inside a cursor; None for the first page."""
    if cursor is None:
        return None
    if not cursor or len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor("cursor is empty or too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor("cursor is not one this API issued") from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise InvalidCursor("cursor is not one this API issued")
    if payload.get("s") != scope:
        raise InvalidCursor("cursor belongs to another list")
    token = payload.get("t")
    if not isinstance(token, str) or not token or not (token.isascii() and token.isprintable()):
        raise InvalidCursor("cursor is not one this API issued")
    return token
