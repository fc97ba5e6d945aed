from __future__ import annotations

import pytest

from shared.moderation.models import PiiSpan
from shared.moderation.pii import PiiType, find_pii, iban_valid, luhn_valid, redact


def types_in(text: str) -> list[str]:
    return [span.type for span in find_pii(text)]


@pytest.mark.parametrize("number", ["4111111111111111", "5500005555555559", "378282246310005", "6011111111111117"])
def test_luhn_accepts_valid_card_numbers(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "5500005555555550", "1234567812345678", "12ab"])
def test_luhn_rejects_invalid_card_numbers(number: str) -> None:
    assert not luhn_valid(number)


@pytest.mark.parametrize(
    "iban", ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606"]
)
def test_iban_accepts_valid_checksums(iban: str) -> None:
    assert iban_valid(iban)


@pytest.mark.parametrize("iban", ["GB82 WEST 1234 5698 7654 33", "DE89370400440532013001", "XX00", "GB82WEST"])
def test_iban_rejects_bad_checksums_and_shapes(iban: str) -> None:
    assert not iban_valid(iban)


def test_card_numbers_need_a_valid_checksum() -> None:
    assert types_in("pay with 4111 1111 1111 1111 today") == [PiiType.CREDIT_CARD]
    assert PiiType.CREDIT_CARD not in types_in("pay with 4111 1111 1111 1112 today")


def test_iban_needs_a_valid_checksum() -> None:
    assert types_in("IBAN DE89 3704 0044 0532 0130 00 please") == [PiiType.IBAN]
    assert types_in("IBAN DE89 3704 0044 0532 0130 01 please") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to sam.lee+work@mail.example.org now", PiiType.EMAIL),
        ("call me on +44 20 7946 0958 tomorrow", PiiType.PHONE),
        ("US office: (212) 555-0147", PiiType.PHONE),
        ("my ssn is 078-05-1120", PiiType.US_SSN),
        ("server at 10.20.30.40 is down", PiiType.IPV4),
        ("ping fe80::1ff:fe23:4567:890a please", PiiType.IPV6),
        ("key AKIAZ7EXAMPLEKEY1234 leaked", PiiType.AWS_ACCESS_KEY),
        ("token ghp_" + "x1Y2" * 9 + " in the log", PiiType.GITHUB_TOKEN),
        ("export OPENAI_API_KEY=sk-proj-" + "Ab3dE6gH9j" * 3, PiiType.OPENAI_API_KEY),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLXZhbHVl end", PiiType.JWT),
        ("slack xoxb-123456789012-abcdefghijkl", PiiType.SLACK_TOKEN),
        ("storage key " + "Qw3rTy7u" * 10 + "Zx9Lm0==" + " here", PiiType.AZURE_STORAGE_KEY),
        ("db_password = 'S3cure!pass'", PiiType.PASSWORD),
    ],
)
def test_detects_each_type(text: str, expected: PiiType) -> None:
    assert expected in types_in(text)


def test_connection_string_and_private_key_are_single_spans() -> None:
    connection = (
        "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey="
        + "a1B2c3D4" * 11
        + "==;EndpointSuffix=core.windows.net"
    )
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
    text = f"conn: {connection}\n{key}\n"
    spans = find_pii(text)
    assert [span.type for span in spans] == [PiiType.AZURE_CONNECTION_STRING, PiiType.PRIVATE_KEY]
    assert text[spans[0].start : spans[0].end] == connection
    assert text[spans[1].start : spans[1].end] == key


@pytest.mark.parametrize(
    "text",
    [
        "Release 1.2.3 shipped on 2024-05-06 with 15 fixes.",
        "The meeting is at 12:30:45 in room 101.",
        "Order number 123456 costs $49.99.",
        "Use the skill tree to unlock more options.",
    ],
)
def test_ordinary_text_has_no_pii(text: str) -> None:
    assert find_pii(text) == []


def test_redact_replaces_spans_with_type_markers() -> None:
    text = "Mail ann@example.com or 10.0.0.7, card 4012888888881881."
    redacted = redact(text, find_pii(text))
    assert redacted == "Mail [REDACTED:EMAIL] or [REDACTED:IPV4], card [REDACTED:CREDIT_CARD]."


def test_redact_uses_given_offsets_and_merges_overlaps() -> None:
    text = "abcdefghij"
    spans = [
        PiiSpan(type="B", start=5, end=8),
        PiiSpan(type="A", start=1, end=3),
        PiiSpan(type="C", start=6, end=7),
    ]
    assert redact(text, spans) == "a[REDACTED:A]de[REDACTED:B]ij"


def test_type_filter_limits_detection() -> None:
    text = "ann@example.com 10.0.0.7"
    assert [span.type for span in find_pii(text, types=[PiiType.IPV4])] == [PiiType.IPV4]
