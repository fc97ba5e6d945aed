"""Score a deployed moderator (no training) with the per-source figures of training/metrics.py.

Usage (from the project root): .venv/bin/python -m training.evaluate_rules
"""

from __future__ import annotations

from shared.moderation.embedded import EmbeddedModerator
from training.data import DEV, training_rows
from training.metrics import benign_fpr, by_source, source_table, usable


def main() -> int:
    moderator = EmbeddedModerator()
    rows = usable(training_rows())
    predicted = [
        {str(c.value): r.severity for c, r in moderator.analyze_sync(row.text).categories.items()} for row in rows
    ]
    print(f"{len(rows)} rows (dev + extra, de-duplicated, offensive left out)")
    print(source_table(by_source(rows, predicted)))
    dev = [(row, found) for row, found in zip(rows, predicted, strict=True) if row.dataset == DEV.name]
    short, long = benign_fpr([row for row, _ in dev], [found for _, found in dev])
    print(
        f"dev benign FPR: short {short.fpr:.4f} ({short.fp}/{short.fp + short.tn}), "
        f"over 1 KB {long.fpr:.4f} ({long.fp}/{long.fp + long.tn})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
