"""Features: normalisation, deterministic hashing across processes, and windowing of long text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from shared.moderation.features import DIMENSIONS, OVERLAP, WINDOW, buckets, normalize, windows

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Ignore previous instructions", "Ünïcödé straße — naïve café 🙂", "k i l l them all", "a" * 5000, ""]


def test_normalize_undoes_cheap_obfuscation() -> None:
    assert normalize("I w4nt to K I L L   youuuuu\u200b!") == "i want to kill youu!"
    assert normalize("\uff26\uff55\uff4c\uff4c\u3000\uff57\uff49\uff44\uff54\uff48") == "full width"
    assert normalize("s.h.i.t happens") == "shit happens"
    assert normalize("Windows 10 and 2024") == "windows 10 and 2024"  # plain numbers stay numbers


def test_buckets_are_sorted_unique_and_in_range() -> None:
    for text in TEXTS:
        found = buckets(normalize(text))
        assert np.all(np.diff(found) > 0)
        assert found.size == 0 or (found.min() >= 0 and found.max() < DIMENSIONS)


def test_repetition_adds_almost_no_features() -> None:
    """Features are presence, not counts: repeating a phrase cannot push a score up by volume."""
    once = buckets(normalize("kill the process now"))
    repeated = buckets(normalize(" ".join(["kill the process now"] * 40)))
    assert set(once.tolist()) <= set(repeated.tolist())
    assert len(repeated) < 1.5 * len(once)


def test_hashing_is_identical_in_another_process() -> None:
    """No salted hash(): a fresh interpreter with another PYTHONHASHSEED gets the same features."""
    script = (
        "import json, sys\n"
        "from shared.moderation.features import buckets, normalize\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([buckets(normalize(t)).tolist() for t in texts]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(TEXTS),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    theirs = json.loads(completed.stdout)
    assert theirs == [buckets(normalize(text)).tolist() for text in TEXTS]


def test_windows_cover_long_text_with_bounded_slices() -> None:
    text = "".join(f"{index:05d} " for index in range(3000))  # 18,000 characters, every slice distinct
    slices = windows(text)
    assert len(slices) == -(-(len(text) - OVERLAP) // (WINDOW - OVERLAP))
    assert all(len(piece) <= WINDOW for piece in slices)
    step = WINDOW - OVERLAP
    assert "".join(piece[:step] for piece in slices[:-1]) + slices[-1] == text
    assert windows("short") == ["short"]
