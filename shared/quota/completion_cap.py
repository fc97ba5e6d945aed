"""Budgets that can't be overspent: a completion's output limit is capped at what the budgets hold.

The gateway reserves the prompt estimate plus the reply's limit (the client's `max_tokens` /
`max_completion_tokens`, else the alias's maximum output). When the budgets hold less, the limit is
lowered to what is left; either way it is written into the upstream body, so the upstream can't
produce more than was reserved. Below the alias's floor the request is refused with a 429. The
client sees a lowered limit in `x-ratelimit-capped-completion-tokens`.
"""

from __future__ import annotations

from typing import Any

from shared.gateway.estimate import estimate_request_tokens
from shared.gateway.request import CompletionRequest
from shared.identity.caller import Caller

CAPPED_HEADER = "x-ratelimit-capped-completion-tokens"


def apply_cap(request: CompletionRequest, cap: int) -> None:
    """Write the output limit into the upstream body, in the field(s) the client used."""
    payload = request.payload
    fields = [name for name in ("max_completion_tokens", "max_tokens") if payload.get(name) is not None]
    changed = False
    for name in fields or ["max_completion_tokens"]:
        if payload.get(name) != cap:
            payload[name] = cap
            changed = True
    if changed:
        request.mark_modified()


async def reserve_completion(
    quota: Any, caller: Caller, request: CompletionRequest, prompt_tokens: int, default_reserve: int
) -> tuple[Any, dict[str, str]]:
    """Reserve for one completion, capping its output at what is left: (reservation, extra headers).

    A quota without `reserve_completion` (a test double) gets the all-or-nothing estimate instead.
    """
    limit = request.parsed.completion_limit
    if not hasattr(quota, "reserve_completion"):
        estimate = estimate_request_tokens(request.payload, limit, default_reserve)
        return await quota.reserve(caller, request.alias, estimate), {}
    reservation = await quota.reserve_completion(caller, request.alias, prompt_tokens, limit, request.parsed.n or 1)
    apply_cap(request, int(reservation.completion_cap))
    return reservation, ({CAPPED_HEADER: str(reservation.completion_cap)} if reservation.capped else {})
