"""The rate-limit headers and the 429 error, in the shape OpenAI clients expect."""

from __future__ import annotations

import math

from shared.errors import ApiError
from shared.quota.models import WindowKind, format_duration
from shared.quota.pricing import nano_to_usd

LIMIT_HEADER = "x-ratelimit-limit-tokens"
REMAINING_HEADER = "x-ratelimit-remaining-tokens"
RESET_HEADER = "x-ratelimit-reset-tokens"


def rate_limit_headers(limit: int, remaining: int, reset_s: float) -> dict[str, str]:
    return {
        LIMIT_HEADER: str(limit),
        REMAINING_HEADER: str(max(0, remaining)),
        RESET_HEADER: format_duration(reset_s),
    }


def quota_exceeded(
    level: str, kind: WindowKind, *, limit: int, remaining: int, reset_s: float, requested: int
) -> ApiError:
    """429 for a request the `level` ('user' or 'tenant') budget of window `kind` can't cover."""
    period = kind.period
    if requested > limit:
        detail = f"Request needs about {requested} tokens, over the {level} limit of {limit} per {period}."
    else:
        detail = (
            f"Rate limit reached for {level} tokens per {period}: limit {limit}, "
            f"about {max(0, remaining)} left, request needs about {requested}."
        )
    retry_after = max(1, math.ceil(reset_s))
    headers = {"Retry-After": str(retry_after), **rate_limit_headers(limit, remaining, reset_s)}
    return ApiError(
        429,
        f"{detail} Try again in {format_duration(reset_s)}.",
        type="rate_limit_error",
        code="rate_limit_exceeded",
        headers=headers,
    )


def spend_exceeded(
    level: str, kind: WindowKind, *, limit: int, remaining: int, reset_s: float, requested: int
) -> ApiError:
    """429 `insufficient_quota` for a request the `level` money budget of window `kind` can't cover
    (amounts in nano-dollars)."""
    detail = (
        f"You exceeded the {level} spending limit per {kind.period}: limit ${nano_to_usd(limit):.2f}, "
        f"about ${nano_to_usd(max(0, remaining)):.4f} left, request needs about ${nano_to_usd(requested):.4f}."
    )
    return ApiError(
        429,
        f"{detail} The limit resets in {format_duration(reset_s)}.",
        type="insufficient_quota",
        code="insufficient_quota",
        headers={"Retry-After": str(max(1, math.ceil(reset_s)))},
    )
