"""Hashed word and character n-gram features, the same at training and at run time.

Hashing is deterministic across processes and machines (crc32 for words, a fixed polynomial hash over
code points for characters, both with a fixed mixer), never Python's salted `hash()`. Text is analysed in
windows of at most `WINDOW` characters so that the cost per call is linear in the input and bounded per
window; a text's score is the maximum over its windows.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np
import numpy.typing as npt

DIMENSIONS = 1 << 18
WINDOW = 2048
OVERLAP = 256
CHAR_NGRAMS = (3, 4, 5)

Buckets = npt.NDArray[np.int64]

_MASK = np.uint64(DIMENSIONS - 1)
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_SPACED = re.compile(r"(?<!\w)[^\W\d_](?:[ .\-_*][^\W\d_]){2,}(?!\w)")
_SEPARATORS = re.compile(r"[ .\-_*]")
_LEET = re.compile(r"(?<=[a-z])[013457@$]+(?=[a-z])")
_LEET_MAP = str.maketrans("013457@$", "oieastas")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    """NFKC, case-folded, with invisible characters, spaced-out letters ("k i l l"), leet inside words
    ("k1ll") and elongations ("sooooo") undone. Every step is a single linear pass."""
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    folded = _SPACED.sub(lambda found: _SEPARATORS.sub("", found.group(0)), folded)
    folded = _LEET.sub(lambda found: found.group(0).translate(_LEET_MAP), folded)
    folded = _ELONGATED.sub(r"\1\1", folded)
    return _SPACES.sub(" ", folded).strip()


def windows(normalized: str) -> list[str]:
    """Overlapping slices of at most WINDOW characters covering the whole text."""
    if len(normalized) <= WINDOW:
        return [normalized]
    step = WINDOW - OVERLAP
    return [normalized[start : start + WINDOW] for start in range(0, len(normalized) - OVERLAP, step)]


def _mix(values: npt.NDArray[np.uint64], seed: int) -> Buckets:
    mixed = (values + np.uint64(seed)) * _MIX
    mixed ^= mixed >> np.uint64(29)
    mixed *= _PRIME
    mixed ^= mixed >> np.uint64(32)
    return (mixed & _MASK).astype(np.int64)


def buckets(window: str) -> Buckets:
    """Sorted unique feature indices of one normalised window: word 1-2-grams and char 3-5-grams."""
    padded = f" {window} "
    points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts: list[Buckets] = []
    for size in CHAR_NGRAMS:
        count = len(points) - size + 1
        if count <= 0:
            continue
        hashed = np.full(count, size, dtype=np.uint64)
        for offset in range(size):
            hashed = hashed * _PRIME + points[offset : offset + count]
        parts.append(_mix(hashed, 0xC4A2))
    words = np.array([zlib.crc32(word.encode()) for word in _WORD.findall(window)], dtype=np.uint64)
    if len(words):
        parts.append(_mix(words, 0x5701))
        parts.append(_mix(words[:-1] * _PRIME + words[1:], 0xB162))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    ordered = np.sort(np.concatenate(parts))
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
