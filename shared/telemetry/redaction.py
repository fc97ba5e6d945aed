"""Masks secrets and PII-looking strings in free text before it is logged."""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"

_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"\bcpk_[0-9a-f]{16}_[A-Za-z0-9_-]{20,}"), REDACTED),
    (
        re.compile(
            r"(?i)\b(api[-_]?key|x-api-key|ocp-apim-subscription-key|client[-_]?secret|password|pwd|secret"
            r"|access[-_]?token|refresh[-_]?token|sig|signature)(\"?\s*[:=]\s*\"?)[^\s\"',;&]+"
        ),
        rf"\1\2{REDACTED}",
    ),
    (
        re.compile(r"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature|InstrumentationKey)=[^;\s\"']+"),
        rf"\1={REDACTED}",
    ),
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d{1,3}[\s.-]?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]?\d{3,4}(?!\w)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[CARD]" if _luhn_valid(digits) else match.group(0)


def redact(text: str) -> str:
    """The text with bearer tokens, keys, connection-string secrets, emails, phones and cards masked."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    if "@" in text:
        text = _EMAIL.sub("[EMAIL]", text)
    text = _CARD.sub(_mask_card, text)
    return _PHONE.sub("[PHONE]", text)
