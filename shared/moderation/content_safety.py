"""Azure AI Content Safety moderator: text:analyze for harm categories, Prompt Shields for jailbreaks.

Scores are severity / 7, i.e. normalised over the service's 0-7 scale, so FourSeverityLevels output
(0, 2, 4, 6) and EightSeverityLevels output share one meaning. ILLICIT and PII are not detected by the
service and are always reported at severity 0 (PII has its own detector).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import aiohttp
from azure.core.credentials_async import AsyncTokenCredential

from shared.bearer_tokens import BearerTokens
from shared.moderation.models import BlocklistHit, Category, CategoryResult, ModerationResult, TextKind

MAX_TEXT_CHARS = 10_000
MAX_SHIELD_DOCUMENTS = 5
MAX_SEVERITY = 7
JAILBREAK_SEVERITY = 6
MAX_BACKOFF_S = 30.0
MAX_CONCURRENT_CALLS = 4
_SPLIT_SEARCH_FRACTION = 0.1
_MAX_ERROR_MESSAGE_CHARS = 300

SERVICE_CATEGORIES: dict[str, Category] = {
    "Hate": Category.HATE,
    "Sexual": Category.SEXUAL,
    "SelfHarm": Category.SELF_HARM,
    "Violence": Category.VIOLENCE,
}
_ALWAYS_ZERO = (Category.ILLICIT, Category.PII)

T = TypeVar("T")


class ModerationUnavailable(Exception):
    """Content Safety could not give a verdict; `status` is the last HTTP status (None: no response)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Cut text into chunks of at most `limit` characters that concatenate back to it exactly.

    Each cut goes just after the last whitespace in the final tenth of the window when there is one,
    so words are not broken; otherwise it is a hard cut at `limit`.
    """
    chunks: list[str] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        search_from = window_end - max(1, int(limit * _SPLIT_SEARCH_FRACTION))
        cut = window_end
        for index in range(window_end - 1, search_from - 1, -1):
            if text[index].isspace():
                cut = index + 1
                break
        chunks.append(text[start:cut])
        start = cut
    if start < len(text):
        chunks.append(text[start:])
    return chunks


def shield_requests(prompt: str, documents: Sequence[str]) -> list[dict[str, Any]]:
    """Prompt Shields bodies within the limits: prompt <= 10K chars; <= 5 documents totalling <= 10K."""
    prompt_chunks = split_text(prompt)
    batches: list[list[str]] = []
    batch_chars = 0
    for piece in (chunk for document in documents for chunk in split_text(document)):
        if not batches or len(batches[-1]) == MAX_SHIELD_DOCUMENTS or batch_chars + len(piece) > MAX_TEXT_CHARS:
            batches.append([])
            batch_chars = 0
        batches[-1].append(piece)
        batch_chars += len(piece)
    count = max(len(prompt_chunks), len(batches))
    return [
        {
            "userPrompt": prompt_chunks[i] if i < len(prompt_chunks) else "",
            "documents": batches[i] if i < len(batches) else [],
        }
        for i in range(count)
    ]


def retry_delay(headers: Mapping[str, str], attempt: int, backoff_base_s: float) -> float:
    """Seconds to wait: the server's retry-after-ms / Retry-After when given, else jittered backoff."""
    server_hint = _seconds(headers.get("retry-after-ms"), scale=0.001)
    if server_hint is None:
        server_hint = _seconds(headers.get("Retry-After"), scale=1.0)
    if server_hint is None:
        server_hint = backoff_base_s * (2**attempt) * random.uniform(0.5, 1.0)
    return min(max(server_hint, 0.0), MAX_BACKOFF_S)


def _seconds(value: str | None, *, scale: float) -> float | None:
    """A retry header as seconds: a number (times `scale`) or, for Retry-After, an HTTP date."""
    if value is None:
        return None
    try:
        return float(value) * scale
    except ValueError:
        pass
    try:
        moment: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.timestamp() - time.time()


