"""PII and secret detection with checksums where formats have them, plus redaction."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared.moderation.models import PiiSpan


class PiiType(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    US_SSN = "US_SSN"
    CREDIT_CARD = "CREDIT_CARD"
    IBAN = "IBAN"
    IPV4 = "IPV4"
    IPV6 = "IPV6"
    AWS_ACCESS_KEY = "AWS_ACCESS_KEY"
    AWS_SECRET_KEY = "AWS_SECRET_KEY"
    GITHUB_TOKEN = "GITHUB_TOKEN"
    OPENAI_API_KEY = "OPENAI_API_KEY"
    AZURE_STORAGE_KEY = "AZURE_STORAGE_KEY"
    AZURE_CONNECTION_STRING = "AZURE_CONNECTION_STRING"
    SLACK_TOKEN = "SLACK_TOKEN"
    GOOGLE_API_KEY = "GOOGLE_API_KEY"
    STRIPE_KEY = "STRIPE_KEY"
    JWT = "JWT"
    PRIVATE_KEY = "PRIVATE_KEY"
    PASSWORD = "PASSWORD"


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, map letters to 10..35, mod 97 == 1."""
    compact = candidate.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _card_ok(found: str) -> bool:
    digits = _digits(found)
    return 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 1


def _phone_ok(found: str) -> bool:
    return 7 <= len(_digits(found)) <= 15


def _ipv6_ok(found: str) -> bool:
    try:
        ipaddress.IPv6Address(found)
    except ValueError:
        return False
    return found.count(":") >= 2 and any(char not in ":0" for char in found)


def _ssn_ok(found: str) -> bool:
    area, group, serial = re.split(r"[- ]", found)
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


@dataclass(frozen=True, slots=True)
class _Detector:
    type: PiiType
    pattern: re.Pattern[str]
    priority: int
    check: Callable[[str], bool] | None = None
    group: int = 0


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_DETECTORS: tuple[_Detector, ...] = (
    _Detector(
        PiiType.PRIVATE_KEY,
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ "
            r")*PRIVATE KEY"
            r"(?: BLOCK)?-----|\Z)"
        ),
        100,
    ),
    _Detector(
        PiiType.AZURE_CONNECTION_STRING,
        re.compile(
            r"(?:DefaultEndpointsProtocol=https?;|AccountEndpoint=https://|Endpoint=sb://)[^\s\"'<>]*?"
            r"(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/=]{20,}[^\s\"'<>]*"
        ),
        95,
    ),
    _Detector(PiiType.JWT, re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), 90),
    _Detector(PiiType.AWS_ACCESS_KEY, re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), 90),
    _Detector(
        PiiType.AWS_SECRET_KEY,
        re.compile(r"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"),
        90,
        group=1,
    ),
    _Detector(
        PiiType.GITHUB_TOKEN,
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
        90,
    ),
    _Detector(PiiType.OPENAI_API_KEY, re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"), 85),
    _Detector(PiiType.SLACK_TOKEN, re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), 85),
    _Detector(PiiType.GOOGLE_API_KEY, re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), 85),
    _Detector(PiiType.STRIPE_KEY, re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[0-9a-zA-Z]{16,}"), 85),
    _Detector(PiiType.AZURE_STORAGE_KEY, re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])"), 80),
    _Detector(
        PiiType.PASSWORD,
        re.compile(
            r"(?i:(?<![A-Za-z0-9])(?:password|passwd|pwd|passphrase|client_secret|api_?key|secret_?key|"
            r"access_?token))[\"']?"
            r"\s*[:=]\s*[\"']?([^\s\"',;]{6,})"
        ),
        60,
        group=1,
    ),
    _Detector(
        PiiType.EMAIL,
        re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
        70,
    ),
    _Detector(PiiType.IBAN, re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"), 65, iban_valid),
    _Detector(
        PiiType.CREDIT_CARD,
        re.compile(r"(?<![\d-])(?<!\d[ -])\d(?:[ -]?\d){12,18}(?![\d-]|[ -]\d)"),
        60,
        _card_ok,
    ),
    _Detector(
        PiiType.US_SSN,
        re.compile(r"(?<![\d-])(?<!\d[ -])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-]|[ -]\d)"),
        55,
        _ssn_ok,
    ),
    _Detector(PiiType.IPV4, re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.]|\.\d)"), 50),
    _Detector(
        PiiType.IPV6,
        re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"),
        50,
        _ipv6_ok,
    ),
    _Detector(
        PiiType.PHONE,
        re.compile(
            r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)"
            r"|(?<![\w(])(?<!\d[ -])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?!\d|[ -]\d)"
            r"|(?<![\w])(?<!\d[ -])0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?!\d|[ -]\d)"
        ),
        40,
        _phone_ok,
    ),
)


