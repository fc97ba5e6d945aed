"""Every string of a request that a model reads, wherever it sits in the request.

The walk is schema-agnostic on purpose: a chat completion, a queued job or a Responses-style request
all reach the model as JSON, and any string in it may be read (a tool description, a JSON schema's
property names, a tool call's arguments, a `name`). Only values that are not text to the model are
skipped: identifiers, enum-like selectors and binary payloads (images, audio, files). Object keys
are read only inside JSON schemas (`parameters`, `schema`), where a property name is prompt text.

Strings under a tool or function result (role `tool`/`function`, or a `function_call_output` item)
are also returned as documents, where indirect prompt injection is looked for.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from shared.moderation.models import PiiSpan
from shared.moderation.pii import redact

SEPARATOR = "\n\n"
DOCUMENT_ROLES = frozenset({"tool", "function"})
DOCUMENT_ITEM_TYPES = frozenset({"function_call_output"})

NOT_TEXT_KEYS = frozenset(
    {
        "model",
        "role",
        "type",
        "id",
        "tool_call_id",
        "call_id",
        "detail",
        "format",
        "url",
        "image_url",
        "data",
        "file_data",
        "file_id",
        "input_audio",
        "service_tier",
        "reasoning_effort",
        "user",
    }
)
"""Keys whose string values the model does not read as text (ids, selectors, base64 payloads)."""
SCHEMA_KEYS = frozenset({"parameters", "schema"})
JSON_TEXT_KEYS = frozenset({"arguments"})
"""Keys whose string values are JSON text (tool-call arguments): their decoded strings are what is read."""
IDENTIFIER_KEYS = frozenset({"name"})
"""Keys whose values are identifiers (`kill_them_all`): the model reads their `_` and `-` as word breaks."""
WORD_BREAKS = str.maketrans("_-", "  ")
INSIDE_JSON = "\0json"
"""A path step: what follows is a path inside the JSON text held by the string before it."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Segment:
    """One string the model reads: its place in the request (None for a schema key), text and offset."""

    path: Path | None
    text: str
    offset: int = 0

    @property
    def read(self) -> str:
        """The text as the guard analyses it: same length as `text`, so offsets into either agree."""
        if self.path and self.path[-1] in IDENTIFIER_KEYS:
            return self.text.translate(WORD_BREAKS)
        return self.text


def _decoded(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def _collect(value: Any, path: Path, in_schema: bool, out: list[tuple[Path | None, str]]) -> None:
    """Append every string of `value` the model reads, depth first in document order."""
    if isinstance(value, str):
        inner = _decoded(value) if path and path[-1] in JSON_TEXT_KEYS else None
        if inner is None:
            out.append((path, value))
        else:
            _collect(inner, (*path, INSIDE_JSON), True, out)
    elif isinstance(value, dict):
        for key, child in value.items():
            if in_schema:
                out.append((None, key))
            elif key in NOT_TEXT_KEYS:
                continue
            _collect(child, (*path, key), in_schema or key in SCHEMA_KEYS, out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _collect(child, (*path, index), in_schema, out)


def _is_document(item: Any) -> bool:
    return isinstance(item, dict) and (item.get("role") in DOCUMENT_ROLES or item.get("type") in DOCUMENT_ITEM_TYPES)


def model_input(payload: dict[str, Any]) -> tuple[list[Segment], list[str]]:
    """The request's text segments (offsets into their `SEPARATOR` join) and its tool results as documents."""
    segments: list[Segment] = []
    documents: list[str] = []
    offset = 0

    def add(found: list[tuple[Path | None, str]], document: bool) -> None:
        nonlocal offset
        for path, text in found:
            if not text:
                continue
            if document and path is not None:
                documents.append(text)
            segments.append(Segment(path, text, offset))
            offset += len(text) + len(SEPARATOR)

    for key, value in payload.items():
        if key in NOT_TEXT_KEYS:
            continue
        if key in ("messages", "input") and isinstance(value, list):
            for index, item in enumerate(value):
                found: list[tuple[Path | None, str]] = []
                _collect(item, (key, index), False, found)
                add(found, _is_document(item))
            continue
        found = []
        _collect(value, (key,), key in SCHEMA_KEYS, found)
        add(found, False)
    return segments, documents


def joined(segments: list[Segment]) -> str:
    return SEPARATOR.join(segment.read for segment in segments)


class Unredactable(Exception):
    """PII to redact sits where it cannot be rewritten (a JSON schema's property name)."""


def redacted_payload(payload: dict[str, Any], segments: list[Segment], spans: list[PiiSpan]) -> dict[str, Any]:
    """A copy of `payload` with each span (offsets into the joined text) redacted where its segment lives."""
    rewritten = copy.deepcopy(payload)
    for segment in segments:
        end = segment.offset + len(segment.text)
        local = [
            span.model_copy(
                update={
                    "start": max(span.start, segment.offset) - segment.offset,
                    "end": min(span.end, end) - segment.offset,
                }
            )
            for span in spans
            if span.start < end and span.end > segment.offset
        ]
        if not local:
            continue
        if segment.path is None:
            raise Unredactable
        _replace(rewritten, segment.path, redact(segment.text, local))
    return rewritten


def _replace(root: Any, path: Path, text: str) -> None:
    """Set the string at `path`, re-encoding the JSON text a path steps into."""
    if INSIDE_JSON in path:
        cut = path.index(INSIDE_JSON)
        holder = root
        for step in path[: cut - 1]:
            holder = holder[step]
        inner = json.loads(holder[path[cut - 1]])
        _replace(inner, path[cut + 1 :], text)
        holder[path[cut - 1]] = json.dumps(inner, ensure_ascii=False)
        return
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = text
