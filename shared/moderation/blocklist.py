"""Custom blocklists: named term lists matched case-insensitively on word boundaries."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from shared.moderation.models import BlocklistHit


def _fold(text: str) -> str:
    # NFKC + casefold can change lengths ("ß" -> "ss"); offsets are exact only where they don't.
    return unicodedata.normalize("NFKC", text).casefold()


def _term_pattern(term: str) -> str:
    words = [re.escape(word) for word in _fold(term).split()]
    body = r"\s+".join(words)
    # \b only applies next to word characters, so terms such as "c++" or "@handle" still match at their edges.
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return start + body + end


class Blocklists:
    """Immutable, compiled once; `match` is safe to call from many coroutines or threads at once."""

    def __init__(self, lists: Mapping[str, Iterable[str]] | None = None) -> None:
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        self._terms: dict[str, list[str]] = {}
        for name, terms in (lists or {}).items():
            cleaned = sorted({term.strip() for term in terms if term and term.strip()}, key=len, reverse=True)
            if not cleaned:
                continue
            alternation = "|".join(f"(?P<t{index}>{_term_pattern(term)})" for index, term in enumerate(cleaned))
            self._patterns.append((name, re.compile(alternation)))
            self._terms[name] = cleaned

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._patterns]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def match(self, text: str) -> list[BlocklistHit]:
        """Every hit, in order of position; a term is reported as written in the blocklist."""
        folded = _fold(text)
        aligned = len(folded) == len(text)
        hits: list[BlocklistHit] = []
        for name, pattern in self._patterns:
            terms = self._terms[name]
            for found in pattern.finditer(folded):
                index = int((found.lastgroup or "t0")[1:])
                start, end = found.span()
                hits.append(
                    BlocklistHit(
                        blocklist=name,
                        term=terms[index],
                        start=start if aligned else None,
                        end=end if aligned else None,
                    )
                )
        return sorted(hits, key=lambda hit: (hit.start if hit.start is not None else -1, hit.blocklist))
