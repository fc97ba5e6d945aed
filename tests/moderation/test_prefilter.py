"""The literal prefilter selects the windows a rule can match in, without rescanning words."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.moderation import prefilter, regex_literals
from shared.moderation.evaluation import load_examples
from shared.moderation.harm_rules import build_harm_rules
from shared.moderation.hate_rules import build_hate_rules
from shared.moderation.injection_rules import INJECTION_SPECS
from shared.moderation.jailbreak_rules import JAILBREAK_SPECS
from shared.moderation.lexicon import LEXICON
from shared.moderation.multilingual_injection_rules import MULTILINGUAL_INJECTION_SPECS
from shared.moderation.prefilter import _best, _intersect, _merge, required_literals
from shared.moderation.regex_literals import literal_sets
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


# Measured with the re._parser-based reading that regex_literals replaced, over the distinct patterns the rule sets
# hand to their prefilters: 238 of 248 gated, 98 of them by two sets. The reader reproduces those gates exactly;
# the margin leaves room for rules being added, not for the reader gating less.
GATED_BEFORE = 238 / 248
TWO_GATES_BEFORE = 98 / 248


@pytest.fixture(scope="module")
def prefilter_patterns(rule_sets: list[RuleSet]) -> list[str]:
    """Every pattern a prefilter is built from: the free rules', and the anchors' word lists."""
    found = {rule.pattern.pattern for rule_set in rule_sets for rule in rule_set._free}
    found |= {anchor.pattern for rule_set in rule_sets for anchor in rule_set._anchored}
    return sorted(found)


def test_gating_stays_as_selective_as_with_pythons_own_parser(prefilter_patterns: list[str]) -> None:
    gates = [required_literals(pattern) for pattern in prefilter_patterns]
    gated = sum(1 for gate in gates if gate) / len(gates)
    two = sum(1 for gate in gates if len(gate) == 2) / len(gates)
    assert gated >= GATED_BEFORE - 0.02, gated
    assert two >= TWO_GATES_BEFORE - 0.02, two


def _assert_matches_hold_gates(pattern: str, gates: list[frozenset[str]]) -> None:
    compiled = re.compile(pattern)

    @settings(max_examples=4, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(compiled, fullmatch=True))
    def holds(text: str) -> None:
        assume(compiled.fullmatch(text) is not None)
        for literals in gates:
            assert any(literal in text for literal in literals), (pattern[:120], text, sorted(literals)[:10])

    holds()


def test_every_text_a_rule_pattern_matches_holds_a_literal_of_each_gate(prefilter_patterns: list[str]) -> None:
    for pattern in prefilter_patterns:
        if gates := required_literals(pattern):
            _assert_matches_hold_gates(pattern, gates)


_PIECES = st.sampled_from(
    ["kill", "ing", "a", " ", r"\.", "[.]", r"\w", r"\b", "[a-z]", "[^x]", "[']", ".", "{", r"\u2013", r"[\]-]"]
)
_QUANTIFIERS = st.sampled_from(["?", "*", "+", "{0,2}", "{1,3}", "{2}", "{1,}", "+?", "*+", "??"])


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda first, second: first + second, inner, inner),
        st.builds(lambda body: f"(?:{body})", inner),
        st.builds(lambda body: f"({body})", inner),
        st.builds(lambda body: f"(?>{body})", inner),
        st.builds(lambda first, second: f"(?:{first}|{second})", inner, inner),
        st.builds(lambda first, second, third: f"{first}|{second}|{third}", inner, inner, inner),
        st.builds(lambda body, repeat: f"(?:{body}){repeat}", inner, _QUANTIFIERS),
        st.builds(lambda body: f"(?!{body})", inner),
        st.builds(lambda body: f"(?<!x){body}", inner),
    )


_PICKS: list[regex_literals.Pick] = [
    _best,
    lambda found: found[0] if found else None,
    lambda found: min(found, key=len) if found else None,
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.data())
def test_every_text_a_generated_pattern_matches_holds_a_literal_of_each_set(data: st.DataObject) -> None:
    pattern = data.draw(st.recursive(st.lists(_PIECES, min_size=1, max_size=4).map("".join), _grow, max_leaves=10))
    compiled = re.compile(pattern)
    text = data.draw(st.from_regex(compiled, fullmatch=True))
    assume(compiled.fullmatch(text) is not None)
    for literals in literal_sets(pattern, data.draw(st.sampled_from(_PICKS))):
        assert any(literal in text for literal in literals), (pattern, text, literals)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"lives (?:are|aren'?t) worth", [{"lives are"}, {" worth"}]),
        (r"(?:kill|kills) (?:him|her)", [{"kill"}, {" h"}, {"im", "er"}]),
        (r"(stab|shoot)+ing", [{"tab", "hoot"}, {"ing"}]),
        (r"(?>over)+dose", [{"over"}, {"dose"}]),
        (r"(?=secret)pass(?:word)?", [{"pass"}]),
        (r"(?<!not )(?:very )*bad", [{"bad"}]),
        (r"x{2}y{z", [{"x"}, {"y{z"}]),
        (r"[.]com|[.]org", [{"."}, {"com", "org"}]),
        (r"(?:a|[bc])d", [{"d"}]),
        (r"\u2013\x41[\]]\n", [{"\u2013A]\n"}]),
    ],
)
def test_the_reader_joins_the_literals_python_joins(pattern: str, expected: list[set[str]]) -> None:
    assert literal_sets(pattern, _best) == [frozenset(literals) for literals in expected]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?i)kill", "KILL"),
        (r"(?i:kill) them", "Kill them"),
        (r"(?x) k i l l", "kill"),
        (r"(kill|maim)\1", "maimmaim"),
        (r"(?P<verb>kill)(?P=verb)", "killkill"),
        (r"(k)?(?(1)ill|maim)", "maim"),
        (r"\N{LATIN SMALL LETTER K}ill", "kill"),
        (r"\141ttack", "attack"),
    ],
)
def test_syntax_the_reader_does_not_know_leaves_the_rule_ungated(pattern: str, text: str) -> None:
    assert re.search(pattern, text) is not None
    assert literal_sets(pattern, _best) == []
    assert required_literals(pattern) == []


def test_the_prefilter_reads_regexes_without_private_cpython_modules() -> None:
    for module in (prefilter, regex_literals):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in names if name.startswith(("sre_", "_sre")) or "._" in name}, module.__name__