async def _all_or_nothing(calls: Sequence[Awaitable[T]]) -> list[T]:
    """Await all calls concurrently; on the first failure cancel the rest and re-raise it."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class ContentSafetyModerator:
    """`Moderator` backed by Azure AI Content Safety's REST API over the process's shared aiohttp session."""

    name = "content_safety"

    def __init__(
        self,
        endpoint: str,
        session: aiohttp.ClientSession,
        *,
        credential: AsyncTokenCredential | None = None,
        api_key: str | None = None,
        blocklist_names: Sequence[str] = (),
        halt_on_blocklist_hit: bool = False,
        api_version: str = "2024-09-01",
        max_retries: int = 4,
        backoff_base_s: float = 0.5,
        request_timeout_s: float = 3.0,
        deadline_s: float = 8.0,
    ) -> None:
        if (credential is None) == (api_key is None):
            raise ValueError("ContentSafetyModerator needs exactly one of credential or api_key")
        self._endpoint = endpoint.rstrip("/")
        self._session = session
        self._tokens = BearerTokens(credential) if credential is not None else None
        self._api_key = api_key
        self._blocklist_names = list(blocklist_names)
        self._halt_on_blocklist_hit = halt_on_blocklist_hit
        self._api_version = api_version
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._timeout = aiohttp.ClientTimeout(total=request_timeout_s)
        self._deadline_s = deadline_s

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        """One verdict within `deadline_s` (every chunk, Prompt Shields call and retry included).

        A slow service must not hold the client: past the deadline the provider counts as unavailable,
        exactly as when it answers 5xx, and the service's fail-open/closed policy decides.
        """
        shield_bodies = shield_requests(text, documents) if kind == "prompt" else []
        slots = asyncio.Semaphore(MAX_CONCURRENT_CALLS)
        deadline = asyncio.get_running_loop().time() + self._deadline_s
        analyze_calls = [
            self._post("analyze", self._analyze_body(chunk), slots, deadline) for chunk in split_text(text)
        ]
        shield_calls = [self._post("shieldPrompt", body, slots, deadline) for body in shield_bodies]
        try:
            async with asyncio.timeout_at(deadline):
                responses = await _all_or_nothing([*analyze_calls, *shield_calls])
        except TimeoutError as exc:
            raise ModerationUnavailable(f"Content Safety gave no verdict within {self._deadline_s:g} s") from exc
        analyses, shields = responses[: len(analyze_calls)], responses[len(analyze_calls) :]
        return self._to_result(analyses, shields)

    async def aclose(self) -> None:
        """Nothing to release: the session and the credential belong to the caller."""

    def _analyze_body(self, chunk: str) -> dict[str, Any]:
        return {
            "text": chunk,
            "categories": list(SERVICE_CATEGORIES),
            "outputType": "FourSeverityLevels",
            "blocklistNames": self._blocklist_names,
            "haltOnBlocklistHit": self._halt_on_blocklist_hit,
        }

    def _to_result(self, analyses: list[dict[str, Any]], shields: list[dict[str, Any]]) -> ModerationResult:
        worst = {category: 0 for category in (*SERVICE_CATEGORIES.values(), *_ALWAYS_ZERO)}
        hits: dict[tuple[str, str], BlocklistHit] = {}
        for analysis in analyses:
            for item in analysis.get("categoriesAnalysis") or []:
                category = SERVICE_CATEGORIES.get(item.get("category", ""))
                if category is not None:
                    worst[category] = max(worst[category], min(int(item.get("severity") or 0), MAX_SEVERITY))
            for match in analysis.get("blocklistsMatch") or []:
                hit = BlocklistHit(blocklist=match["blocklistName"], term=match["blocklistItemText"])
                hits.setdefault((hit.blocklist, match.get("blocklistItemId") or hit.term), hit)
        attacked = any(_attack_detected(shield) for shield in shields)
        worst[Category.JAILBREAK] = JAILBREAK_SEVERITY if attacked else 0
        categories = {
            category: CategoryResult(category=category, severity=severity, score=severity / MAX_SEVERITY)
            for category, severity in worst.items()
        }
        return ModerationResult(categories=categories, blocklist_hits=list(hits.values()), provider=self.name)

    async def _headers(self) -> dict[str, str]:
        if self._tokens is not None:
            return {"Authorization": await self._tokens.authorization()}
        assert self._api_key is not None
        return {"Ocp-Apim-Subscription-Key": self._api_key}

    async def _post(
        self, operation: str, body: dict[str, Any], slots: asyncio.Semaphore, deadline: float
    ) -> dict[str, Any]:
        url = f"{self._endpoint}/contentsafety/text:{operation}"
        params = {"api-version": self._api_version}
        async with slots:
            last_status: int | None = None
            last_reason = ""
            delay = 0.0
            attempts = 0
            for attempt in range(self._max_retries + 1):
                if attempt:
                    if asyncio.get_running_loop().time() + delay >= deadline:
                        break
                    await asyncio.sleep(delay)
                attempts += 1
                headers = await self._headers()
                try:
                    async with self._session.post(
                        url, params=params, json=body, headers=headers, timeout=self._timeout
                    ) as response:
                        if response.status == 200:
                            payload: dict[str, Any] = await response.json()
                            return payload
                        last_status = response.status
                        code, message = await _error_details(response)
                        last_reason = f"{code}: {message}"
                        if response.status != 429 and response.status < 500:
                            raise ModerationUnavailable(
                                f"Content Safety text:{operation} rejected the request "
                                f"(HTTP {response.status}) {last_reason}",
                                status=response.status,
                                code=code,
                            )
                        delay = retry_delay(response.headers, attempt, self._backoff_base_s)
                except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                    last_status, last_reason = None, type(exc).__name__
                    delay = retry_delay({}, attempt, self._backoff_base_s)
        raise ModerationUnavailable(
            f"Content Safety text:{operation} unavailable after {attempts} attempts "
            f"(last: HTTP {last_status}) {last_reason}",
            status=last_status,
        )


def _attack_detected(shield: dict[str, Any]) -> bool:
    prompt_attack = bool((shield.get("userPromptAnalysis") or {}).get("attackDetected"))
    return prompt_attack or any(bool(doc.get("attackDetected")) for doc in shield.get("documentsAnalysis") or [])


async def _error_details(response: aiohttp.ClientResponse) -> tuple[str, str]:
    """Content Safety's `{"error": {"code", "message"}}`, tolerating other bodies."""
    try:
        error = (await response.json(content_type=None) or {}).get("error") or {}
        code, message = str(error.get("code", response.status)), str(error.get("message", ""))
    except (ValueError, AttributeError, aiohttp.ClientError):
        code, message = str(response.status), response.reason or ""
    return code, message[:_MAX_ERROR_MESSAGE_CHARS]
