"""Cost of EmbeddedModerator.analyze() per KB, for ordinary and adversarial text, in one interleaved run.

Usage (from the project root):
    .venv/bin/python bench/moderation_latency.py [--calls 400] [--sizes 1024,4096,16384]

Ordinary text is built from a fixed seed out of harmless sentences. Adversarial shapes, each cut to the
same sizes: one phrase repeated, spaced-out letters ("k i l l ..."), runs of harm keywords, one word with
no spaces, and mixed-script text with invisible characters. Every call gets a distinct text (a counter
is prefixed), calls of all shapes are interleaved so they share machine conditions, and time is
wall-clock and thread CPU time per awaited call (CPU time is what one core spends, and is far less
disturbed by other jobs on a shared machine). Reports p50 and p99 in ms per KB and each shape's CPU p50
relative to ordinary text of the same size.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.moderation.embedded import EmbeddedModerator

SENTENCES = (
    "Can you help me write a Python function that parses ISO dates and returns a timezone-aware datetime?",
    "Our quarterly report needs a short summary of revenue, churn and the three biggest customer wins.",
    "Please translate the following paragraph into French and keep the formal tone of the original.",
    "I keep getting a KeyError when the config file is missing a section; how should I handle defaults?",
    "Draft a polite email to the facilities team asking them to fix the heating on the third floor.",
    "Explain the difference between optimistic and pessimistic locking in a relational database.",
    "My name is Alex and you can reach me at alex.morgan@example.com if the build breaks again.",
    "The meeting moved to Thursday at 10:30; the dial-in number is +1 415 555 0199 for remote people.",
    "Summarise the attached notes on the migration plan and list open questions for the architects.",
    "What are good practices for rotating secrets stored in a key vault for a serverless application?",
)
KEYWORDS = ("kill", "bomb", "hate", "drugs", "attack", "weapon", "steal", "ignore", "instructions", "naked")


def ordinary(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < size:
        parts.append(rng.choice(SENTENCES))
    return " ".join(parts)


SHAPES: dict[str, Callable[[random.Random, int], str]] = {
    "ordinary": ordinary,
    "repetition": lambda rng, size: "I will kill you. " * (size // 17 + 1),
    "spaced letters": lambda rng, size: " ".join("kill them all now ") * (size // 36 + 1),
    "keyword run": lambda rng, size: " ".join(rng.choice(KEYWORDS) for _ in range(size // 4)),
    "one long word": lambda rng, size: "".join(rng.choice("abcdefghij0134@$") for _ in range(size)),
    "mixed script": lambda rng, size: "k\u200bi\u200bl\u200bl \uff48\uff41\uff54\uff45 殺す убить " * (size // 24 + 1),
}


Timings = dict[tuple[str, int], list[float]]


async def measure(calls: int, sizes: list[int]) -> tuple[Timings, Timings]:
    rng = random.Random(1234)
    moderator = EmbeddedModerator(blocklists={"internal": ["project falcon", "codename orchid"]})
    bodies = {(shape, size): make(rng, size)[:size] for shape, make in SHAPES.items() for size in sizes}
    for (shape, size), body in bodies.items():  # warm-up, other texts
        await moderator.analyze(f"warm {shape} {size} " + body)
    wall: Timings = {key: [] for key in bodies}
    cpu: Timings = {key: [] for key in bodies}
    for call in range(calls):
        for key, body in bodies.items():
            text = f"{call:06d} {body}"[: key[1]]
            started, started_cpu = time.perf_counter(), time.thread_time()
            await moderator.analyze(text)
            cpu[key].append((time.thread_time() - started_cpu) * 1000 / (key[1] / 1024))
            wall[key].append((time.perf_counter() - started) * 1000 / (key[1] / 1024))
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--sizes", default="1024,4096,16384", help="text lengths in characters")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    wall, cpu = asyncio.run(measure(args.calls, sizes))
    print(f"EmbeddedModerator.analyze(), {args.calls} calls per shape and size, ms per KB")
    print("| text | chars | wall p50 ms/KB | wall p99 ms/KB | CPU p50 ms/KB | CPU p99 ms/KB | CPU p50 / ordinary |")
    print("|---|---|---|---|---|---|---|")
    for (shape, size), values in wall.items():
        cuts = statistics.quantiles(values, n=100)
        used = statistics.quantiles(cpu[(shape, size)], n=100)
        base = statistics.median(cpu[("ordinary", size)])
        print(
            f"| {shape} | {size} | {cuts[49]:.3f} | {cuts[98]:.3f} | {used[49]:.3f} | {used[98]:.3f} "
            f"| {used[49] / base:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
