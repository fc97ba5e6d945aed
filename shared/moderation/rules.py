"""A tiny weighted-rule engine: regex rules with hand-set weights, combined by noisy-OR.

Each rule is a regular expression over normalised text (see text_norm) that may name shared word lists
as %NAME% placeholders. A category's score is 1 - prod(1 - weight) over the rules that matched, so one
strong cue is enough and several weak cues add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from shared.moderation.prefilter import LiteralPrefilter

_PLACEHOLDER = re.compile(r"%([A-Z][A-Z_0-9]*)%")
# A negation shortly before a cue ("should not be", "never", "stop") flips what the cue means.
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|never|no|nobody|none|nothing|stop|against|wrong|refuse|condemn\w*|without|prevent\w*|avoid\w*|"
    r"don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|won'?t|wouldn'?t|shouldn'?t|can'?t|cannot|mustn'?t)\b"
    r"[^.!?;,]{0,36}$"
)

SEVERITY_THRESHOLDS: tuple[tuple[float, int], ...] = ((0.8, 6), (0.5, 4), (0.25, 2))


def severity_for(score: float) -> int:
    """Map a 0..1 score onto Content Safety's 0/2/4/6 severity steps."""
    for threshold, severity in SEVERITY_THRESHOLDS:
        if score >= threshold:
            return severity
    return 0


def noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def expand(template: str, lexicon: Mapping[str, str]) -> str:
    """Replace %NAME% placeholders with non-capturing alternations from the lexicon."""
    return _PLACEHOLDER.sub(lambda found: f"(?:{lexicon[found.group(1)]})", template)


def is_negated(text: str, start: int) -> bool:
    return _NEGATION_BEFORE.search(text, max(0, start - 40), start) is not None


@dataclass(frozen=True, slots=True)
class Rule:
    """One cue. `label` is the category it adds evidence to; a negative weight dampens that category."""

    name: str
    label: str
    pattern: re.Pattern[str]
    weight: float
    negatable: bool = False
    # Set when every match starts with a word from this pattern: then we only try matching there.
    anchor: re.Pattern[str] | None = None

    def matches(self, text: str, windows: Iterable[tuple[int, int]] | None = None) -> bool:
        """Whether the rule fires anywhere in `text`, or only inside `windows` when given."""
        for start, stop in windows if windows is not None else [(0, len(text))]:
            if not self.negatable:
                if self.pattern.search(text, start, stop) is not None:
                    return True
            elif any(not is_negated(text, found.start()) for found in self.pattern.finditer(text, start, stop)):
                return True
        return False

    def matches_at(self, text: str, positions: Iterable[int]) -> bool:
        for position in positions:
            if self.pattern.match(text, position) is not None and not (self.negatable and is_negated(text, position)):
                return True
        return False


# Big word lists that many rules start with; their positions are found once per text.
ANCHORS = frozenset({"GROUP", "INTENT"})
_LEADING = re.compile(r"%([A-Z][A-Z_0-9]*)%")


def _single_branch(template: str) -> bool:
    """True when the template has no top-level alternation (so its first element starts every match)."""
    depth, escaped, in_class = 0, False, False
    for char in template:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return False
    return True


@cache
def _anchor_pattern(alternation: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?=(?:" + alternation + r")(?![a-z0-9]))")


def make_rules(
    label: str,
    specs: Iterable[tuple[str, str, float] | tuple[str, str, float, bool]],
    lexicon: Mapping[str, str],
) -> list[Rule]:
    """Compile (name, template, weight[, negatable]) tuples into rules for one label."""
    rules = []
    for spec in specs:
        name, template, weight = spec[0], spec[1], spec[2]
        negatable = bool(spec[3]) if len(spec) > 3 else False
        pattern = re.compile(r"(?<![a-z0-9])(?:" + expand(template, lexicon) + r")(?![a-z0-9])")
        leading = _LEADING.match(template)
        anchor = None
        if leading and leading.group(1) in ANCHORS and _single_branch(template):
            anchor = _anchor_pattern(lexicon[leading.group(1)])
        rules.append(Rule(name, label, pattern, weight, negatable, anchor))
    return rules


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    scores: dict[str, float]
    matched: tuple[str, ...]


class RuleSet:
    """An immutable set of rules; safe to share between threads and coroutines."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules = tuple(rules)
        self.labels = tuple(dict.fromkeys(rule.label for rule in self._rules))
        self._anchored: dict[re.Pattern[str], list[Rule]] = {}
        for rule in self._rules:
            if rule.anchor is not None:
                self._anchored.setdefault(rule.anchor, []).append(rule)
        # The anchors' own word lists are gated by their literals too, so a text without any group or
        # request word skips the anchor scan altogether.
        self._anchor_gates = {anchor: LiteralPrefilter([anchor.pattern]) for anchor in self._anchored}
        self._free = tuple(rule for rule in self._rules if rule.anchor is None)
        self._prefilter = LiteralPrefilter(rule.pattern.pattern for rule in self._free)

    def __len__(self) -> int:
        return len(self._rules)

    def evaluate(self, text: str) -> RuleVerdict:
        positive: dict[str, list[float]] = {label: [] for label in self.labels}
        dampers: dict[str, float] = {label: 1.0 for label in self.labels}
        matched = [
            rule
            for index, windows in self._prefilter.candidates(text).items()
            if (rule := self._free[index]).matches(text, windows)
        ]
        for anchor, rules in self._anchored.items():
            windows = self._anchor_gates[anchor].candidates(text).get(0, [])
            positions = [found.start() for start, stop in windows for found in anchor.finditer(text, start, stop)]
            if positions:
                matched.extend(rule for rule in rules if rule.matches_at(text, positions))
        for rule in matched:
            if rule.weight >= 0:
                positive[rule.label].append(rule.weight)
            else:
                dampers[rule.label] *= 1.0 + rule.weight
        scores = {label: noisy_or(weights) * dampers[label] for label, weights in positive.items()}
        return RuleVerdict(scores, tuple(rule.name for rule in matched))
