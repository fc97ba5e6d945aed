"""The embedded moderator: learned heads for harm and prompt attacks, exact rules for the rest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from shared.moderation.attack_templates import matched_templates
from shared.moderation.blocklist import Blocklists
from shared.moderation.classifier import Heads, load_heads
from shared.moderation.features import normalize
from shared.moderation.models import HARM_CATEGORIES, Category, CategoryResult, ModerationResult, PiiSpan, TextKind
from shared.moderation.pii import PiiType, find_pii

# Secrets leak access; government and financial identifiers are worse than contact details.
_PII_SEVERITY: dict[str, int] = {
    **{kind.value: 6 for kind in PiiType},
    PiiType.US_SSN: 4,
    PiiType.CREDIT_CARD: 4,
    PiiType.IBAN: 4,
    PiiType.EMAIL: 2,
    PiiType.PHONE: 2,
    PiiType.IPV4: 2,
    PiiType.IPV6: 2,
}
_SCORE_FOR_SEVERITY = {0: 0.0, 2: 0.4, 4: 0.7, 6: 1.0}


class EmbeddedModerator:
    """Offline `Moderator`. Construct once per process; `analyze` is safe to call concurrently.

    The heads are loaded once per process and shared. Scoring is pure CPU, linear in the text and well
    under a millisecond per KB, so it runs inline rather than in a thread pool.
    """

    name = "embedded"

    def __init__(self, blocklists: Mapping[str, Iterable[str]] | None = None, *, detect_pii: bool = True) -> None:
        self._heads: Heads = load_heads()
        self._blocklists = Blocklists(blocklists)
        self._detect_pii = detect_pii

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        return self.analyze_sync(text, kind=kind, documents=documents)

    def analyze_sync(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        normalized = normalize(text)
        verdict = self._heads.score_normalized(normalized)
        categories: dict[Category, CategoryResult] = {}
        for category in HARM_CATEGORIES:
            score, severity = verdict.category(category.value)
            categories[category] = CategoryResult(category=category, severity=severity, score=score)
        # Completions are the model's own words: only the documents sent with them can carry an attack.
        attacks = [self.attack(normalize(document)) for document in documents]
        if kind == "prompt":
            attacks.append(self.attack(normalized, verdict.category(Category.JAILBREAK.value)))
        score, severity = max(attacks, default=(0.0, 0))
        categories[Category.JAILBREAK] = CategoryResult(category=Category.JAILBREAK, severity=severity, score=score)
        pii = find_pii(text) if self._detect_pii else []
        pii_severity = max((_PII_SEVERITY[span.type] for span in pii), default=0)
        categories[Category.PII] = CategoryResult(
            category=Category.PII, severity=pii_severity, score=_SCORE_FOR_SEVERITY[pii_severity]
        )
        hits = self._blocklists.match(text) if self._blocklists else []
        categories[Category.BLOCKLIST] = CategoryResult(
            category=Category.BLOCKLIST, severity=6 if hits else 0, score=1.0 if hits else 0.0
        )
        ordered = {category: categories[category] for category in Category}
        return ModerationResult(categories=ordered, pii=pii, blocklist_hits=hits, provider=self.name)

    def attack(self, normalized: str, learned: tuple[float, int] | None = None) -> tuple[float, int]:
        """Jailbreak/injection score and severity of normalised text: a known template is certain, else the
        attack head decides."""
        if matched_templates(normalized):
            return 1.0, 6
        if learned is None:
            learned = self._heads.score_normalized(normalized).category(Category.JAILBREAK.value)
        return learned

    def find_pii(self, text: str) -> list[PiiSpan]:
        return find_pii(text)

    async def aclose(self) -> None:
        return None
