"""What travels on one of the platform's queues: the envelope's `type` name, its payload model, and the
result message a job posts back. Each queue declares its contract once, beside its payload model; the
consumer checks every message against it (`shared.queues.consumer.consume`) and the published JSON
Schemas are generated from it (`shared.queues.catalog`).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class Message(Generic[P]):
    """One kind of message: an `Envelope[payload]` whose `type` is exactly `type`."""

    type: str
    payload: builtins.type[P]


@dataclass(frozen=True)
class QueueContract(Generic[P]):
    queue: str
    message: Message[P]
    summary: str
    result: Message[Any] | None = None
    """What a job posts to the `result_queue` its message names, if it names one."""
