"""Size limits on what clients and events may store, from settings; breaking one is a client error."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import bad_request, payload_too_large
from shared.settings import Settings
from shared.web import bounded_int

JSON_ESCAPE_FACTOR = 6
"""Worst-case growth of a string once JSON-escaped (`\\u00xx`), for sizing request bodies."""


@dataclass(frozen=True, slots=True)
class Limits:
    title_max_chars: int = 200
    message_max_bytes: int = 32_768
    page_max: int = 100
    page_default: int = 20
    request_max_bytes: int = 1_048_576

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            title_max_chars=settings.conversation_title_max_chars,
            message_max_bytes=settings.conversation_message_max_bytes,
            page_max=settings.conversation_page_max,
            page_default=min(settings.conversation_page_default, settings.conversation_page_max),
            request_max_bytes=settings.max_request_bytes,
        )

    @property
    def message_body_max_bytes(self) -> int:
        return min(self.request_max_bytes, self.message_max_bytes * JSON_ESCAPE_FACTOR + 4096)

    @property
    def small_body_max_bytes(self) -> int:
        return min(self.request_max_bytes, 64 * 1024)

    def check_title(self, title: str | None) -> str | None:
        if title is not None and len(title) > self.title_max_chars:
            raise bad_request(
                f"title: at most {self.title_max_chars} characters.", code="title_too_long", param="title"
            )
        return title

    def check_content(self, content: str, param: str = "content") -> str:
        size = len(content.encode())
        if size > self.message_max_bytes:
            raise payload_too_large(
                f"{param}: {size} bytes; a message may hold at most {self.message_max_bytes} bytes."
            )
        return content

    def page_size(self, raw: str | None) -> int:
        if raw is None:
            return self.page_default
        size = bounded_int(raw, 1, self.page_max)
        if size is None:
            raise bad_request(
                f"limit must be an integer from 1 to {self.page_max}.", code="invalid_limit", param="limit"
            )
        return size
