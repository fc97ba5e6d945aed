"""The training code on a tiny slice: it runs, and what it saves scores the same at run time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shared.moderation.classifier import HEADS, Heads
from shared.moderation.features import normalize
from training.data import DEV, dedup_key, load_rows, training_rows
from training.features_matrix import max_per_text, window_matrix
from training.train import Calibration, cut_at_fpr, fit_heads, save

CUTS = (0.3, 0.5, 0.8)
CATEGORIES = ("hate", "harassment", "sexual", "self_harm", "violence", "illicit", "jailbreak", "injection")


def test_rows_are_deduplicated_and_development_rows_are_all_kept() -> None:
    rows = training_rows()
    keys = [dedup_key(row.text) for row in rows]
    assert len(keys) == len(set(keys))
    assert sum(row.dataset == DEV.name for row in rows) == len(load_rows(DEV)) == 4025
    assert {row.group for row in rows} >= {"microsoft/TOXIGEN", "surge-ai/toxicity", "leondz/garak"}


def test_cut_keeps_the_false_positive_rate_at_or_under_the_target() -> None:
    scores = np.random.default_rng(7).random(1000)
    for target in (0.001, 0.005, 0.05, 0.2):
        cut = cut_at_fpr(scores, target)
        assert (scores >= cut).mean() <= target
        assert (scores >= cut - 2e-3).mean() > target - 2e-3  # and not needlessly high


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], np.ndarray]:
    rows = training_rows()
    picked = []
    for category in CATEGORIES:
        picked += [row for row in rows if row.category == category][:15]
    picked += [row for row in rows if row.category == "benign"][:90]
    matrix, owner = window_matrix([row.text for row in picked])
    weights, biases = fit_heads(picked, np.ones(len(picked), dtype=bool), matrix, owner)
    cuts = [CUTS] * len(HEADS)
    path = tmp_path_factory.mktemp("model") / "heads.npz"
    save(path, weights, biases, Calibration([(1.0, 0.0)] * len(HEADS), cuts))
    expected = max_per_text(matrix @ weights + biases, owner, len(picked))
    return path, [row.text for row in picked], expected


def test_run_time_scoring_matches_training_time_scoring(tiny: tuple[Path, list[str], np.ndarray]) -> None:
    path, texts, expected = tiny
    heads = Heads(path)
    for text, logits in zip(texts, expected, strict=True):
        assert np.allclose(heads.logits(normalize(text)), logits, atol=0.05 + 0.02 * np.abs(logits).max())


def test_the_tiny_heads_learned_their_training_rows(tiny: tuple[Path, list[str], np.ndarray]) -> None:
    _, _, expected = tiny
    attack = expected[:, HEADS.index("attack")]
    attacks = slice(6 * 15, 8 * 15)
    assert (attack[attacks] > 0).mean() >= 0.9
    assert (attack[8 * 15 :] < 0).mean() >= 0.9


def test_severity_follows_the_cut_points(tiny: tuple[Path, list[str], np.ndarray]) -> None:
    """With Platt (1, 0) the probability is sigmoid(logit): severity counts the cuts it reaches, and the
    reported score puts those cuts at 0.25/0.5/0.8 for every head."""
    path, texts, expected = tiny
    heads = Heads(path)
    checked = 0
    for text, logits in zip(texts, expected, strict=True):
        verdict = heads.score(text)
        for head, logit in zip(HEADS, logits, strict=True):
            probability = 1 / (1 + np.exp(-logit))
            if all(abs(probability - cut) > 1e-3 for cut in CUTS):  # clear of quantisation at the edges
                assert verdict.severities[head] == 2 * sum(probability >= cut for cut in CUTS)
                assert verdict.severities[head] == 2 * sum(verdict.scores[head] >= band for band in (0.25, 0.5, 0.8))
                checked += 1
        score, severity = verdict.category("hate")
        assert score == max(verdict.scores["hate"], verdict.scores["harassment"])
        assert severity == max(verdict.severities["hate"], verdict.severities["harassment"])
    assert checked > len(texts) * len(HEADS) // 2


def test_a_model_trained_for_other_features_is_refused(
    tiny: tuple[Path, list[str], np.ndarray], tmp_path: Path
) -> None:
    path, _, _ = tiny
    with np.load(path) as saved:
        fields = dict(saved)
    fields["fingerprint"] = fields["fingerprint"][1:]
    other = tmp_path / "other.npz"
    np.savez(other, **fields)
    with pytest.raises(ValueError, match="make train-moderation"):
        Heads(other)
