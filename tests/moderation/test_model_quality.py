"""The committed heads against the vendored data: false positives on the development set's benign rows,
and recall floors on the held-out tenth of the rows that the committed heads were never trained on."""

from __future__ import annotations

import pytest

from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.models import Category
from training.data import BENIGN, DEV, OFFENSIVE, Row, in_test_split, load_rows, training_rows
from training.metrics import OURS, Counts, Severities, any_flagged, benign_fpr

FLAG = 4
# Recall floors on the held-out split, a margin under what the committed heads reach (docs/moderation.md).
RECALL_FLOORS = {
    "hate": 0.3,
    "harassment": 0.1,
    "sexual": 0.07,
    "self_harm": 0.3,
    "violence": 0.14,
    "illicit": 0.6,
    "jailbreak": 0.8,
    "injection": 0.6,
}


@pytest.fixture(scope="module")
def moderator() -> EmbeddedModerator:
    return EmbeddedModerator(detect_pii=False)


def judge(moderator: EmbeddedModerator, rows: list[Row]) -> list[Severities]:
    return [
        {str(category.value): found.severity for category, found in moderator.analyze_sync(row.text).categories.items()}
        for row in rows
    ]


@pytest.fixture(scope="module")
def dev(moderator: EmbeddedModerator) -> tuple[list[Row], list[Severities]]:
    rows = load_rows(DEV)
    return rows, judge(moderator, rows)


@pytest.fixture(scope="module")
def held_out(moderator: EmbeddedModerator) -> tuple[list[Row], list[Severities]]:
    rows = [row for row in training_rows() if in_test_split(row) and row.category != OFFENSIVE]
    return rows, judge(moderator, rows)


def test_false_positive_rate_on_development_benign_rows(dev: tuple[list[Row], list[Severities]]) -> None:
    short, long = benign_fpr(*dev)
    assert short.fp + short.tn > 1900 and long.fp + long.tn > 50
    overall = (short.fp + long.fp) / (short.fp + short.tn + long.fp + long.tn)
    assert overall <= 0.03, (short, long)
    assert long.fpr <= short.fpr, (short, long)


def test_recall_floors_on_the_held_out_split(held_out: tuple[list[Row], list[Severities]]) -> None:
    rows, found = held_out
    recall = {}
    for label in RECALL_FLOORS:
        hits = [found[index].get(OURS[label], 0) >= FLAG for index, row in enumerate(rows) if row.category == label]
        assert hits, label
        recall[label] = sum(hits) / len(hits)
    assert all(recall[label] >= floor for label, floor in RECALL_FLOORS.items()), recall


def test_false_positive_rate_on_the_held_out_split(held_out: tuple[list[Row], list[Severities]]) -> None:
    rows, found = held_out
    counts = Counts()
    for row, severities in zip(rows, found, strict=True):
        if row.category == BENIGN:
            counts.add(positive=False, flagged=any_flagged(severities))
    assert counts.fp + counts.tn > 400
    assert counts.fpr <= 0.03, counts


def test_a_harmful_passage_inside_a_long_text_is_found(moderator: EmbeddedModerator) -> None:
    """Windows: the maximum over windows, so padding cannot dilute a harmful passage away."""
    harmful = next(
        row.text
        for row in load_rows(DEV)
        if row.category == "jailbreak"
        and 300 < len(row.text) < 1500
        and moderator.analyze_sync(row.text).severity(Category.JAILBREAK) >= FLAG
    )
    padding = "The committee reviewed the budget and agreed to meet again next month. " * 150
    for text in (padding + harmful, harmful + " " + padding, padding + harmful + " " + padding):
        assert len(text) > 10_000
        assert moderator.analyze_sync(text).severity(Category.JAILBREAK) >= FLAG


def test_long_benign_text_scores_like_its_parts(moderator: EmbeddedModerator) -> None:
    part = "The committee reviewed the budget and agreed to meet again next month. " * 20
    short = moderator.analyze_sync(part)
    long = moderator.analyze_sync(part * 30)
    assert not any_flagged({category.value: found.severity for category, found in long.categories.items()})
    for category in (Category.HATE, Category.VIOLENCE, Category.JAILBREAK):
        assert long.categories[category].score <= short.categories[category].score + 0.05
