"""Train the embedded moderator's heads from the vendored data and write the weights and figures.

Usage (from the project root): make train-moderation
(= .venv/bin/python -m training.train). Deterministic: fixed seeds, liblinear, sorted inputs.

1. Rows of data/moderation-dev and data/moderation-extra, de-duplicated against each other.
2. Leave-one-source-out: for each source repository, every head is fitted on the other sources and
   scores the held-out one. These out-of-fold scores calibrate each head (Platt scaling) and choose its
   thresholds; the held-out figures use thresholds chosen without the held-out source.
3. The final heads are fitted on all rows and written to shared/moderation/model/heads.npz.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression

from shared.moderation.classifier import CATEGORY_HEADS, FINGERPRINT_TEXT, HEADS, MODEL_PATH, category_severities
from shared.moderation.features import DIMENSIONS, WINDOW, buckets, normalize
from training.data import BENIGN, OFFENSIVE, ROOT, Row, in_test_split, long_benign, training_rows
from training.features_matrix import max_per_text, window_matrix

SEED = 20261203
FOLD_JOBS = 2
OOF_CACHE = ROOT / ".local" / "moderation-oof.npz"
LOSO_FIGURES = ROOT / "training" / "results" / "loso-severities.json.gz"
C = 8.0
# Each head's severity steps are where its out-of-fold false-positive rate on benign rows (the mean over
# sources of each source's rate) crosses these; severity 4 may sit higher if that raises held-out F1.
FPR_SEVERITY_2 = 0.05
FPR_SEVERITY_4 = 0.005
FPR_SEVERITY_6 = 0.001
POSITIVES: dict[str, frozenset[str]] = {
    "hate": frozenset({"hate"}),
    "harassment": frozenset({"harassment", OFFENSIVE}),
    "sexual": frozenset({"sexual"}),
    "self_harm": frozenset({"self_harm"}),
    "violence": frozenset({"violence"}),
    "illicit": frozenset({"illicit"}),
    "attack": frozenset({"jailbreak", "injection"}),
}
# Neither positive nor negative for a head: labels too close to call (hate vs harassment vs offensive).
# Offensive tweets (insults and profanity) teach the harassment head only; as negatives they would teach
# the other heads that explicit words are harmless.
IGNORED: dict[str, frozenset[str]] = {
    "hate": frozenset({"harassment", OFFENSIVE}),
    "harassment": frozenset({"hate"}),
    "sexual": frozenset({OFFENSIVE}),
    "self_harm": frozenset({OFFENSIVE}),
    "violence": frozenset({OFFENSIVE}),
    "illicit": frozenset({OFFENSIVE}),
    "attack": frozenset({OFFENSIVE}),
}

Array = npt.NDArray[np.float64]


def targets(rows: Sequence[Row], head: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per row: 1/0, and whether the row takes part in this head at all."""
    y = np.array([row.category in POSITIVES[head] for row in rows], dtype=np.int64)
    used = np.array([row.category not in IGNORED.get(head, frozenset()) for row in rows])
    return y, used


def fit_heads(rows: Sequence[Row], train: npt.NDArray[np.bool_], matrix, owner) -> tuple[Array, Array]:  # type: ignore[no-untyped-def]
    """Weights (DIMENSIONS x heads) and biases of logistic heads fitted on the rows in `train`."""
    weights = np.zeros((DIMENSIONS, len(HEADS)))
    biases = np.zeros(len(HEADS))
    for column, head in enumerate(HEADS):
        y, used = targets(rows, head)
        picked = (train & used)[owner]
        model = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=SEED)
        model.fit(matrix[picked], y[owner][picked])
        weights[:, column] = model.coef_[0]
        biases[column] = model.intercept_[0]
    return weights, biases


