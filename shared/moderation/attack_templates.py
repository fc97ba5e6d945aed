"""Known, published prompt-attack templates, matched on normalised text.

Only signatures of named templates (DAN, developer mode, AIM, the instruction-override and
prompt-extraction formulas) belong here: each is the template's own wording, so a match is exact
evidence. Everything fuzzier is the learned attack head's job.
"""

from __future__ import annotations

import re

TEMPLATES: dict[str, str] = {
    "dan": r"\bdo anything now\b",
    "developer_mode": r"\bdeveloper mode (?:enabled|output|v2)\b",
    "aim": r"\balways intelligent and machiavellian\b",
    "jailbreak_tag": r"\[🔓 ?jailbreak\]",
    "override": r"\b(?:ignore|disregard|forget) (?:all )?(?:of )?(?:the |your )?(?:previous|prior|above|preceding|"
    r"earlier) (?:instructions|prompts?|directions|rules)\b",
    "extract": r"\b(?:reveal|print|repeat|show|output) (?:me )?(?:your|the) (?:system prompt|initial instructions|"
    r"hidden instructions)\b",
}
_ANY = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in TEMPLATES.items()))


def matched_templates(normalized: str) -> list[str]:
    """Names of the templates found in text already passed through `features.normalize`."""
    return sorted({found.lastgroup for found in _ANY.finditer(normalized) if found.lastgroup})
