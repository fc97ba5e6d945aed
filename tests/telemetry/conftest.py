"""The `telemetry` fixture: in-memory span exporter and metric reader, installed once per process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.telemetry.telemetry_support import Telemetry, use_in_memory_telemetry


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    exporter, reader = use_in_memory_telemetry()
    exporter.clear()
    yield Telemetry(exporter, reader)
    exporter.clear()
