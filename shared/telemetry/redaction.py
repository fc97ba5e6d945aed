"""Masks secrets and PII in free text before it is logged, with moderation's detector.

PII and secret formats (e-mail, phone, card, IBAN, JWT, cloud keys, `password=`...) are found by
`shared.moderation.pii`, the same detector that redacts prompts, so logs and captures hide the same
things, IP addresses aside (logs need them). Logs also carry credentials in shapes a prompt rarely
does: HTTP authorization values, our own API keys, and named values in headers, connection strings
and SAS URLs; those are added here as spans of type `SECRET`, and everything is masked as
`[REDACTED:<TYPE>]` by the one `redact`.
"""

from __future__ import annotations

import re

from shared.moderation.models import PiiSpan
from shared.moderation.pii import PiiType, find_pii
from shared.moderation.pii import redact as redact_spans

SECRET = "SECRET"
LOGGED_AS_IS = frozenset({PiiType.IPV4, PiiType.IPV6})
"""Addresses stay: logs name backends, emulators and peers by address, and operators need them."""
_MASKED = frozenset(PiiType) - LOGGED_AS_IS
_CREDENTIALS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?i)\b(?:bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})"),
    re.compile(r"\b(cpk_[0-9a-f]{16}_[A-Za-z0-9_-]{20,})"),
    re.compile(
        r"(?i)\b(?:api[-_]?key|x-api-key|ocp-apim-subscription-key|client[-_]?secret|password|pwd|secret"
        r"|access[-_]?token|refresh[-_]?token|sig|signature)\"?\s*[:=]\s*\"?([^\s\"',;&]+)"
    ),
    re.compile(r"(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|InstrumentationKey)=([^;\s\"']+)"),
)


def _credential_spans(text: str) -> list[PiiSpan]:
    return [
        PiiSpan(type=SECRET, start=found.start(1), end=found.end(1))
        for pattern in _CREDENTIALS
        for found in pattern.finditer(text)
    ]


def _merged(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Overlapping spans as one (typed by the first), so no tail of a longer span escapes masking."""
    merged: list[PiiSpan] = []
    for span in sorted(spans, key=lambda item: (item.start, -item.end)):
        if merged and span.start < merged[-1].end:
            merged[-1] = PiiSpan(type=merged[-1].type, start=merged[-1].start, end=max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def redact(text: str) -> str:
    """The text with PII, secrets and credentials masked as `[REDACTED:<TYPE>]`."""
    return redact_spans(text, _merged([*find_pii(text, _MASKED), *_credential_spans(text)]))
