"""Loaded by a dev host that `bench/gateway.py --time-moderator` starts (this directory on its PYTHONPATH):
times every embedded analysis with the serving thread's CPU clock and writes calls and seconds as JSON
to $GATEWAY_BENCH_PROBE at exit, so the rule engine's share of the host's CPU is measured, not guessed."""

from __future__ import annotations

import atexit
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time
from types import ModuleType
from typing import Any

TARGET = "shared.moderation.embedded"
_totals = {"calls": 0, "seconds": 0.0}


def _wrap(module: ModuleType) -> None:
    original = module.EmbeddedModerator.analyze_sync

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            _totals["calls"] += 1
            _totals["seconds"] += time.thread_time() - started

    module.EmbeddedModerator.analyze_sync = timed


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _wrap(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def _write() -> None:
    with open(os.environ["GATEWAY_BENCH_PROBE"], "w") as out:
        json.dump(_totals, out)


if os.environ.get("GATEWAY_BENCH_PROBE"):
    sys.meta_path.insert(0, _Finder())
    atexit.register(_write)
