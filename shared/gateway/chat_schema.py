"""The chat completion request fields the gateway forwards, and the values each may take.

The gateway moderates a request and then sends upstream the canonical serialisation of the same
decoded object, so whatever reaches the model was seen by the guard. That only holds for fields whose
meaning the gateway knows: every other field is refused (400) rather than forwarded unread. Numbers
are checked as the OpenAI API defines them before they feed the token estimate. Azure extensions
(`data_sources`: the model reads retrieved documents the guard never sees) are off unless the tenant
is listed in `AZURE_EXTENSIONS_TENANTS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from shared.errors import ApiError, bad_request

MAX_TOKENS_LIMIT = 1_048_576
MAX_STOP_SEQUENCES = 4
INT64 = 2**63

AZURE_EXTENSION_FIELDS = frozenset({"data_sources"})

Check = Callable[[Any, str], None]


def _problem(param: str, expected: str) -> ApiError:
    return bad_request(f"Invalid '{param}': expected {expected}.", param=param, code="invalid_value")


def _integer(low: int, high: int) -> Check:
    def check(value: Any, param: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _problem(param, f"an integer from {low} to {high}")

    return check


def _number(low: float, high: float) -> Check:
    def check(value: Any, param: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _problem(param, f"a number from {low} to {high}")
        if not low <= value <= high:
            raise _problem(param, f"a number from {low} to {high}")

    return check


def _boolean(value: Any, param: str) -> None:
    if not isinstance(value, bool):
        raise _problem(param, "a boolean")


def _string(max_length: int) -> Check:
    def check(value: Any, param: str) -> None:
        if not isinstance(value, str) or len(value) > max_length:
            raise _problem(param, f"a string of at most {max_length} characters")

    return check


def _object(value: Any, param: str) -> None:
    if not isinstance(value, dict):
        raise _problem(param, "an object")


def _array(value: Any, param: str) -> None:
    if not isinstance(value, list):
        raise _problem(param, "an array")


def _stop(value: Any, param: str) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, list) or len(value) > MAX_STOP_SEQUENCES or not all(isinstance(s, str) for s in value):
        raise _problem(param, f"a string or an array of at most {MAX_STOP_SEQUENCES} strings")


def _logit_bias(value: Any, param: str) -> None:
    if not isinstance(value, dict):
        raise _problem(param, "an object of token ids to numbers from -100 to 100")
    bias = _number(-100, 100)
    for token, weight in value.items():
        if not (token.isascii() and token.isdigit()):
            raise _problem(param, "token ids as keys")
        bias(weight, f"{param}.{token}")


def _choice(*allowed: str) -> Check:
    def check(value: Any, param: str) -> None:
        if isinstance(value, str) and value in allowed:
            return
        if not isinstance(value, dict):
            raise _problem(param, f"one of {', '.join(allowed)} or an object")

    return check


FIELDS: Mapping[str, Check | None] = {
    "model": _string(256),
    "messages": _array,
    "stream": _boolean,
    "stream_options": _object,
    "n": _integer(1, 128),
    "max_tokens": _integer(1, MAX_TOKENS_LIMIT),
    "max_completion_tokens": _integer(1, MAX_TOKENS_LIMIT),
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "logprobs": _boolean,
    "top_logprobs": _integer(0, 20),
    "logit_bias": _logit_bias,
    "seed": _integer(-INT64, INT64 - 1),
    "stop": _stop,
    "user": _string(256),
    "tools": _array,
    "tool_choice": _choice("none", "auto", "required"),
    "parallel_tool_calls": _boolean,
    "functions": _array,
    "function_call": _choice("none", "auto"),
    "response_format": _object,
    "prediction": _object,
    "reasoning_effort": _choice("minimal", "low", "medium", "high"),
    "service_tier": _choice("auto", "default", "flex", "priority"),
    "data_sources": _array,
}
"""Top-level fields and their checks; a field missing here is refused. `null` means "not set"."""
BASE_FIELDS: Mapping[str, Check | None] = {k: v for k, v in FIELDS.items() if k not in AZURE_EXTENSION_FIELDS}

ROLE_FIELDS: Mapping[str, frozenset[str]] = {
    "system": frozenset({"role", "content", "name"}),
    "developer": frozenset({"role", "content", "name"}),
    "user": frozenset({"role", "content", "name"}),
    "assistant": frozenset({"role", "content", "name", "refusal", "tool_calls", "function_call", "audio"}),
    "tool": frozenset({"role", "content", "tool_call_id"}),
    "function": frozenset({"role", "content", "name"}),
}

PART_FIELDS: Mapping[str, frozenset[str]] = {
    "text": frozenset({"type", "text"}),
    "input_text": frozenset({"type", "text"}),
    "refusal": frozenset({"type", "refusal"}),
    "image_url": frozenset({"type", "image_url"}),
    "input_audio": frozenset({"type", "input_audio"}),
    "file": frozenset({"type", "file"}),
}
"""Content part types the guard knows how to read; any other type is refused."""

PART_TEXT_KEY = {"text": "text", "input_text": "text", "refusal": "refusal"}


def _fields(value: dict[str, Any], allowed: frozenset[str], param: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise bad_request(f"Unrecognized field '{param}.{unknown[0]}'.", param=f"{param}.{unknown[0]}")


def _content(content: Any, param: str) -> None:
    if content is None or isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _problem(param, "a string or an array of content parts")
    for index, part in enumerate(content):
        where = f"{param}.{index}"
        kind = part.get("type") if isinstance(part, dict) else None
        if not isinstance(kind, str) or kind not in PART_FIELDS:
            raise bad_request(f"Unsupported content part type at '{where}'.", param=f"{where}.type")
        _fields(part, PART_FIELDS[kind], where)
        text_key = PART_TEXT_KEY.get(kind)
        if text_key is not None and not isinstance(part.get(text_key), str):
            raise _problem(f"{where}.{text_key}", "a string")


def _tool_calls(calls: Any, param: str) -> None:
    _array(calls, param)
    for index, call in enumerate(calls):
        where = f"{param}.{index}"
        if not isinstance(call, dict) or call.get("type", "function") != "function":
            raise _problem(where, "a function tool call")
        _fields(call, frozenset({"id", "type", "function"}), where)
        function = call.get("function")
        if not isinstance(function, dict):
            raise _problem(f"{where}.function", "an object")
        _fields(function, frozenset({"name", "arguments"}), f"{where}.function")


def _message(message: Any, param: str) -> None:
    role = message.get("role") if isinstance(message, dict) else None
    if not isinstance(role, str) or role not in ROLE_FIELDS:
        raise bad_request(f"Invalid '{param}.role': unsupported role.", param=f"{param}.role")
    _fields(message, ROLE_FIELDS[role], param)
    _content(message.get("content"), f"{param}.content")
    if message.get("tool_calls") is not None:
        _tool_calls(message["tool_calls"], f"{param}.tool_calls")
    for key in ("name", "refusal", "tool_call_id"):
        if message.get(key) is not None and not isinstance(message[key], str):
            raise _problem(f"{param}.{key}", "a string")


def _tools(tools: list[Any], param: str) -> None:
    for index, tool in enumerate(tools):
        where = f"{param}.{index}"
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(tool.get("function"), dict):
            raise _problem(where, "a function tool")
        _fields(tool, frozenset({"type", "function"}), where)
        _fields(tool["function"], frozenset({"name", "description", "parameters", "strict"}), f"{where}.function")


def validate_chat_request(payload: dict[str, Any], *, extensions: bool = False) -> None:
    """Raise a 400 for any field, message shape, content part or number the gateway does not forward."""
    allowed = FIELDS if extensions else BASE_FIELDS
    for name, value in payload.items():
        if name not in allowed:
            if name in AZURE_EXTENSION_FIELDS:
                raise bad_request(f"'{name}' is not enabled for this tenant.", param=name, code="extension_disabled")
            raise bad_request(f"Unrecognized request argument supplied: {name}", param=name)
        check = allowed[name]
        if value is not None and check is not None:
            check(value, name)
    for index, message in enumerate(payload.get("messages") or []):
        _message(message, f"messages.{index}")
    if isinstance(payload.get("tools"), list):
        _tools(payload["tools"], "tools")
    for index, function in enumerate(payload.get("functions") or []):
        if not isinstance(function, dict):
            raise _problem(f"functions.{index}", "an object")
        _fields(function, frozenset({"name", "description", "parameters"}), f"functions.{index}")
    prediction = payload.get("prediction")
    if isinstance(prediction, dict):
        _content(prediction.get("content"), "prediction.content")
