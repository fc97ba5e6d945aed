"""The tenant-wide usage and cost report: usage documents summed by user, model and/or day, paged.

A tenant's documents for the period are read in one cross-partition query (one per user, day and
model: at most users x days x models) and summed in memory; pages are slices of the sorted rows, so
a cursor is an offset bound to the exact query it pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.gateway.usage import COUNTERS
from shared.quota.pricing import nano_to_usd

GroupBy = Literal["user", "model", "day"]
GROUPS: tuple[GroupBy, ...] = ("day", "user", "model")


class UsageReportRow(BaseModel):
    user: str | None = None
    model: str | None = None
    day: str | None = None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    requests: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float


class UsageReport(BaseModel):
    object: Literal["list"] = "list"
    tenant: str
    days: int
    group_by: list[GroupBy]
    data: list[UsageReportRow]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")
    total_cost_usd: float = Field(description="Over the whole period, every page together.")


class UsageReportQuery(BaseModel):
    days: int = Field(30, ge=1, le=366, description="UTC days back from today, today included.")
    group_by: str = Field("user,model,day", description="Comma-separated subset of user, model, day.")
    limit: int = Field(100, ge=1, le=1000, description="Page size.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    tenant: str | None = Field(None, description="Another tenant (platform admins only).")


def parse_group_by(raw: str) -> list[GroupBy] | None:
    """The requested grouping in canonical order (day, user, model); None when malformed."""
    names = {part.strip() for part in raw.split(",") if part.strip()}
    if not names or not names <= set(GROUPS):
        return None
    return [name for name in GROUPS if name in names]


def summarise(documents: Iterable[dict[str, Any]], group_by: list[GroupBy]) -> tuple[list[UsageReportRow], int]:
    """Rows summed per group (newest day first, then user, then model), and the total nano-dollars."""
    sums: dict[tuple[str, ...], list[int]] = {}
    for doc in documents:
        key = tuple(str(doc.get(name, "")) for name in group_by)
        totals = sums.setdefault(key, [0] * (len(COUNTERS) + 1))
        for index, name in enumerate((*COUNTERS, "cost_nano")):
            totals[index] += int(doc.get(name, 0) or 0)
    rows = []
    for key, totals in sums.items():
        counts = dict(zip(COUNTERS, totals, strict=False))
        rows.append(UsageReportRow(**dict(zip(group_by, key, strict=True)), **counts, cost_usd=nano_to_usd(totals[-1])))
    rows.sort(key=lambda row: (row.user or "", row.model or ""))
    rows.sort(key=lambda row: row.day or "", reverse=True)
    return rows, sum(totals[-1] for totals in sums.values())
