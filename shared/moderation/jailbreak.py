"""Jailbreak and prompt-injection detection (the embedded stand-in for Content Safety's Prompt Shields)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from shared.moderation.injection_rules import INJECTION_SPECS
from shared.moderation.jailbreak_rules import JAILBREAK_SPECS
from shared.moderation.lexicon import LEXICON
from shared.moderation.multilingual_injection_rules import MULTILINGUAL_INJECTION_SPECS
from shared.moderation.rules import RuleSet, make_rules, noisy_or
from shared.moderation.text_norm import normalize

AttackKind = Literal["jailbreak", "injection"]


@dataclass(frozen=True, slots=True)
class JailbreakVerdict:
    """`score` is 0..1; `kind` names the stronger of the two attack families when either scored."""

    score: float
    jailbreak: float
    injection: float
    matched: tuple[str, ...]

    @property
    def kind(self) -> AttackKind | None:
        if self.score == 0.0:
            return None
        return "jailbreak" if self.jailbreak >= self.injection else "injection"


class JailbreakDetector:
    """Rule-based, offline and thread-safe: build once per process and share."""

    def __init__(self) -> None:
        self._rules = RuleSet(
            make_rules("jailbreak", JAILBREAK_SPECS, LEXICON)
            + make_rules("injection", INJECTION_SPECS + MULTILINGUAL_INJECTION_SPECS, LEXICON)
        )

    def detect(self, text: str, *, normalized: str | None = None) -> JailbreakVerdict:
        folded = normalized if normalized is not None else normalize(text)
        verdict = self._rules.evaluate(folded)
        jailbreak = verdict.scores.get("jailbreak", 0.0)
        injection = verdict.scores.get("injection", 0.0)
        score = noisy_or((jailbreak, injection))
        return JailbreakVerdict(round(score, 4), round(jailbreak, 4), round(injection, 4), verdict.matched)

    def detect_documents(self, documents: Sequence[str]) -> JailbreakVerdict:
        """Indirect injection: the strongest verdict over documents (e.g. retrieved passages) sent with a "
        "prompt."""
        verdicts = [self.detect(document) for document in documents]
        return max(verdicts, key=lambda verdict: verdict.score, default=JailbreakVerdict(0.0, 0.0, 0.0, ()))
