"""The literal prefilter selects the windows a rule can match in, without rescanning words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.moderation.evaluation import load_examples
from shared.moderation.harm_rules import build_harm_rules
from shared.moderation.hate_rules import build_hate_rules
from shared.moderation.injection_rules import INJECTION_SPECS
from shared.moderation.jailbreak_rules import JAILBREAK_SPECS
from shared.moderation.lexicon import LEXICON
from shared.moderation.multilingual_injection_rules import MULTILINGUAL_INJECTION_SPECS
from shared.moderation.prefilter import _intersect, _merge
from shared.moderation.rules import RuleSet, make_rules
from shared.moderation.text_norm import normalize


def _reference(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        while stop < len(text) and text[stop].isalnum():
            stop += 1
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


@st.composite
def _text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.text(alphabet="ab1 .-_é", min_size=1, max_size=80))
    points = st.integers(min_value=0, max_value=len(text))
    pairs = draw(st.lists(st.tuples(points, points), max_size=12))
    return text, [(min(pair), max(pair)) for pair in pairs]


@given(_text_and_spans())
def test_merged_windows_match_the_plain_scan(case: tuple[str, list[tuple[int, int]]]) -> None:
    text, spans = case
    assert _merge(spans, text) == _reference(spans, text)


def test_one_endless_word_becomes_one_window() -> None:
    text = "kill" * 5000
    spans = [(position, position + 4) for position in range(0, len(text), 4)]
    assert _merge(spans, text) == [(0, len(text))]


def test_windows_both_gates_cover_are_their_intersection() -> None:
    assert _intersect([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]
    assert _intersect([(0, 10)], [(10, 20)]) == []
    assert _intersect([(0, 10)], []) == []


@pytest.fixture(scope="module")
def rule_sets() -> list[RuleSet]:
    return [
        RuleSet(build_hate_rules()),
        RuleSet(build_harm_rules()),
        RuleSet(
            make_rules("jailbreak", JAILBREAK_SPECS, LEXICON)
            + make_rules("injection", INJECTION_SPECS + MULTILINGUAL_INJECTION_SPECS, LEXICON)
        ),
    ]


@pytest.fixture(scope="module")
def flagged_texts() -> list[str]:
    """Harmful development rows, each set inside benign text so that windows have something to cut."""
    examples = [example.text for example in load_examples() if example.category != "benign"]
    filler = "The meeting moved to Thursday; bring the draft and the budget sheet. " * 6
    return [normalize(f"{filler}{text} {filler}") for text in examples[::4]]


def test_a_gated_rule_matches_exactly_where_a_search_of_the_whole_text_does(
    rule_sets: list[RuleSet], flagged_texts: list[str]
) -> None:
    fired = 0
    for text in flagged_texts:
        for rule_set in rule_sets:
            windows = rule_set._prefilter.candidates(text)
            for index, rule in enumerate(rule_set._free):
                whole = rule.matches(text)
                fired += whole
                assert (index in windows and rule.matches(text, windows[index])) == whole, (rule.name, text)
    assert fired > len(flagged_texts) / 2
