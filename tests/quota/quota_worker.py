"""One app instance for the multi-process quota test: fires concurrent reservations, prints the tally.

Run as `python -m tests.quota.quota_worker --tenant T --user U --requests 16 --tokens 100 --start-at EPOCH`
with the stack's app settings (and the budgets under test) in the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter

from shared.clients import Clients
from shared.errors import ApiError
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from shared.quota.models import WindowKind, window_index
from shared.quota.service import QuotaService
from shared.settings import load_settings


async def run(args: argparse.Namespace) -> dict[str, object]:
    clients = Clients(load_settings())
    quota = QuotaService.from_clients(clients)
    caller = Caller(CallerKind.USER, args.tenant, args.user, capabilities=USER_CAPABILITIES)
    await quota.limits.get(args.tenant)  # warm the connection and the limits cache before the start
    await asyncio.sleep(max(0.0, args.start_at - time.time()))

    admitted: Counter[int] = Counter()
    refused = 0

    async def one() -> None:
        nonlocal refused
        try:
            await quota.reserve(caller, "gpt-4o-mini", args.tokens)
        except ApiError as error:
            if error.status != 429:
                raise
            refused += 1
            return
        admitted[window_index(WindowKind.TPM, time.time())] += args.tokens

    started = time.time()
    await asyncio.gather(*(one() for _ in range(args.requests)))
    elapsed = time.time() - started
    await clients.aclose()
    return {
        "admitted_by_minute": {str(k): v for k, v in admitted.items()},
        "refused": refused,
        "elapsed_s": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--requests", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--start-at", type=float, default=0.0)
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
