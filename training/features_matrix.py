"""Rows -> the sparse feature matrix the heads are trained on (one sample per analysed window)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from shared.moderation.features import DIMENSIONS, buckets, normalize, windows


def window_matrix(texts: Sequence[str]) -> tuple[sparse.csr_matrix, npt.NDArray[np.int64]]:
    """One L2-normalised binary row per window, and for each window the index of its text."""
    indptr = [0]
    indices: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float32]] = []
    owner: list[int] = []
    for position, text in enumerate(texts):
        for window in windows(normalize(text)):
            found = buckets(window)
            indices.append(found)
            values.append(np.full(len(found), 1.0 / np.sqrt(max(len(found), 1)), dtype=np.float32))
            indptr.append(indptr[-1] + len(found))
            owner.append(position)
    matrix = sparse.csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=(len(owner), DIMENSIONS)
    )
    return matrix, np.array(owner, dtype=np.int64)


def max_per_text(
    window_scores: npt.NDArray[np.float64], owner: npt.NDArray[np.int64], texts: int
) -> npt.NDArray[np.float64]:
    """A text's score per head is the maximum over its windows, as at run time."""
    result = np.full((texts, window_scores.shape[1]), -np.inf)
    np.maximum.at(result, owner, window_scores)
    return result
