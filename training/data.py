"""The vendored moderation data (data/moderation-dev, data/moderation-extra), read from its gzip parts.

Rows of both sets are de-duplicated against each other on normalised text (NFKC, case folding,
punctuation removed, whitespace collapsed), the same normalisation the sets' own cleaning used.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "data" / "moderation-dev"
EXTRA = ROOT / "data" / "moderation-extra"
BENIGN = "benign"
# A weak label (profanity without a target) that is not a category of ours: never a positive.
OFFENSIVE = "offensive"

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: str
    category: str
    source: str
    dataset: str

    @property
    def group(self) -> str:
        """The repository a row came from: the unit left out together in cross-validation."""
        return self.source.split(":", 1)[0]

    @property
    def flagged(self) -> bool:
        return self.label == "flagged"


def in_test_split(row: Row) -> bool:
    """A fixed tenth of the rows (by a stable hash of the normalised text) that the committed heads never
    see, so that tests can hold them to recall floors. Cross-validation still uses every row."""
    return zlib.crc32(dedup_key(row.text).encode()) % 10 == 0


def dedup_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _PUNCTUATION.sub("", folded)).strip()


def load_rows(folder: Path) -> list[Row]:
    """Every row of one vendored set, in file order (`prompts*.jsonl.gz`, parts in name order)."""
    rows: list[Row] = []
    for part in sorted(folder.glob("prompts*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    raw = json.loads(line)
                    rows.append(Row(raw["text"], raw["label"], raw["category"], raw["source"], folder.name))
    if not rows:
        raise FileNotFoundError(f"no prompts*.jsonl.gz under {folder}")
    return rows


def deduplicated(*sets: list[Row]) -> list[Row]:
    """The first occurrence of each normalised text; texts seen with conflicting labels are dropped."""
    first: dict[str, Row] = {}
    conflicting: set[str] = set()
    for rows in sets:
        for row in rows:
            key = dedup_key(row.text)
            if not key:
                continue
            seen = first.get(key)
            if seen is None:
                first[key] = row
            elif seen.label != row.label:
                conflicting.add(key)
    return [row for key, row in first.items() if key not in conflicting]


def training_rows() -> list[Row]:
    """The development set first (its labels win), then the extra rows it does not already hold."""
    return deduplicated(load_rows(DEV), load_rows(EXTRA))


def long_benign(rows: list[Row], size: int = 1500) -> list[Row]:
    """Benign rows of each source joined into texts of about `size` characters.

    Almost every long text in the data is a jailbreak, so without these the heads would learn that
    length itself is suspicious. They are training material only, never counted in any figure.
    """
    joined: list[Row] = []
    for group in sorted({row.group for row in rows}):
        texts = [row.text for row in rows if row.group == group and row.category == BENIGN]
        current: list[str] = []
        for text in texts:
            current.append(text)
            if sum(len(part) + 2 for part in current) >= size:
                joined.append(Row("\n\n".join(current), "benign", BENIGN, f"{group}:joined", "joined"))
                current = []
    return joined
