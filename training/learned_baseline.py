"""Leave-one-source-out figures for learned heads, measured exactly as `training.evaluate_rules` measures the rules.

Usage (from the project root; training-only packages from requirements-train.txt):
    .venv/bin/python -m training.learned_baseline ngrams     # hashed word 1-2-grams + char 3-5-grams
    .venv/bin/python -m training.learned_baseline wordllama  # mean of WordLlama's pretrained token embeddings

One logistic head per category of the data (jailbreak and injection share one), fitted on every source but
one and scored on that one, for each source in turn. Each head's cut is the out-of-fold score that flags
`--budget` of all benign rows, a choice that sees every source's scores and so flatters the heads: they are
compared with the rules on the most favourable footing we can give them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import hstack
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from training.data import DEV, Row, training_rows
from training.metrics import Severities, benign_fpr, by_source, source_table, usable

HEADS: dict[str, frozenset[str]] = {
    "hate": frozenset({"hate"}),
    "harassment": frozenset({"harassment"}),
    "sexual": frozenset({"sexual"}),
    "self_harm": frozenset({"self_harm"}),
    "violence": frozenset({"violence"}),
    "illicit": frozenset({"illicit"}),
    "jailbreak": frozenset({"jailbreak", "injection"}),
}
SEED = 0


def ngram_features(texts: Sequence[str]):  # type: ignore[no-untyped-def]
    words = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False, binary=True)
    chars = HashingVectorizer(
        n_features=2**18, analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False, binary=True
    )
    return hstack([words.transform(texts), chars.transform(texts)]).tocsr()


def wordllama_features(texts: Sequence[str]) -> NDArray[np.float32]:
    import wordllama
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    home = os.path.dirname(wordllama.__file__)
    table = load_file(f"{home}/weights/l2_supercat_256.safetensors")["embedding.weight"].astype(np.float32)
    tokenizer = Tokenizer.from_file(f"{home}/tokenizers/l2_supercat_tokenizer_config.json")
    tokenizer.no_truncation()
    pooled = np.stack(
        [
            table[encoding.ids].mean(axis=0) if encoding.ids else np.zeros(table.shape[1], np.float32)
            for encoding in tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ]
    )
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True) + 1e-6
    standardised: NDArray[np.float32] = (pooled - pooled.mean(axis=0)) / (pooled.std(axis=0) + 1e-6)
    return standardised


def out_of_fold(rows: list[Row], features, c: float) -> NDArray[np.float64]:  # type: ignore[no-untyped-def]
    groups = np.array([row.group for row in rows])
    categories = np.array([row.category for row in rows])
    scores = np.zeros((len(rows), len(HEADS)))
    for group in sorted(set(groups)):
        train, test = groups != group, groups == group
        for column, positives in enumerate(HEADS.values()):
            target = np.isin(categories, list(positives))
            if target[train].any():
                head = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
                head.fit(features[train], target[train])
                scores[test, column] = head.decision_function(features[test])
    return scores


def severities(scores: NDArray[np.float64], cuts: NDArray[np.float64]) -> list[Severities]:
    flagged = scores > cuts
    names = list(HEADS)
    found: list[Severities] = []
    for row in flagged:
        severity = {name: 4 if hit else 0 for name, hit in zip(names, row, strict=True)}
        severity["hate"] = max(severity["hate"], severity.pop("harassment"))
        found.append(severity)
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("features", choices=("ngrams", "wordllama"))
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--budget", type=float, default=0.01, help="share of benign rows each head may flag")
    args = parser.parse_args()
    rows = usable(training_rows())
    texts = [row.text for row in rows]
    features = ngram_features(texts) if args.features == "ngrams" else wordllama_features(texts)
    scores = out_of_fold(rows, features, args.c)
    benign = np.array([not row.flagged for row in rows])
    cuts = np.quantile(scores[benign], 1 - args.budget, axis=0)
    predicted = severities(scores, cuts)
    print(f"{len(rows)} rows, {args.features} features, C={args.c}, benign budget {args.budget:.1%} per head")
    print(source_table(by_source(rows, predicted)))
    dev = [(row, found) for row, found in zip(rows, predicted, strict=True) if row.dataset == DEV.name]
    short, long = benign_fpr([row for row, _ in dev], [found for _, found in dev])
    print(f"dev benign FPR: short {short.fpr:.4f} ({short.fp}/{short.fp + short.tn}), over 1 KB {long.fpr:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