def out_of_fold(rows: Sequence[Row], matrix, owner) -> Array:  # type: ignore[no-untyped-def]
    """Raw logits per row and head, each from heads that never saw the row's source."""
    groups = np.array([row.group for row in rows])
    logits = np.zeros((len(rows), len(HEADS)))

    def fold(group: str) -> Array:
        held = groups == group
        weights, biases = fit_heads(rows, ~held, matrix, owner)
        window_rows = held[owner]
        scores = matrix[window_rows] @ weights + biases
        print(f"  held out {group}: {int(held.sum())} rows", flush=True)
        return max_per_text(scores, owner[window_rows], len(rows))

    order = sorted(set(groups))
    for group, found in zip(
        order, Parallel(n_jobs=FOLD_JOBS, backend="threading")(delayed(fold)(g) for g in order), strict=True
    ):
        logits[groups == group] = found[groups == group]
    return logits


def platt(logits: Array, y: npt.NDArray[np.int64]) -> tuple[float, float]:
    """Slope and intercept mapping a head's out-of-fold logits to probabilities. A head whose held-out
    logits do not rise with the label (slope <= 0: it does not generalise across sources) keeps its own
    logistic output (1, 0) rather than an inverted score."""
    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    model.fit(logits.reshape(-1, 1), y)
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    return (slope, intercept) if slope > 0 else (1.0, 0.0)


def calibrate(logits: Array, scale: tuple[float, float]) -> Array:
    return 1.0 / (1.0 + np.exp(-(logits * scale[0] + scale[1])))


def cut_at_fpr(benign_scores: Array, fpr: float, groups: npt.NDArray[np.str_] | None = None) -> float:
    """The lowest score threshold at which the false-positive rate over these benign scores is <= fpr.

    With `groups`, the rate is the mean of each source's own rate, so a source of hard negatives counts
    as much as a large source of easy ones.
    """
    labels = groups if groups is not None else np.zeros(len(benign_scores), dtype=str)
    parts = [np.sort(benign_scores[labels == group]) for group in np.unique(labels)]

    def rate(cut: float) -> float:
        return float(np.mean([1.0 - np.searchsorted(part, cut, side="left") / len(part) for part in parts]))

    candidates = np.unique(np.concatenate([[0.0], np.minimum(1.0, benign_scores + 1e-9)]))
    low, high = 0, len(candidates) - 1
    if rate(float(candidates[high])) > fpr:
        return float(candidates[high])
    while low < high:
        middle = (low + high) // 2
        if rate(float(candidates[middle])) <= fpr:
            high = middle
        else:
            low = middle + 1
    return float(candidates[low])


@dataclass(frozen=True)
class Calibration:
    scales: list[tuple[float, float]]
    cuts: list[tuple[float, float, float]]


def source_f1(
    scores: Array, positive: npt.NDArray[np.bool_], benign: npt.NDArray[np.bool_], groups, cut: float
) -> float:  # type: ignore[no-untyped-def]
    """Mean over sources (that have positives) of F1 at `cut`, each against that source's benign rows."""
    values = []
    for group in np.unique(groups[positive]):
        mine = groups == group
        tp = int((scores[mine & positive] >= cut).sum())
        fn = int((mine & positive).sum()) - tp
        fp = int((scores[mine & benign] >= cut).sum())
        values.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(values)) if values else 0.0


def choose(rows: Sequence[Row], logits: Array, picked: npt.NDArray[np.bool_]) -> Calibration:
    """Platt scales and severity cuts per head from the out-of-fold logits of the `picked` rows.

    Severity 4 starts at the cut that maximises the mean held-out-source F1 among cuts whose benign
    false-positive rate (mean over sources) is at most FPR_SEVERITY_4; severities 2 and 6 sit at looser
    and stricter false-positive rates.
    """
    benign = np.array([row.category == BENIGN for row in rows]) & picked
    groups = np.array([row.group for row in rows])
    scales, cuts = [], []
    for column, head in enumerate(HEADS):
        y, used = targets(rows, head)
        scale = platt(logits[used & picked, column], y[used & picked])
        scores = calibrate(logits[:, column], scale)
        strictest = cut_at_fpr(scores[benign], FPR_SEVERITY_4, groups[benign])
        positive = picked & np.array([row.category in POSITIVES[head] - {OFFENSIVE} for row in rows])
        candidates = [c for c in np.unique(np.quantile(scores[positive], np.linspace(0, 1, 201))) if c >= strictest]
        cut4 = max([strictest, *candidates], key=lambda cut: source_f1(scores, positive, benign, groups, cut))
        cut2 = min(cut4, cut_at_fpr(scores[benign], FPR_SEVERITY_2, groups[benign]))
        cuts.append((cut2, cut4, max(cut4, cut_at_fpr(scores[benign], FPR_SEVERITY_6, groups[benign]))))
        scales.append(scale)
    return Calibration(scales, cuts)


