"""What the dev host honours from host.json, read the way the Functions host reads it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_TIMESPAN = re.compile(r"^(\d+):(\d{2}):(\d{2})(\.\d+)?$")


def timespan_seconds(value: str) -> float:
    match = _TIMESPAN.match(value)
    if not match:
        raise ValueError(f"not a TimeSpan (hh:mm:ss[.fff]): {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + float(fraction or 0)


@dataclass(frozen=True)
class QueueOptions:
    batch_size: int = 16
    new_batch_threshold: int = 8
    max_polling_interval_s: float = 2.0
    visibility_timeout_s: float = 0.0
    max_dequeue_count: int = 5
    message_encoding: str = "base64"


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = "api"
    queues: QueueOptions = QueueOptions()

    @classmethod
    def load(cls, path: Path) -> HostConfig:
        document = json.loads(path.read_text())
        extensions = document.get("extensions", {})
        route_prefix = extensions.get("http", {}).get("routePrefix", "api").strip("/")
        raw = extensions.get("queues", {})
        batch_size = int(raw.get("batchSize", 16))
        queues = QueueOptions(
            batch_size=batch_size,
            new_batch_threshold=int(raw.get("newBatchThreshold", batch_size // 2)),
            max_polling_interval_s=max(0.1, timespan_seconds(raw.get("maxPollingInterval", "00:00:02"))),
            visibility_timeout_s=timespan_seconds(raw.get("visibilityTimeout", "00:00:00")),
            max_dequeue_count=int(raw.get("maxDequeueCount", 5)),
            message_encoding=raw.get("messageEncoding", "base64"),
        )
        return cls(route_prefix=route_prefix, queues=queues)
