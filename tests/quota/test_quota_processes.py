"""Several app instances (separate processes) against one user budget never admit past it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from devhost.paths import PROJECT_ROOT
from shared.clients import Clients

PROCESSES = 4
REQUESTS_EACH = 16
TOKENS_EACH = 100
BUDGET = 2_000
STARTUP_S = 8.0


def _start_time() -> float:
    """A start a few seconds ahead that leaves the burst well inside one wall-clock minute."""
    start = time.time() + STARTUP_S
    if start % 60 > 45:
        start = (start // 60 + 1) * 60 + 1
    return start


@dataclass
class Tally:
    admitted_by_minute: dict[str, int]
    refused: int

    @property
    def admitted(self) -> int:
        return sum(self.admitted_by_minute.values())


async def _worker(tenant: str, user: str, start_at: float) -> Tally:
    env = {
        **os.environ,
        "QUOTA_USER_TPM": str(BUDGET),
        "QUOTA_LIMITS_CACHE_SECONDS": "60",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.quota.quota_worker",
        "--tenant", tenant, "--user", user,
        "--requests", str(REQUESTS_EACH), "--tokens", str(TOKENS_EACH), "--start-at", str(start_at),
        cwd=str(PROJECT_ROOT), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()[-2000:]
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    return Tally({str(k): int(v) for k, v in result["admitted_by_minute"].items()}, int(result["refused"]))


async def test_instances_in_separate_processes_never_admit_past_the_budget(clients: Clients) -> None:
    tenant, user = f"tenant-{uuid.uuid4().hex[:8]}", f"user-{uuid.uuid4().hex[:8]}"
    start_at = _start_time()

    results = await asyncio.gather(*(_worker(tenant, user, start_at) for _ in range(PROCESSES)))

    by_minute: Counter[str] = Counter()
    for result in results:
        by_minute.update(result.admitted_by_minute)
    refused = sum(result.refused for result in results)
    admitted_total = sum(by_minute.values())
    per_process = [result.admitted for result in results]
    print(
        f"\nquota across {PROCESSES} processes: admitted {admitted_total} of {BUDGET} tokens "
        f"({admitted_total // TOKENS_EACH} of {PROCESSES * REQUESTS_EACH} requests; "
        f"per process {per_process}; refused {refused}; by minute {dict(by_minute)})"
    )

    assert admitted_total // TOKENS_EACH + refused == PROCESSES * REQUESTS_EACH
    assert all(tokens <= BUDGET for tokens in by_minute.values())
    assert len(by_minute) == 1, "the burst was meant to stay inside one minute"
    assert admitted_total <= BUDGET
    assert admitted_total >= 1_500
