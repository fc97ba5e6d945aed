"""CPU per KB of the embedded moderator on ordinary and adversarial text, side by side.

Usage (from the project root):
    .venv/bin/python bench/moderation_cost.py [--sizes 1024,4096,32768] [--calls 40]

Each family builds texts of exactly SIZE characters from a fixed seed, every call a different text so
nothing is cached. Time is the process CPU time of one `analyze_sync` call (one core, no I/O), so a busy
machine inflates it less than wall time. Printed: p50 and p99 ms per KB per family and size, and each
adversarial family's p99 as a ratio of ordinary text's p99 at the same size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.moderation.embedded import EmbeddedModerator

ORDINARY = (
    "Can you help me write a Python function that parses ISO dates and returns a timezone-aware datetime?",
    "Our quarterly report needs a short summary of revenue, churn and the three biggest customer wins.",
    "Please translate this paragraph into French and keep the product names in English.",
    "The meeting moved to Thursday at ten; bring the draft contract and the updated budget sheet.",
    "Explain the difference between a process and a thread, with an example from a web server.",
    "My garden tomatoes have yellow leaves at the bottom. What should I check first?",
)
KEYWORDS = ("kill", "bomb", "hate", "suicide", "ignore", "instructions", "sex", "weapon", "drugs", "attack")


def _fill(size: int, piece: Callable[[random.Random], str], seed: int) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        part = piece(rng)
        parts.append(part)
        length += len(part)
    return "".join(parts)[:size]


FAMILIES: dict[str, Callable[[random.Random], str]] = {
    "ordinary": lambda rng: rng.choice(ORDINARY) + " ",
    "repetition": lambda rng: "a" * rng.randint(50, 400) + " ",
    "spaced letters": lambda rng: " ".join(rng.choice(KEYWORDS)) + "   ",
    "keyword runs": lambda rng: " ".join(rng.choice(KEYWORDS) for _ in range(8)) + " ",
    "punctuation": lambda rng: rng.choice("!?.,;:*_-") * rng.randint(1, 30) + rng.choice(KEYWORDS),
    "one long word": lambda rng: "".join(rng.choice("abcdefghij") for _ in range(200)),
}


def measure(moderator: EmbeddedModerator, family: str, size: int, calls: int) -> list[float]:
    per_kb: list[float] = []
    for call in range(calls):
        text = _fill(size, FAMILIES[family], seed=call * 7919 + size)
        started = time.process_time()
        moderator.analyze_sync(text)
        per_kb.append((time.process_time() - started) * 1000 / (size / 1024))
    return per_kb


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1024,4096,32768")
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    moderator = EmbeddedModerator()
    moderator.analyze_sync("warm up " * 100)
    print("| family | size | p50 ms/KB | p99 ms/KB | p99 / ordinary p99 |")
    print("|---|---|---|---|---|")
    for size in (int(part) for part in args.sizes.split(",")):
        baseline = 0.0
        for family in FAMILIES:
            values = measure(moderator, family, size, args.calls)
            if family == "ordinary":
                baseline = p99(values)
            ratio = p99(values) / baseline
            print(f"| {family} | {size} | {statistics.median(values):.3f} | {p99(values):.3f} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
