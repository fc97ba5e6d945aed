"""The leave-one-source-out measurement that compares moderators (training/) counts what it says."""

from __future__ import annotations

from training.data import DEV, EXTRA, Row, deduplicated, load_rows, training_rows
from training.metrics import benign_fpr, by_source, macro_f1, usable


def _row(text: str, category: str, source: str = "owner/repo:file") -> Row:
    return Row(text, "benign" if category == "benign" else "flagged", category, source, "dev")


def test_each_category_is_judged_against_its_own_sources_benign_rows_only() -> None:
    rows = [
        _row("a", "hate", "one/x:f"),
        _row("b", "hate", "one/x:f"),
        _row("c", "benign", "one/x:f"),
        _row("d", "violence", "two/y:f"),
        _row("e", "benign", "two/y:f"),
    ]
    predicted = [{"hate": 4}, {"hate": 0}, {"hate": 4}, {"hate": 6}, {"violence": 2}]
    reports = by_source(rows, predicted)
    hate = reports["one/x"].cells["hate"]
    assert (hate.tp, hate.fn, hate.fp, hate.tn) == (1, 1, 1, 0)
    violence = reports["two/y"].cells["violence"]
    assert (violence.tp, violence.fn, violence.fp, violence.tn) == (0, 1, 0, 1)
    assert macro_f1(reports) == (0.5 + 0.0) / 2


def test_harassment_counts_as_hate_and_injection_as_jailbreak() -> None:
    rows = [_row("a", "harassment"), _row("b", "injection"), _row("c", "benign")]
    predicted = [{"hate": 4}, {"jailbreak": 4}, {}]
    report = by_source(rows, predicted)["owner/repo"]
    assert report.cells["harassment"].tp == 1
    assert report.cells["injection"].tp == 1
    assert report.f1 == 1.0


def test_benign_false_positives_are_split_at_one_kilobyte() -> None:
    rows = [_row("x" * 10, "benign"), _row("y" * 2000, "benign"), _row("z" * 2000, "benign")]
    short, long = benign_fpr(rows, [{"sexual": 4}, {"illicit": 4}, {"illicit": 2}])
    assert (short.fp, short.tn, long.fp, long.tn) == (1, 0, 1, 1)


def test_duplicates_across_sets_keep_the_first_and_conflicts_drop_both() -> None:
    first = [_row("Hello, World!", "benign"), _row("kill them", "violence")]
    second = [_row("hello world", "benign"), _row("Kill them.", "benign"), _row("new text", "hate")]
    kept = deduplicated(first, second)
    assert [row.text for row in kept] == ["Hello, World!", "new text"]


def test_the_vendored_sets_load_and_offensive_rows_are_left_out_of_figures() -> None:
    dev, extra = load_rows(DEV), load_rows(EXTRA)
    assert len(dev) == 4025
    assert len(extra) == 25969
    rows = training_rows()
    assert len(rows) < len(dev) + len(extra)
    assert all(row.category != "offensive" for row in usable(rows))
    assert any(row.category == "offensive" for row in rows)
