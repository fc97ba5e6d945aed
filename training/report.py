"""The model card's figures: leave-one-source-out tables, dev-set figures, thresholds, false positives.

Usage (from the project root): .venv/bin/python -m training.report [--write-docs]
Reads training/results/loso-severities.json.gz (written by `make train-moderation`) and the committed heads.
With --write-docs the tables replace the generated section of docs/moderation.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from shared.moderation.classifier import HEADS, MODEL_PATH
from shared.moderation.embedded import EmbeddedModerator
from training.data import BENIGN, DEV, OFFENSIVE, ROOT, Row, training_rows
from training.metrics import (
    FLAG_SEVERITY,
    OURS,
    Counts,
    Severities,
    any_flagged,
    benign_fpr,
    by_source,
    macro_f1,
    source_table,
)
from training.train import read_held_out

DOCS = ROOT / "docs" / "moderation.md"
BEGIN, END = "<!-- model-card:begin -->", "<!-- model-card:end -->"


def category_table(rows: Sequence[Row], predicted: Sequence[Severities]) -> str:
    """Pooled over the given rows: each category against all benign rows, decided by its own category."""
    lines = ["| category | positives | precision | recall | F1 | FPR |", "|---|---|---|---|---|---|"]
    for label in OURS:
        counts = Counts()
        for row, found in zip(rows, predicted, strict=True):
            if row.category in (label, BENIGN):
                counts.add(positive=row.category == label, flagged=found.get(OURS[label], 0) >= FLAG_SEVERITY)
        if counts.tp + counts.fn:
            lines.append(
                f"| {label} | {counts.tp + counts.fn} | {counts.precision:.3f} | {counts.recall:.3f} "
                f"| {counts.f1:.3f} | {counts.fpr:.3f} |"
            )
    flagged = Counts()
    for row, found in zip(rows, predicted, strict=True):
        if row.category in OURS or row.category == BENIGN:
            flagged.add(positive=row.category != BENIGN, flagged=any_flagged(found))
    lines.append(
        f"| **any (flagged vs benign)** | {flagged.tp + flagged.fn} | {flagged.precision:.3f} | {flagged.recall:.3f} "
        f"| {flagged.f1:.3f} | {flagged.fpr:.3f} |"
    )
    return "\n".join(lines)


def fpr_line(name: str, rows: Sequence[Row], predicted: Sequence[Severities]) -> str:
    short, long = benign_fpr(rows, predicted)
    return (
        f"| {name} | {short.fpr:.4f} ({short.fp}/{short.fp + short.tn}) "
        f"| {long.fpr:.4f} ({long.fp}/{long.fp + long.tn}) |"
    )


def thresholds_table() -> str:
    with np.load(MODEL_PATH) as saved:
        platt, cuts = saved["platt"], saved["cuts"]
    lines = ["| head | Platt a, b | severity 2 at | severity 4 at | severity 6 at |", "|---|---|---|---|---|"]
    for head, (a, b), (low, mid, high) in zip(HEADS, platt, cuts, strict=True):
        lines.append(f"| {head} | {a:.3f}, {b:.3f} | {low:.3f} | {mid:.3f} | {high:.3f} |")
    return "\n".join(lines)


def build() -> str:
    rows = training_rows()
    held_out: list[Severities] = list(read_held_out())
    kept = [(row, found) for row, found in zip(rows, held_out, strict=True) if row.category != OFFENSIVE]
    loso_rows, loso_found = [row for row, _ in kept], [found for _, found in kept]
    moderator = EmbeddedModerator(detect_pii=False)
    dev_rows = [row for row in loso_rows if row.dataset == DEV.name]
    dev_loso = [found for row, found in kept if row.dataset == DEV.name]
    deployed = [
        {str(c.value): r.severity for c, r in moderator.analyze_sync(row.text).categories.items()} for row in dev_rows
    ]
    reports = by_source(loso_rows, loso_found)
    return "\n\n".join(
        [
            f"Leave-one-source-out, {len(loso_rows)} rows (offensive rows left out of the figures), "
            f"macro-F1 over held-out sources **{macro_f1(reports):.3f}**; cells are F1 (recall):",
            source_table(reports),
            "Development set, pooled, each row judged by heads that never saw its source (leave-one-source-out):",
            category_table(dev_rows, dev_loso),
            "Development set, pooled, judged by the committed heads (trained on it, so optimistic):",
            category_table(dev_rows, deployed),
            "False-positive rate (any category at severity >= 4) on the development set's benign rows:",
            "| predictions | texts <= 1 KB | texts > 1 KB |\n|---|---|---|\n"
            + fpr_line("held-out source (leave-one-source-out)", dev_rows, dev_loso)
            + "\n"
            + fpr_line("committed heads", dev_rows, deployed),
            "Thresholds (calibrated score at which each severity starts):",
            thresholds_table(),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    card = build()
    print(card)
    if args.write_docs:
        text = DOCS.read_text()
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        DOCS.write_text(f"{head}{BEGIN}\n{card}\n{END}{tail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