# Cheap substring tests: a detector's regex only runs when one of its markers occurs in the text.
_MARKERS: dict[PiiType, tuple[str, ...]] = {
    PiiType.PRIVATE_KEY: ("PRIVATE KEY",),
    PiiType.AZURE_CONNECTION_STRING: ("AccountKey=", "SharedAccessKey="),
    PiiType.JWT: ("eyJ",),
    PiiType.AWS_ACCESS_KEY: ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    PiiType.AWS_SECRET_KEY: ("=", ":"),
    PiiType.GITHUB_TOKEN: ("gh", "github_pat_"),
    PiiType.OPENAI_API_KEY: ("sk-",),
    PiiType.SLACK_TOKEN: ("xox",),
    PiiType.GOOGLE_API_KEY: ("AIza",),
    PiiType.STRIPE_KEY: ("_live_", "_test_"),
    PiiType.AZURE_STORAGE_KEY: ("==",),
    PiiType.PASSWORD: ("=", ":"),
    PiiType.EMAIL: ("@",),
    PiiType.IPV6: (":",),
}
_NUMERIC = frozenset({PiiType.IBAN, PiiType.CREDIT_CARD, PiiType.US_SSN, PiiType.IPV4, PiiType.PHONE})
_DIGIT = re.compile(r"\d")


def find_pii(text: str, types: Collection[PiiType | str] | None = None) -> list[PiiSpan]:
    """All PII and secret spans in `text`, non-overlapping, in order of position.

    Where candidates overlap, the more specific detector wins (a private key over an e-mail inside it,
    a Luhn-valid card number over a phone number).
    """
    wanted = {PiiType(name) for name in types} if types is not None else None
    candidates: list[tuple[int, int, int, PiiType]] = []
    has_digits = _DIGIT.search(text) is not None
    for detector in _DETECTORS:
        if wanted is not None and detector.type not in wanted:
            continue
        markers = _MARKERS.get(detector.type)
        if markers is not None and not any(marker in text for marker in markers):
            continue
        if detector.type in _NUMERIC and not has_digits:
            continue
        for found in detector.pattern.finditer(text):
            value = found.group(detector.group)
            if detector.check is not None and not detector.check(value):
                continue
            start, end = found.span(detector.group)
            candidates.append((detector.priority, start, end, detector.type))
    accepted: list[tuple[int, int, PiiType]] = []
    for _priority, start, end, kind in sorted(candidates, key=lambda item: (-item[0], -(item[2] - item[1]))):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in accepted):
            accepted.append((start, end, kind))
    return [PiiSpan(type=kind.value, start=start, end=end) for start, end, kind in sorted(accepted)]


def redact(text: str, spans: Iterable[PiiSpan]) -> str:
    """Replace each span with `[REDACTED:<TYPE>]`; overlapping spans are merged into the first."""
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda item: (item.start, -item.end)):
        if span.start < cursor:
            continue
        pieces.append(text[cursor : span.start])
        pieces.append(f"[REDACTED:{span.type}]")
        cursor = max(cursor, span.end)
    pieces.append(text[cursor:])
    return "".join(pieces)
