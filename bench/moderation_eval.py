"""Measure the embedded moderator on the labelled development set (read in place, never copied).

Usage (from the project root):
    .venv/bin/python bench/moderation_eval.py [PATH] [--severity 4]

PATH defaults to data/moderation-dev/prompts.jsonl.gz. A text counts as harmful when any harm
category reaches the severity threshold, and as an attack when the jailbreak category does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.evaluation import DEFAULT_SEVERITY, DEV_SET, evaluate, format_report, load_examples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path, default=DEV_SET, help="labelled prompts (JSON Lines)")
    parser.add_argument("--severity", type=int, default=DEFAULT_SEVERITY, help="flag at this severity or above")
    args = parser.parse_args(argv)

    examples = load_examples(args.path)
    moderator = EmbeddedModerator()
    started = time.perf_counter()
    report = evaluate(examples, moderator.analyze_sync, severity=args.severity)
    elapsed = time.perf_counter() - started

    print(f"{len(examples)} prompts from {args.path}, flag at severity >= {args.severity}")
    print(format_report(report))
    print(f"\n{elapsed:.1f} s in total, {elapsed / len(examples) * 1000:.2f} ms per prompt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
