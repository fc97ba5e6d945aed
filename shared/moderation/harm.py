"""Harmful-content classifier for hate (incl. harassment), sexual, self-harm, violence and illicit."""

from __future__ import annotations

from dataclasses import dataclass

from shared.moderation.harm_rules import STATEMENT_LABELS, build_harm_rules
from shared.moderation.hate_rules import build_hate_rules
from shared.moderation.models import HARM_CATEGORIES, Category
from shared.moderation.rules import RuleSet, noisy_or
from shared.moderation.text_norm import normalize, without_quotations


@dataclass(frozen=True, slots=True)
class HarmVerdict:
    """A 0..1 score per harm category, and the names of the rules that fired (for debugging)."""

    scores: dict[Category, float]
    matched: tuple[str, ...]


class HarmClassifier:
    """Rule-based, offline and thread-safe: build once per process and share."""

    def __init__(self) -> None:
        self._hate = RuleSet(build_hate_rules())
        self._other = RuleSet(build_harm_rules())

    def classify(self, text: str, *, normalized: str | None = None) -> HarmVerdict:
        folded = normalized if normalized is not None else normalize(text)
        # Counter-speech quotes the harm it rejects, so quoted passages never decide the verdict.
        unquoted = without_quotations(folded).replace('"', "")
        hate = self._hate.evaluate(unquoted)
        other = self._other.evaluate(unquoted)
        raw = {**other.scores, **hate.scores}
        for statement_label, category in STATEMENT_LABELS.items():
            raw[category] = noisy_or((raw.get(category, 0.0), raw.pop(statement_label, 0.0)))
        scores = {category: round(min(1.0, max(0.0, raw.get(category.value, 0.0))), 4) for category in HARM_CATEGORIES}
        return HarmVerdict(scores, hate.matched + other.matched)
