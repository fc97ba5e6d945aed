"""The learned heads: logistic models over hashed n-grams, scored with numpy.

Weights are trained by `make train-moderation` (training/, not deployed) and loaded once per process.
Each head's logit is Platt-scaled into a calibrated probability; its Content Safety severity (2/4/6) is
where that probability crosses the head's cut points, chosen by leave-one-source-out cross-validation.
The reported 0..1 score is that probability re-scaled monotonically so that the cut points fall at
0.25/0.5/0.8 for every head, so one score threshold means the same severity across categories. A text
is analysed in windows; each head keeps its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shared.moderation.features import DIMENSIONS, WINDOW, buckets, normalize, windows

MODEL_PATH = Path(__file__).resolve().parent / "model" / "heads.npz"
HEADS: tuple[str, ...] = ("hate", "harassment", "sexual", "self_harm", "violence", "illicit", "attack")
# A head's calibrated probability is mapped piecewise-linearly so that its severity 2/4/6 cut points
# land on these scores: score >= 0.5 means severity >= 4 for every head.
BANDS = (0.0, 0.25, 0.5, 0.8, 1.0)
# Its features are stored with the weights: a change to hashing or normalisation then fails at load time.
FINGERPRINT_TEXT = (
    "\uff26\uff49\uff4e\uff47\uff45\uff52\uff50\uff52\uff49\uff4e\uff54"
    ": k i l l, h4te, sooooo — 123 ünïcödé words\u200b!"
)
# Our categories (shared.moderation.models.Category values) and the heads that decide them.
CATEGORY_HEADS: dict[str, tuple[str, ...]] = {
    "hate": ("hate", "harassment"),
    "sexual": ("sexual",),
    "self_harm": ("self_harm",),
    "violence": ("violence",),
    "illicit": ("illicit",),
    "jailbreak": ("attack",),
}


def category_severities(by_head: dict[str, int]) -> dict[str, int]:
    return {category: max(by_head[head] for head in heads) for category, heads in CATEGORY_HEADS.items()}


@dataclass(frozen=True, slots=True)
class HeadScores:
    """Calibrated score and severity per head."""

    scores: dict[str, float]
    severities: dict[str, int]

    def category(self, category: str) -> tuple[float, int]:
        heads = CATEGORY_HEADS[category]
        return max(self.scores[head] for head in heads), max(self.severities[head] for head in heads)


class Heads:
    """Immutable after loading; `score` is safe to call from many threads at once."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        with np.load(path) as saved:
            same = (
                tuple(saved["heads"]) == HEADS
                and int(saved["dimensions"]) == DIMENSIONS
                and int(saved["window"]) == WINDOW
                and np.array_equal(saved["fingerprint"], buckets(normalize(FINGERPRINT_TEXT)))
            )
            if not same:
                raise ValueError(f"{path} was trained for other heads or features; run make train-moderation")
            self._weights = saved["weights"].astype(np.float32) * saved["weight_scale"].astype(np.float32)[None, :]
            self._biases = saved["biases"].astype(np.float64)
            self._platt = saved["platt"].astype(np.float64)
            cuts = np.maximum.accumulate(saved["cuts"].astype(np.float64), axis=1) + np.arange(3) * 1e-9
        self._knots = [np.array([-1e-8, *row, 1.0 + 1e-8]) for row in cuts]

    def logits(self, normalized: str) -> npt.NDArray[np.float64]:
        """Raw per-head logits of text passed through `features.normalize`, the maximum over its windows."""
        best = np.full(len(HEADS), -np.inf)
        for window in windows(normalized):
            found = buckets(window)
            total = self._weights[found].sum(axis=0, dtype=np.float64) / np.sqrt(max(len(found), 1))
            best = np.maximum(best, total + self._biases)
        return best

    def score(self, text: str) -> HeadScores:
        return self.score_normalized(normalize(text))

    def score_normalized(self, normalized: str) -> HeadScores:
        probability = 1.0 / (1.0 + np.exp(-(self.logits(normalized) * self._platt[:, 0] + self._platt[:, 1])))
        scores = [float(np.interp(p, knots, BANDS)) for p, knots in zip(probability, self._knots, strict=True)]
        return HeadScores(
            scores={head: round(score, 4) for head, score in zip(HEADS, scores, strict=True)},
            severities={head: severity_for(score) for head, score in zip(HEADS, scores, strict=True)},
        )


def severity_for(score: float) -> int:
    """Content Safety's 0/2/4/6 steps over a score: every head's cut points sit at the same bands."""
    return 2 * sum(score >= band for band in BANDS[1:4])


@lru_cache(maxsize=1)
def load_heads() -> Heads:
    """Loaded once per process and shared."""
    return Heads()
