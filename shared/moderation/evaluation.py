"""Measures a moderator against a labelled prompt file (JSON Lines: text, label, category).

Used by bench/moderation_eval.py and tests/moderation/test_dev_set.py. The file is read in place.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shared.moderation.models import HARM_CATEGORIES, Category, ModerationResult

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = PROJECT_ROOT / "data" / "moderation-dev" / "prompts.jsonl.gz"
DEFAULT_SEVERITY = 4  # Content Safety's "medium": flag at severity >= 4.

# Dev-set category -> the category of ours that should flag it (harassment is part of hate, as in Azure).
HARM_LABELS: dict[str, Category] = {
    "hate": Category.HATE,
    "harassment": Category.HATE,
    "sexual": Category.SEXUAL,
    "self_harm": Category.SELF_HARM,
    "violence": Category.VIOLENCE,
    "illicit": Category.ILLICIT,
}
ATTACK_LABELS = ("jailbreak", "injection")
BENIGN = "benign"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    category: str


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, *, positive: bool, flagged: bool) -> None:
        if positive:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def positives(self) -> int:
        return self.tp + self.fn


@dataclass
class Report:
    """`harm`/`jailbreak`: each detection task against the benign rows.

    `per_category`: each dev category against the benign rows, decided by its own category of ours;
    `detected_any`: rows of that category flagged by any category of the task.
    """

    harm: Counts = field(default_factory=Counts)
    jailbreak: Counts = field(default_factory=Counts)
    per_category: dict[str, Counts] = field(default_factory=dict)
    detected_any: dict[str, int] = field(default_factory=dict)


def load_examples(path: Path = DEV_SET) -> list[Example]:
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Example(text=row["text"], category=row["category"]) for row in rows]


def harm_flagged(result: ModerationResult, severity: int = DEFAULT_SEVERITY) -> bool:
    return any(result.severity(category) >= severity for category in HARM_CATEGORIES)


def evaluate(
    examples: Iterable[Example],
    analyze: Callable[[str], ModerationResult],
    severity: int = DEFAULT_SEVERITY,
) -> Report:
    report = Report()
    labels = [*HARM_LABELS, *ATTACK_LABELS]
    report.per_category = {label: Counts() for label in labels}
    report.detected_any = dict.fromkeys(labels, 0)
    for example in examples:
        result = analyze(example.text)
        any_harm = harm_flagged(result, severity)
        attack = result.severity(Category.JAILBREAK) >= severity
        own = {label: result.severity(HARM_LABELS.get(label, Category.JAILBREAK)) >= severity for label in labels}
        if example.category == BENIGN:
            report.harm.add(positive=False, flagged=any_harm)
            report.jailbreak.add(positive=False, flagged=attack)
            for label in labels:
                report.per_category[label].add(positive=False, flagged=own[label])
        elif example.category in HARM_LABELS:
            report.harm.add(positive=True, flagged=any_harm)
            report.per_category[example.category].add(positive=True, flagged=own[example.category])
            report.detected_any[example.category] += any_harm
        elif example.category in ATTACK_LABELS:
            report.jailbreak.add(positive=True, flagged=attack)
            report.per_category[example.category].add(positive=True, flagged=attack)
            report.detected_any[example.category] += attack
    return report


def format_report(report: Report) -> str:
    """A Markdown table: overall tasks first, then each dev category."""
    lines = [
        "| task / category | positives | precision | recall | F1 | FPR | flagged by any category of the task |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(name: str, counts: Counts, detected: int | None = None) -> str:
        share = f"{detected / counts.positives:.3f}" if detected is not None and counts.positives else ""
        return (
            f"| {name} | {counts.positives} | {counts.precision:.3f} | {counts.recall:.3f} | {counts.f1:.3f} "
            f"| {counts.fpr:.3f} | {share} |"
        )

    lines.append(row("**harmful (any harm category)**", report.harm))
    lines.extend(row(f"harm: {label}", report.per_category[label], report.detected_any[label]) for label in HARM_LABELS)
    lines.append(row("**jailbreak (jailbreak + injection)**", report.jailbreak))
    lines.extend(row(f"attack: {label}", report.per_category[label]) for label in ATTACK_LABELS)
    return "\n".join(lines)
