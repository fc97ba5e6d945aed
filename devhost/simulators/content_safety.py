"""Local simulator of Azure AI Content Safety's text REST API (not deployed).

A protocol simulator, not a classifier: severities come from a small deterministic keyword table per
category and Prompt Shields from a few attack phrases, so tests and local runs get predictable verdicts.
It checks what the service checks (api-version, auth, body shape, the 10K-character limits), serves
blocklists created the way real clients do (PATCH the list, then addOrUpdateBlocklistItems), and can
answer the next N calls with 429/5xx, or hold them (`delay_s`, a slow service; a long delay is a pause)
before answering. Simulator-only routes live under /_sim/ and need no auth.

    python -m devhost.simulators.content_safety --host 127.0.0.1 --port 7073 --api-key dev-key
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import signal
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

DEFAULT_API_KEY = "content-safety-sim-key"
SUPPORTED_API_VERSIONS = frozenset({"2023-10-01", "2024-09-01", "2024-02-15-preview", "2024-09-15-preview"})
MAX_TEXT_CHARS = 10_000
MAX_DOCUMENTS = 5
MAX_BLOCKLIST_ITEMS_PER_CALL = 100
MAX_BLOCKLIST_ITEM_CHARS = 128
OUTPUT_TYPES = frozenset({"FourSeverityLevels", "EightSeverityLevels"})
BLOCKLIST_NAME = re.compile(r"^[0-9A-Za-z._~-]{1,64}$")

SEVERITY_KEYWORDS: dict[str, dict[str, int]] = {
    "Hate": {"despise": 2, "subhuman": 4, "ethnic cleansing": 6},
    "Sexual": {"flirt": 2, "explicit sex": 4, "pornographic": 6},
    "SelfHarm": {"self-loathing": 2, "hurt myself": 4, "kill myself": 6},
    "Violence": {"punch": 2, "stab": 4, "massacre": 6},
}
ATTACK_PHRASES = (
    "ignore previous instructions",
    "ignore all previous instructions",
    "disregard your system prompt",
    "you are now dan",
    "enable developer mode",
)


class SimulatorError(Exception):
    """Answered as Content Safety's error shape `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _invalid(message: str) -> SimulatorError:
    return SimulatorError(400, "InvalidRequestBody", message)


