"""Replays poison messages back onto their queue: `python -m cli.poison replay --queue conversation-events`.

Each message is re-sent to `<queue>` with its content unchanged, and deleted from `<queue>-poison`
only after the send succeeded: a crash can duplicate a message (consumers are idempotent), never lose one.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import json
import logging
import re
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from azure.storage.queue.aio import QueueClient, QueueServiceClient

from shared.clients import Clients
from shared.resources import poison_queue
from shared.settings import load_settings

QUEUE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
RECEIVE_BATCH = 32
LEASE_S = 300
"""How long a message being replayed stays hidden on the poison queue; a crash makes it reappear."""


@dataclass(frozen=True)
class ReplayResult:
    queue: str
    moved: int
    remaining: int
    dry_run: bool


def _queue_name(value: str) -> str:
    if not QUEUE_NAME.match(value) or value.endswith("-poison"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a source queue name (give the queue, not its -poison)")
    return value


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("--max must be at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m cli poison", description="Poison queue operations.")
    commands = root.add_subparsers(dest="command", required=True)
    replay = commands.add_parser("replay", help="Move messages from <queue>-poison back to <queue>.")
    replay.add_argument("--queue", required=True, type=_queue_name, help="the source queue, e.g. conversation-events")
    replay.add_argument("--max", type=_positive, default=None, help="move at most this many (default: all)")
    replay.add_argument("--dry-run", action="store_true", help="list what would move; change nothing")
    return root


def describe(content: str) -> dict[str, Any]:
    """What an operator may see of a message: its envelope's type and keys, never its payload."""
    try:
        envelope = json.loads(base64.b64decode(content, validate=True))
    except (binascii.Error, ValueError):
        return {"envelope": "unreadable"}
    if not isinstance(envelope, dict):
        return {"envelope": "unreadable"}
    return {key: envelope.get(key) for key in ("type", "idempotency_key", "created_at", "traceparent")}


async def _count(client: QueueClient) -> int:
    properties = await client.get_queue_properties()
    return int(properties.approximate_message_count or 0)


async def _dry_run(poison: QueueClient, queue: str, limit: int, out: TextIO) -> ReplayResult:
    peeked = await poison.peek_messages(max_messages=min(limit, RECEIVE_BATCH)) if limit else []
    for message in peeked:
        listing = {
            "id": message.id,
            "inserted_on": str(message.inserted_on),
            "dequeue_count": message.dequeue_count,
        }
        print(json.dumps({**listing, **describe(message.content)}), file=out)
    return ReplayResult(queue, moved=limit, remaining=await _count(poison), dry_run=True)


async def replay(
    service: QueueServiceClient,
    queue: str,
    *,
    max_messages: int | None = None,
    dry_run: bool = False,
    out: TextIO = sys.stdout,
) -> ReplayResult:
    """Move up to `max_messages` (default: those waiting when it starts) from the poison queue back."""
    poison = service.get_queue_client(poison_queue(queue))
    target = service.get_queue_client(queue)
    waiting = await _count(poison)
    # Bounded by what was waiting at the start, so messages that fail again cannot make this loop forever.
    limit = min(waiting, max_messages) if max_messages is not None else waiting
    if dry_run:
        return await _dry_run(poison, queue, limit, out)
    moved = 0
    while moved < limit:
        batch = [
            message
            async for message in poison.receive_messages(
                messages_per_page=min(RECEIVE_BATCH, limit - moved),
                max_messages=min(RECEIVE_BATCH, limit - moved),
                visibility_timeout=LEASE_S,
            )
        ]
        if not batch:
            break
        for message in batch:
            await target.send_message(message.content)
            await poison.delete_message(message.id, message.pop_receipt)
            moved += 1
    return ReplayResult(queue, moved=moved, remaining=await _count(poison), dry_run=False)


async def _run(args: argparse.Namespace) -> ReplayResult:
    clients = Clients(load_settings())
    try:
        return await replay(clients.queues, args.queue, max_messages=args.max, dry_run=args.dry_run)
    finally:
        await clients.aclose()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)  # stdout is the command's output
    result = asyncio.run(_run(args))
    verb = "would move" if result.dry_run else "moved"
    source = poison_queue(result.queue)
    print(f"{verb} {result.moved} message(s) from {source} to {result.queue}; {result.remaining} on {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
