"""The local token issuer: an RSA key pair made on first run under `.local/issuer/`, and tokens."""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost.paths import local_dir

LOCAL_ISSUER = "https://copilot-platform.local/issuer"
LOCAL_AUDIENCE = "api://copilot-platform-local"


def issuer_dir() -> Path:
    path = local_dir() / "issuer"
    path.mkdir(parents=True, exist_ok=True)
    return path


def jwks_path() -> Path:
    return issuer_dir() / "jwks.json"


def local_issuer_setting() -> dict[str, Any]:
    """The AUTH_ISSUERS entry that trusts this issuer."""
    return {"name": "local", "issuer": LOCAL_ISSUER, "audience": LOCAL_AUDIENCE, "jwks_uri": f"file:{jwks_path()}"}


def _write_atomically(path: Path, data: bytes, mode: int = 0o600) -> None:
    temporary = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def signing_key() -> tuple[str, rsa.RSAPrivateKey]:
    """(kid, private key), generating the pair once; concurrent first runs agree on one pair."""
    directory = issuer_dir()
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        key_file, kid_file = directory / "private.pem", directory / "kid"
        if not key_file.exists():
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            kid = uuid.uuid4().hex
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
            public_jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
            _write_atomically(jwks_path(), json.dumps({"keys": [public_jwk]}).encode(), 0o644)
            _write_atomically(kid_file, kid.encode())
            _write_atomically(key_file, pem)
    loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return kid_file.read_text().strip(), loaded


def mint_token(
    tenant: str,
    user: str,
    *,
    lifetime_s: int = 3600,
    audience: str = LOCAL_AUDIENCE,
    issuer: str = LOCAL_ISSUER,
    extra: dict[str, Any] | None = None,
) -> str:
    kid, key = signing_key()
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "tid": tenant,
        "oid": user,
        "sub": user,
        "scp": "access_as_user",
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_s,
    }
    claims.update(extra or {})
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