def _check_length(name: str, text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise _invalid(f"'{name}' exceeds the maximum length of {MAX_TEXT_CHARS} characters ({len(text)}).")


def _string_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(f"'{key}' must be an array of strings.")
    return value


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise _invalid("The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object.")
    return body


def _severity(category: str, text: str) -> int:
    lowered = text.lower()
    return max((level for word, level in SEVERITY_KEYWORDS[category].items() if word in lowered), default=0)


def _is_attack(text: str) -> bool:
    normalised = " ".join(text.lower().split())
    return any(phrase in normalised for phrase in ATTACK_PHRASES)


@dataclass
class Fault:
    """The next `remaining` calls wait `delay_s`, then answer `status` (None: their normal answer)."""

    remaining: int
    status: int | None
    retry_after_s: float | None
    retry_after_ms: int | None
    delay_s: float = 0.0

    def error(self) -> SimulatorError | None:
        if self.status is None:
            return None
        headers = {}
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        if self.retry_after_s is not None:
            headers["Retry-After"] = str(self.retry_after_s)
        if self.status == 429:
            return SimulatorError(429, "TooManyRequests", "Rate limit is exceeded.", headers)
        return SimulatorError(self.status, "ServerBusy", "The server is temporarily busy.", headers)


class ContentSafetySimulator:
    """State and handlers; `bearer_tokens=None` accepts any bearer token, a collection only those."""

    def __init__(
        self,
        api_key: str | None,
        bearer_tokens: Collection[str] | None,
        blocklists: Mapping[str, Sequence[str]],
    ) -> None:
        self.api_key = api_key
        self.bearer_tokens = frozenset(bearer_tokens) if bearer_tokens is not None else None
        self.initial_blocklists = {name: list(terms) for name, terms in blocklists.items()}
        self.released = asyncio.Event()
        self.reset()

    def reset(self) -> None:
        self.blocklists = {
            name: {str(uuid.uuid4()): term for term in terms} for name, terms in self.initial_blocklists.items()
        }
        self.released.set()
        self.released = asyncio.Event()
        self.fault: Fault | None = None
        self.tokens_seen: set[str] = set()
        self.stats: dict[str, Any] = {
            "received": 0,
            "requests": {"analyze": 0, "shieldPrompt": 0, "blocklists": 0},
            "faulted": 0,
            "auth": {"key": 0, "bearer": 0, "rejected": 0},
            "bearer_tokens_seen": 0,
            "analyze_text_lengths": [],
            "shield_prompt_lengths": [],
            "shield_document_lengths": [],
        }

    def authenticate(self, request: web.Request) -> None:
        key = request.headers.get("Ocp-Apim-Subscription-Key")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        bearer_accepted = self.bearer_tokens is None or token in self.bearer_tokens
        if key is not None and key == self.api_key:
            self.stats["auth"]["key"] += 1
        elif key is None and scheme == "Bearer" and token and bearer_accepted:
            self.stats["auth"]["bearer"] += 1
            self.tokens_seen.add(token)
            self.stats["bearer_tokens_seen"] = len(self.tokens_seen)
        else:
            self.stats["auth"]["rejected"] += 1
            raise SimulatorError(401, "401", "Access denied due to invalid subscription key or wrong API endpoint.")

    async def count(self, operation: str) -> None:
        self.stats["requests"][operation] += 1
        fault = self.fault
        if fault is not None and fault.remaining > 0:
            fault.remaining -= 1
            self.stats["faulted"] += 1
            if fault.delay_s > 0:
                await self._held(fault.delay_s)
            error = fault.error()
            if error is not None:
                raise error

    async def _held(self, delay_s: float) -> None:
        """Wait `delay_s`, or less when the faults are reset meanwhile (a paused service resumed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.released.wait(), timeout=delay_s)

    async def analyze_text(self, request: web.Request) -> web.Response:
        await self.count("analyze")
        body = await _json_object(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise _invalid("'text' is required and must be a string.")
        _check_length("text", text)
        categories = _string_list(body, "categories") or list(SEVERITY_KEYWORDS)
        if unknown := [name for name in categories if name not in SEVERITY_KEYWORDS]:
            raise _invalid(f"Unknown categories: {unknown}.")
        if body.get("outputType", "FourSeverityLevels") not in OUTPUT_TYPES:
            raise _invalid(f"'outputType' must be one of {sorted(OUTPUT_TYPES)}.")
        names = _string_list(body, "blocklistNames")
        if missing := [name for name in names if name not in self.blocklists]:
            raise SimulatorError(404, "ResourceNotFound", f"Blocklists not found: {missing}.")
        self.stats["analyze_text_lengths"].append(len(text))
        matches = [
            {"blocklistName": name, "blocklistItemId": item_id, "blocklistItemText": term}
            for name in names
            for item_id, term in self.blocklists[name].items()
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE)
        ]
        halted = bool(matches) and body.get("haltOnBlocklistHit") is True
        analysis = [] if halted else [{"category": c, "severity": _severity(c, text)} for c in categories]
        return web.json_response({"blocklistsMatch": matches, "categoriesAnalysis": analysis})

    async def shield_prompt(self, request: web.Request) -> web.Response:
        await self.count("shieldPrompt")
        body = await _json_object(request)
        if "userPrompt" not in body and "documents" not in body:
            raise _invalid("At least one of 'userPrompt' or 'documents' is required.")
        prompt = body.get("userPrompt", "")
        if not isinstance(prompt, str):
            raise _invalid("'userPrompt' must be a string.")
        _check_length("userPrompt", prompt)
        documents = _string_list(body, "documents")
        if len(documents) > MAX_DOCUMENTS:
            raise _invalid(f"At most {MAX_DOCUMENTS} documents are allowed ({len(documents)}).")
        _check_length("documents (total)", "".join(documents))
        self.stats["shield_prompt_lengths"].append(len(prompt))
        self.stats["shield_document_lengths"].append([len(document) for document in documents])
        documents_analysis = [{"attackDetected": _is_attack(document)} for document in documents]
        prompt_analysis = {"attackDetected": _is_attack(prompt)}
        return web.json_response({"userPromptAnalysis": prompt_analysis, "documentsAnalysis": documents_analysis})

    async def upsert_blocklist(self, request: web.Request) -> web.Response:
        await self.count("blocklists")
        name = request.match_info["name"]
        if not BLOCKLIST_NAME.match(name):
            raise SimulatorError(400, "InvalidResourceName", f"Invalid blocklist name '{name}'.")
        description = str((await _json_object(request)).get("description", ""))
        created = name not in self.blocklists
        self.blocklists.setdefault(name, {})
        return web.json_response({"blocklistName": name, "description": description}, status=201 if created else 200)

    async def add_blocklist_items(self, request: web.Request) -> web.Response:
        await self.count("blocklists")
        name = request.match_info["name"]
        if name not in self.blocklists:
            raise SimulatorError(404, "ResourceNotFound", f"Blocklist '{name}' not found.")
        items = (await _json_object(request)).get("blocklistItems")
        if not isinstance(items, list) or not 0 < len(items) <= MAX_BLOCKLIST_ITEMS_PER_CALL:
            raise _invalid(f"'blocklistItems' must be an array of 1 to {MAX_BLOCKLIST_ITEMS_PER_CALL} items.")
        stored = []
        for item in items:
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str) or not 0 < len(text) <= MAX_BLOCKLIST_ITEM_CHARS:
                raise _invalid(f"Blocklist item 'text' must have 1 to {MAX_BLOCKLIST_ITEM_CHARS} characters.")
            item_id = str(item.get("blocklistItemId") or uuid.uuid4())
            self.blocklists[name][item_id] = text
            stored.append({"blocklistItemId": item_id, "description": str(item.get("description", "")), "text": text})
        return web.json_response({"blocklistItems": stored})

    async def set_faults(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        delay_s = float(body.get("delay_s", 0.0))
        status = body.get("status", None if delay_s > 0 else 429)
        self.fault = Fault(
            remaining=int(body.get("count", 1)),
            status=None if status is None else int(status),
            retry_after_s=body.get("retry_after_s"),
            retry_after_ms=body.get("retry_after_ms"),
            delay_s=delay_s,
        )
        return web.json_response({"pending": self.fault.remaining})

    async def get_stats(self, _: web.Request) -> web.Response:
        return web.json_response(self.stats)

    async def post_reset(self, _: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"reset": True})

    @web.middleware
    async def service_errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            if not request.path.startswith("/_sim/"):
                self.stats["received"] += 1
                version = request.query.get("api-version")
                if not version:
                    raise SimulatorError(400, "MissingApiVersionParameter", "The api-version is required.")
                if version not in SUPPORTED_API_VERSIONS:
                    raise SimulatorError(404, "404", f"Resource not found (api-version '{version}').")
                self.authenticate(request)
            response: web.StreamResponse = await handler(request)
            return response
        except SimulatorError as exc:
            body = {"error": {"code": exc.code, "message": exc.message}}
            return web.json_response(body, status=exc.status, headers=exc.headers)

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self.service_errors])
        blocklist = "/contentsafety/text/blocklists/{name:[^/:]+}"
        app.router.add_post("/contentsafety/text:analyze", self.analyze_text)
        app.router.add_post("/contentsafety/text:shieldPrompt", self.shield_prompt)
        app.router.add_patch(blocklist, self.upsert_blocklist)
        app.router.add_post(blocklist + ":addOrUpdateBlocklistItems", self.add_blocklist_items)
        app.router.add_post("/_sim/faults", self.set_faults)
        app.router.add_get("/_sim/stats", self.get_stats)
        app.router.add_post("/_sim/reset", self.post_reset)
        return app


@dataclass
class RunningSimulator:
    url: str
    port: int
    simulator: ContentSafetySimulator
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_simulator(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    api_key: str | None = DEFAULT_API_KEY,
    bearer_tokens: Collection[str] | None = None,
    blocklists: Mapping[str, Sequence[str]] | None = None,
) -> RunningSimulator:
    simulator = ContentSafetySimulator(api_key, bearer_tokens, blocklists or {})
    runner = web.AppRunner(simulator.build_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_port = int(runner.addresses[0][1])
    return RunningSimulator(f"http://{host}:{bound_port}", bound_port, simulator, runner)


def _parse_blocklists(specs: Sequence[str]) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for spec in specs:
        name, _, terms = spec.partition("=")
        parsed.setdefault(name, []).extend(term for term in terms.split(",") if term)
    return parsed


async def _serve(args: argparse.Namespace) -> None:
    running = await start_simulator(
        args.host, args.port, api_key=args.api_key, blocklists=_parse_blocklists(args.blocklist)
    )
    print(f"content-safety-simulator listening on {running.url}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await running.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Azure AI Content Safety text API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7073, help="0 picks a free port")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="expected Ocp-Apim-Subscription-Key")
    parser.add_argument("--blocklist", action="append", default=[], metavar="NAME=term1,term2")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
