"""Literal prefilter: skip regex rules whose required words do not occur in the text.

For each rule we derive, from its regular expression as regex_literals reads it, up to two sets of literal
strings such that every match holds one literal of each. One Aho-Corasick pass over the text then tells
which rules can match at all, so a long benign prompt pays for a handful of regex searches instead of a
few hundred.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ahocorasick

from shared.moderation.regex_literals import literal_sets

_ALNUM_RUN = re.compile(r"[^\W_]*")
# Literals shorter than this filter too little to be worth a gate.
MIN_LITERAL_LENGTH = 3
# How far a match may reach before or after the literal that let it through.
WINDOW = 240
# Function words occur in nearly every text, so a gate made of them selects nearly everything.
_COMMON = frozenset(
    [
        "the",
        "they",
        "them",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "their",
        "are",
        "and",
        "for",
        "you",
        "your",
        "with",
        "will",
        "can",
        "how",
        "what",
        "about",
        "best",
        "all",
        "any",
        "not",
        "but",
        "can't",
        "don't",
        "into",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "been",
        "being",
        "its",
        "it's",
        "our",
        "out",
        "one",
        "some",
        "who",
        "why",
        "when",
        "where",
        "which",
        "would",
        "could",
        "should",
        "make",
        "take",
        "get",
        "give",
        "see",
    ]
)


def _selectivity(found: frozenset[str]) -> tuple[bool, int, int]:
    common = any(literal.strip(" '") in _COMMON or len(literal.strip()) < MIN_LITERAL_LENGTH for literal in found)
    return (not common, min(map(len, found)), -len(found))


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


def required_literals(pattern: str) -> list[frozenset[str]]:
    """Up to two literal sets such that every match of `pattern` holds one literal of each.

    The most selective set gates the pattern; a second selective one narrows the search to where both
    occur, so text dense in one family of words (adversarial keyword runs) does not open every rule
    that merely names it. Empty when no set is useful.
    """
    found = sorted(
        (literals for literals in literal_sets(pattern, _best) if min(map(len, literals)) >= MIN_LITERAL_LENGTH),
        key=_selectivity,
        reverse=True,
    )
    return found[:1] + [literals for literals in found[1:2] if _selectivity(literals)[0]]


class LiteralPrefilter:
    """Maps texts to the indexes of the patterns that may match them."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self._always: list[int] = []
        self._gates: dict[int, int] = {}
        self._by_literal: dict[str, list[tuple[int, int]]] = {}
        for index, pattern in enumerate(patterns):
            gates = required_literals(pattern)
            if not gates:
                self._always.append(index)
                continue
            self._gates[index] = len(gates)
            for slot, literals in enumerate(gates):
                for literal in literals:
                    self._by_literal.setdefault(literal, []).append((index, slot))
        self._automaton = ahocorasick.Automaton()
        for literal in self._by_literal:
            self._automaton.add_word(literal, literal)
        if self._by_literal:
            self._automaton.make_automaton()

    def candidates(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Pattern index -> the (start, end) windows of `text` in which that pattern may match.

        Windows reach WINDOW characters around each occurrence of a required literal, widened to whole
        words, and are merged; ungated patterns get the whole text.
        """
        whole = [(0, len(text))]
        selected: dict[int, list[tuple[int, int]]] = {index: whole for index in self._always}
        if not self._by_literal:
            return selected
        around: dict[str, list[tuple[int, int]]] = {}
        size = len(text)
        for end, literal in self._automaton.iter(text):
            around.setdefault(literal, []).append(
                (max(0, end + 1 - len(literal) - WINDOW), min(size, end + 1 + WINDOW))
            )
        hits: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for literal, spans in around.items():
            windows = _merge(spans, text)
            for gate in self._by_literal[literal]:
                hits.setdefault(gate, []).extend(windows)
        for index, gates in self._gates.items():
            if (index, 0) not in hits:
                continue
            windows = _merge(hits[(index, 0)], text)
            for slot in range(1, gates):
                windows = _intersect(windows, _merge(hits.get((index, slot), []), text))
            if windows:
                selected[index] = windows
        return dict(sorted(selected.items()))


def _intersect(first: list[tuple[int, int]], second: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts covered by both of two sorted lists of disjoint windows."""
    both: list[tuple[int, int]] = []
    left = right = 0
    while left < len(first) and right < len(second):
        start = max(first[left][0], second[right][0])
        stop = min(first[left][1], second[right][1])
        if start < stop:
            both.append((start, stop))
        if first[left][1] <= second[right][1]:
            left += 1
        else:
            right += 1
    return both


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Overlapping spans joined, each end widened to the end of its word.

    A span that ends inside an already merged one is skipped before widening, so every character is
    scanned at most once: one endless "word" (spaced letters joined by normalisation) stays linear.
    """
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and stop <= merged[-1][1]:
            continue
        found = _ALNUM_RUN.match(text, stop)
        end = found.end() if found is not None else stop
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
