"""The literal prefilter selects the same windows as a plain per-span scan, without rescanning words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.moderation.prefilter import _merge


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
