"""Per-source, per-category figures for any moderator, measured the same way for rules and models.

A row's category is decided by the matching category of ours at severity >= 4 (Content Safety's
"medium"): harassment counts as hate (as in Content Safety), jailbreak and injection as the jailbreak
category. Within one source, each category's positives are that category's rows and its negatives are
the source's benign rows. A source's F1 is the mean over the categories it has; the macro-F1 is the
mean over sources. `offensive` rows are left out (a weak label that is no category of ours).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.moderation.evaluation import Counts
from training.data import BENIGN, OFFENSIVE, Row

FLAG_SEVERITY = 4
LONG_TEXT = 1024
# Data category -> our category (a `shared.moderation.models.Category` value).
OURS: dict[str, str] = {
    "hate": "hate",
    "harassment": "hate",
    "sexual": "sexual",
    "self_harm": "self_harm",
    "violence": "violence",
    "illicit": "illicit",
    "jailbreak": "jailbreak",
    "injection": "jailbreak",
}
CHECKED = ("hate", "sexual", "self_harm", "violence", "illicit", "jailbreak")

Severities = Mapping[str, int]


@dataclass
class SourceReport:
    cells: dict[str, Counts] = field(default_factory=dict)

    @property
    def f1(self) -> float:
        return sum(counts.f1 for counts in self.cells.values()) / len(self.cells) if self.cells else 0.0


def any_flagged(severities: Severities) -> bool:
    return any(severities.get(category, 0) >= FLAG_SEVERITY for category in CHECKED)


def by_source(rows: Sequence[Row], predicted: Sequence[Severities]) -> dict[str, SourceReport]:
    reports: dict[str, SourceReport] = {}
    for group in sorted({row.group for row in rows}):
        picked = [(row, found) for row, found in zip(rows, predicted, strict=True) if row.group == group]
        labels = sorted({row.category for row, _ in picked if row.category in OURS})
        report = SourceReport({label: Counts() for label in labels})
        for row, found in picked:
            for label, counts in report.cells.items():
                if row.category == label or row.category == BENIGN:
                    flagged = found.get(OURS[label], 0) >= FLAG_SEVERITY
                    counts.add(positive=row.category == label, flagged=flagged)
        if labels:
            reports[group] = report
    return reports


def macro_f1(reports: Mapping[str, SourceReport]) -> float:
    return sum(report.f1 for report in reports.values()) / len(reports)


def benign_fpr(rows: Iterable[Row], predicted: Iterable[Severities]) -> tuple[Counts, Counts]:
    """False positives (any category at severity >= 4) on benign rows up to / over 1 KB."""
    short, long = Counts(), Counts()
    for row, found in zip(rows, predicted, strict=True):
        if row.category == BENIGN:
            (long if len(row.text) > LONG_TEXT else short).add(positive=False, flagged=any_flagged(found))
    return short, long


def source_table(reports: Mapping[str, SourceReport]) -> str:
    labels = sorted({label for report in reports.values() for label in report.cells})
    lines = [
        "| held-out source | " + " | ".join(labels) + " | source F1 |",
        "|---" * (len(labels) + 2) + "|",
    ]
    for group, report in reports.items():
        cells = [
            f"{report.cells[label].f1:.3f} (R {report.cells[label].recall:.2f})" if label in report.cells else ""
            for label in labels
        ]
        lines.append(f"| {group} | " + " | ".join(cells) + f" | {report.f1:.3f} |")
    lines.append(f"| **macro-F1 over sources** | {' | ' * (len(labels) - 1)} | **{macro_f1(reports):.3f}** |")
    return "\n".join(lines)


def usable(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if row.category != OFFENSIVE]
