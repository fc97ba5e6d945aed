"""Hostile chat bodies the request schema refuses with a 400 before anything reads them twice or sends them on.

Each body is one a client could send to make the gateway answer 500, read a value differently from
the model, or spend its event loop: a lone surrogate escaped in a string (JSON allows it, UTF-8 does
not: the canonical body could not be encoded), a number too large for any integer field, a key that
is a lone surrogate, nesting deeper than any request needs.
"""

from __future__ import annotations

import pytest

from shared.errors import ApiError
from shared.gateway.request import parse_completion_request

MESSAGES = b'"messages":[{"role":"user","content":"x"}]'


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"model":"m","messages":[{"role":"user","content":"a\\ud800b"}]}', "invalid_unicode"),
        (b'{"model":"m",' + MESSAGES + b',"logit_bias":{"\\udc00":1}}', "invalid_unicode"),
        (b'{"model":"m",' + MESSAGES + b',"max_tokens":1e400}', "invalid_value"),
        (b'{"model":"m",' + MESSAGES + b',"n":' + b"9" * 5000 + b"}", "invalid_json"),
        (b'{"model":"m",' + MESSAGES + b',"stop":' + b"[" * 10_000 + b"]" * 10_000 + b"}", "invalid_json"),
    ],
)
def test_hostile_bodies_are_a_400(raw: bytes, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_completion_request(raw, None)
    assert refused.value.status == 400 and refused.value.code == code


def test_a_valid_body_with_the_same_shapes_is_accepted() -> None:
    request = parse_completion_request(b'{"model":"m",' + MESSAGES + b',"max_tokens":100,"stop":["a"]}', None)
    assert request.payload["max_tokens"] == 100
    assert request.upstream_body().decode("utf-8")
