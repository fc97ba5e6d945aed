"""Keys derived from principal ids (tenant, user): hashed with each part length-prefixed.

Tenant and user ids come from tokens and API keys and may hold any character, `:` included, so a
key that simply joins them (`usage:<tenant>:<user>`) lets two principals share one
(`a:b` + `c` and `a` + `b:c`). Length-prefixing every part before hashing makes that impossible;
the hash also keeps raw ids out of Cosmos diagnostics.
"""

from __future__ import annotations

import hashlib


def digest(*parts: str) -> str:
    """sha256 over each part's length and UTF-8 bytes (lone surrogates passed through), as hex."""
    hasher = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8", "surrogatepass")
        hasher.update(len(encoded).to_bytes(4, "big"))
        hasher.update(encoded)
    return hasher.hexdigest()
