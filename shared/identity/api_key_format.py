"""Service API keys as presented: `cpk_<key id>_<secret>`, and the salted hash we store instead."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

API_KEY_PREFIX = "cpk_"
HASH_ALGORITHM = "hmac-sha256"
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
_MAX_CHARS = 128


@dataclass(frozen=True, slots=True)
class PresentedKey:
    key_id: str
    secret: str


@dataclass(frozen=True, slots=True)
class NewKey:
    key_id: str
    secret: str
    salt: bytes

    @property
    def presented(self) -> str:
        return f"{API_KEY_PREFIX}{self.key_id}_{self.secret}"


def looks_like_api_key(value: str) -> bool:
    return value.startswith(API_KEY_PREFIX)


def parse_api_key(value: str) -> PresentedKey | None:
    if len(value) > _MAX_CHARS or not value.startswith(API_KEY_PREFIX):
        return None
    key_id, _, secret = value.removeprefix(API_KEY_PREFIX).partition("_")
    if not _KEY_ID.match(key_id) or not _SECRET.match(secret):
        return None
    return PresentedKey(key_id, secret)


def generate_key() -> NewKey:
    """A key id (looked up by a point read) and a 256-bit secret with its own 128-bit salt."""
    return NewKey(key_id=secrets.token_hex(8), secret=secrets.token_urlsafe(32), salt=secrets.token_bytes(16))


def hash_secret(salt: bytes, secret: str) -> bytes:
    """A keyed hash is enough: the secret is 256 random bits, so there is nothing to brute-force slowly."""
    return hmac.new(salt, secret.encode(), hashlib.sha256).digest()


def secret_matches(salt: bytes, secret: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(hash_secret(salt, secret), stored_hash)
