"""What goes upstream is what was validated: no second reading of the client's bytes can differ."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.errors import ApiError
from shared.gateway.handlers import extensions_enabled
from shared.gateway.request import parse_completion_request

HARMFUL = "I will stab you and massacre your whole family tonight"


def refused(raw: bytes, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        parse_completion_request(raw, None, **kwargs)
    assert raised.value.status == 400
    return raised.value


def test_duplicate_keys_are_refused_not_read_two_ways() -> None:
    raw = b'{"model":"m","messages":[{"role":"user","content":"' + HARMFUL.encode() + b'","content":"Hello"}]}'
    assert refused(raw).code == "duplicate_key"
    assert refused(b'{"model":"m","model":"n","messages":[{"role":"user","content":"x"}]}').code == "duplicate_key"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig", "latin-1"])
def test_bodies_that_are_not_plain_utf8_are_refused(encoding: str) -> None:
    raw = json.dumps({"model": "m", "messages": [{"role": "user", "content": "caf\u00e9"}]}, ensure_ascii=False)
    assert refused(raw.encode(encoding)).code in ("invalid_encoding", "invalid_json")


def test_nan_and_infinity_are_not_json() -> None:
    assert refused(b'{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":NaN}').code == (
        "invalid_json"
    )


def test_unknown_fields_and_azure_extensions_are_refused_unless_enabled() -> None:
    base: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    assert refused(json.dumps({**base, "vendor_extension": 1}).encode()).param == "vendor_extension"
    assert refused(json.dumps({**base, "modalities": ["audio"]}).encode()).param == "modalities"
    extension = json.dumps({**base, "data_sources": [{"type": "azure_search", "parameters": {}}]}).encode()
    assert refused(extension).code == "extension_disabled"
    allowed = parse_completion_request(extension, "d", extensions=True)
    assert json.loads(allowed.upstream_body())["data_sources"][0]["type"] == "azure_search"
    assert refused(json.dumps({**base, "messages": [{"role": "user", "content": "x", "extra": 1}]}).encode())
    assert extensions_enabled("t1", " t0, t1 ") and not extensions_enabled("t2", "t0,t1")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n", 0),
        ("n", 129),
        ("n", 2.0),
        ("n", "2"),
        ("n", True),
        ("max_tokens", 10**30),
        ("max_tokens", "100"),
        ("max_completion_tokens", 1.5),
        ("temperature", 2.5),
        ("temperature", "1"),
        ("top_p", -0.1),
        ("logprobs", 1),
        ("top_logprobs", 21),
        ("presence_penalty", 3),
        ("seed", 2**64),
        ("logit_bias", {"abc": 1}),
        ("logit_bias", {"50256": -101}),
        ("stop", ["a", "b", "c", "d", "e"]),
        ("stream", "yes"),
    ],
)
def test_numbers_and_flags_are_checked_as_the_api_defines_them(field: str, value: Any) -> None:
    raw = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x"}], field: value}).encode()
    assert refused(raw).param is not None


def test_the_upstream_body_is_the_validated_object() -> None:
    raw = b'{"model":"m",  "messages":[{"role":"user","content":"caf\\u00e9"}],"n":2,"temperature":0}'
    request = parse_completion_request(raw, None)
    sent = request.upstream_body()
    assert json.loads(sent) == request.payload
    assert sent == json.dumps(request.payload, separators=(",", ":"), ensure_ascii=False).encode()