def severities(logits: Array, calibration: Calibration) -> list[dict[str, int]]:
    """Our categories' severities per row, as the deployed classifier derives them."""
    columns = []
    for column in range(len(HEADS)):
        score = calibrate(logits[:, column], calibration.scales[column])
        low, mid, high = calibration.cuts[column]
        columns.append(np.where(score >= high, 6, np.where(score >= mid, 4, np.where(score >= low, 2, 0))))
    stacked = np.stack(columns, axis=1)
    return [category_severities(dict(zip(HEADS, map(int, row), strict=True))) for row in stacked]


def held_out_severities(rows: Sequence[Row], logits: Array) -> list[dict[str, int]]:
    """Each source judged with calibration and thresholds chosen on the other sources only."""
    groups = np.array([row.group for row in rows])
    result: list[dict[str, int]] = [{} for _ in rows]
    for group in sorted(set(groups)):
        held = groups == group
        judged = severities(logits[held], choose(rows, logits, ~held))
        for index, found in zip(np.flatnonzero(held), judged, strict=True):
            result[index] = found
    return result


def write_held_out(path: Path, held_out: Sequence[dict[str, int]]) -> None:
    """Each row's held-out severities as one digit per category, in row order (small and diffable)."""
    categories = list(CATEGORY_HEADS)
    encoded = ["".join(str(found[category]) for category in categories) for found in held_out]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
        packed.write(json.dumps({"categories": categories, "severities": encoded}, indent=0).encode())


def read_held_out(path: Path = LOSO_FIGURES) -> list[dict[str, int]]:
    with gzip.open(path, "rt") as handle:
        saved = json.load(handle)
    return [dict(zip(saved["categories"], map(int, digits), strict=True)) for digits in saved["severities"]]


def save(path: Path, weights: Array, biases: Array, calibration: Calibration) -> None:
    """Weights as int8 with one scale per head (a quarter of float32, well inside the heads' precision)."""
    scale = np.maximum(np.abs(weights).max(axis=0), 1e-12) / 127.0
    np.savez_compressed(
        path,
        heads=np.array(HEADS),
        weights=np.round(weights / scale).astype(np.int8),
        weight_scale=scale,
        biases=biases,
        platt=np.array(calibration.scales),
        cuts=np.array(calibration.cuts),
        dimensions=np.int64(DIMENSIONS),
        window=np.int64(WINDOW),
        fingerprint=buckets(normalize(FINGERPRINT_TEXT)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    parser.add_argument("--figures", type=Path, default=LOSO_FIGURES)
    parser.add_argument("--reuse-folds", action="store_true", help=f"reuse out-of-fold logits from {OOF_CACHE}")
    args = parser.parse_args(argv)

    base = training_rows()
    rows = base + long_benign(base)
    print(
        f"{len(base)} rows after de-duplication, {len(rows) - len(base)} long benign texts joined from them; "
        f"window {WINDOW}, {DIMENSIONS} hashed features",
        flush=True,
    )
    matrix, owner = window_matrix([row.text for row in rows])
    if args.reuse_folds:
        logits = np.load(OOF_CACHE)["logits"]
    else:
        logits = out_of_fold(rows, matrix, owner)
        OOF_CACHE.parent.mkdir(exist_ok=True)
        np.savez(OOF_CACHE, logits=logits)
    everything = np.ones(len(rows), dtype=bool)
    calibration = choose(rows, logits, everything)
    held_out = held_out_severities(rows, logits)
    write_held_out(args.figures, held_out[: len(base)])

    weights, biases = fit_heads(rows, ~np.array([in_test_split(row) for row in rows]), matrix, owner)
    save(args.output, weights, biases, calibration)
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes) and {args.figures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
