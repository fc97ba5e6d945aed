"""Our results in OpenAI's shapes: the moderation response, and the `content_filter` error (with Azure's
`innererror.content_filter_result`).

OpenAI's top-level categories come from ours (hate also stands for harassment, which our classifiers
fold into hate). Sub-categories we do not tell apart are reported false with score 0, except the
`.../threatening` and `illicit/violent` ones, which hold when both of their parts are triggered.
"""

from __future__ import annotations

import uuid
from typing import Any

from shared.errors import ApiError
from shared.moderation.models import Action, Category, Decision, ModerationResult

_TOP_LEVEL: dict[str, Category] = {
    "harassment": Category.HATE,
    "hate": Category.HATE,
    "illicit": Category.ILLICIT,
    "self-harm": Category.SELF_HARM,
    "sexual": Category.SEXUAL,
    "violence": Category.VIOLENCE,
}
_COMBINED: dict[str, tuple[Category, Category]] = {
    "harassment/threatening": (Category.HATE, Category.VIOLENCE),
    "hate/threatening": (Category.HATE, Category.VIOLENCE),
    "illicit/violent": (Category.ILLICIT, Category.VIOLENCE),
}
_UNDISTINGUISHED = ("self-harm/intent", "self-harm/instructions", "sexual/minors", "violence/graphic")
_AZURE_HARM = (Category.HATE, Category.SEXUAL, Category.SELF_HARM, Category.VIOLENCE, Category.ILLICIT)


def _score(result: ModerationResult, category: Category) -> float:
    found = result.categories.get(category)
    return round(found.score, 6) if found else 0.0


def openai_result(result: ModerationResult, decision: Decision) -> dict[str, Any]:
    """One entry of `results[]`: OpenAI's fields, then our `severities`, `pii`, `jailbreak`, `blocklist_hits`."""
    categories: dict[str, bool] = {}
    scores: dict[str, float] = {}
    for name, category in _TOP_LEVEL.items():
        categories[name] = category in decision.triggered
        scores[name] = _score(result, category)
    for name, (first, second) in _COMBINED.items():
        categories[name] = first in decision.triggered and second in decision.triggered
        scores[name] = min(_score(result, first), _score(result, second))
    for name in _UNDISTINGUISHED:
        categories[name] = False
        scores[name] = 0.0
    return {
        "flagged": decision.flagged,
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": {name: ["text"] for name in categories},
        "action": decision.action.value,
        "severities": {category.value: result.severity(category) for category in Category},
        "pii": [span.model_dump() for span in result.pii],
        "jailbreak": {
            "detected": Category.JAILBREAK in decision.triggered,
            "severity": result.severity(Category.JAILBREAK),
            "score": _score(result, Category.JAILBREAK),
        },
        "blocklist_hits": [hit.model_dump() for hit in result.blocklist_hits],
        "provider": result.provider,
    }


def moderation_response(results: list[dict[str, Any]], model: str) -> dict[str, Any]:
    return {"id": f"modr-{uuid.uuid4().hex}", "model": model, "results": results}


def severity_label(severity: int) -> str:
    """Azure OpenAI's content filter levels over the 0-7 scale."""
    if severity >= 6:
        return "high"
    if severity >= 4:
        return "medium"
    if severity >= 2:
        return "low"
    return "safe"


def content_filter_result(result: ModerationResult, decision: Decision) -> dict[str, Any]:
    """Azure's per-category `{filtered, severity}` (and `{filtered, detected}` for jailbreak and PII)."""
    blocked = set(decision.categories_with(Action.BLOCK))
    summary: dict[str, Any] = {
        category.value: {"filtered": category in blocked, "severity": severity_label(result.severity(category))}
        for category in _AZURE_HARM
    }
    for category in (Category.JAILBREAK, Category.PII):
        summary[category.value] = {"filtered": category in blocked, "detected": category in decision.triggered}
    summary["custom_blocklists"] = {
        "filtered": Category.BLOCKLIST in blocked,
        "details": sorted(
            (
                {"id": name, "filtered": Category.BLOCKLIST in blocked}
                for name in {hit.blocklist for hit in result.blocklist_hits}
            ),
            key=lambda item: str(item["id"]),
        ),
    }
    return summary


class ContentFilterError(ApiError):
    """400 `content_filter`, OpenAI's shape plus Azure's `innererror` naming the filtered categories."""

    def __init__(self, result: ModerationResult, decision: Decision, *, param: str = "prompt") -> None:
        super().__init__(
            400,
            "The prompt was filtered due to triggering the content management policy "
            f"({', '.join(category.value for category in decision.categories_with(Action.BLOCK))}).",
            code="content_filter",
            param=param,
        )
        self.filter_result = content_filter_result(result, decision)

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["error"]["innererror"] = {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_result": self.filter_result,
        }
        return body
