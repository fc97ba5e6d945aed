"""Latency of EmbeddedModerator.analyze() on 1 KB prompts: p50 and p99 over many calls.

Usage (from the project root):
    .venv/bin/python bench/moderation_latency.py [--calls 2000] [--size 1024]

The prompts are built from a fixed seed out of ordinary, harmless sentences (with the odd e-mail address
and number), which is the common case in production; every call gets a different prompt so nothing is
cached. With --dev, the prompts are instead the development set's texts of at least SIZE characters
(mostly long jailbreak templates and role-play prompts), cut to SIZE, read in place. Time is wall-clock
per analyze() call, measured around the awaited coroutine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.evaluation import DEV_SET, load_examples

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
    "Write unit tests for a shopping cart class that applies discounts and rejects negative quantities.",
    "Give me three ideas for a team offsite that works for people who do not like outdoor activities.",
)


def make_prompt(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < size:
        parts.append(rng.choice(SENTENCES))
    return " ".join(parts)[:size]


def dev_prompts(calls: int, size: int) -> list[str]:
    long_texts = [example.text[:size] for example in load_examples(DEV_SET) if len(example.text) >= size]
    return [long_texts[index % len(long_texts)] for index in range(calls)]


async def measure(prompts: list[str]) -> list[float]:
    moderator = EmbeddedModerator(blocklists={"internal": ["project falcon", "codename orchid"]})
    for prompt in prompts[:50]:  # warm-up
        await moderator.analyze(prompt)
    timings = []
    for prompt in prompts:
        started = time.perf_counter()
        await moderator.analyze(prompt)
        timings.append((time.perf_counter() - started) * 1000)
    await moderator.aclose()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--size", type=int, default=1024, help="prompt length in characters")
    parser.add_argument("--dev", action="store_true", help="use long development-set prompts instead")
    args = parser.parse_args(argv)
    rng = random.Random(1234)
    prompts = (
        dev_prompts(args.calls, args.size) if args.dev else [make_prompt(rng, args.size) for _ in range(args.calls)]
    )
    timings = asyncio.run(measure(prompts))
    cuts = statistics.quantiles(timings, n=100)
    source = "development-set" if args.dev else "generated benign"
    print(f"analyze() on {args.size}-character {source} prompts, {args.calls} calls")
    print(f"p50 {cuts[49]:.3f} ms   p99 {cuts[98]:.3f} ms   mean {statistics.fmean(timings):.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
