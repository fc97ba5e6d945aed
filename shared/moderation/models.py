"""Provider-neutral moderation results shared by every moderator."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, Field


class Category(StrEnum):
    """Our categories. The first four are Azure AI Content Safety's harm categories."""

    HATE = "hate"
    SEXUAL = "sexual"
    SELF_HARM = "self_harm"
    VIOLENCE = "violence"
    ILLICIT = "illicit"
    JAILBREAK = "jailbreak"
    PII = "pii"
    BLOCKLIST = "blocklist"


HARM_CATEGORIES: tuple[Category, ...] = (
    Category.HATE,
    Category.SEXUAL,
    Category.SELF_HARM,
    Category.VIOLENCE,
    Category.ILLICIT,
)

TextKind = Literal["prompt", "completion"]


class CategoryResult(BaseModel):
    """One category's verdict. Severity uses Content Safety's 0-7 scale (0, 2, 4, 6 in practice)."""

    category: Category
    severity: int = Field(ge=0, le=7)
    score: float = Field(ge=0.0, le=1.0)


class PiiSpan(BaseModel):
    type: str
    start: int
    end: int


class BlocklistHit(BaseModel):
    blocklist: str
    term: str
    start: int | None = None
    end: int | None = None


class ModerationResult(BaseModel):
    """What a provider found in one text; the policy turns it into a decision."""

    categories: dict[Category, CategoryResult]
    pii: list[PiiSpan] = Field(default_factory=list)
    blocklist_hits: list[BlocklistHit] = Field(default_factory=list)
    provider: str

    def severity(self, category: Category) -> int:
        found = self.categories.get(category)
        return found.severity if found else 0


class Moderator(Protocol):
    """A moderation provider: embedded (offline) or Azure AI Content Safety."""

    name: str

    async def analyze(
        self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()
    ) -> ModerationResult: ...

    async def aclose(self) -> None: ...


class Action(StrEnum):
    """What the policy does with content at or above a category's threshold, weakest first."""

    ALLOW = "allow"
    FLAG = "flag"
    REDACT = "redact"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_ORDER.index(self)


_ACTION_ORDER: tuple[Action, ...] = (Action.ALLOW, Action.FLAG, Action.REDACT, Action.BLOCK)


class Decision(BaseModel):
    """The policy's verdict on one result: `triggered` maps each category at/above its threshold to its action."""

    action: Action = Action.ALLOW
    triggered: dict[Category, Action] = Field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    @property
    def flagged(self) -> bool:
        return self.action is not Action.ALLOW

    @property
    def redact_pii(self) -> bool:
        return self.triggered.get(Category.PII) is Action.REDACT

    def categories_with(self, action: Action) -> list[Category]:
        return [category for category, taken in self.triggered.items() if taken is action]
