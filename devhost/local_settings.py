"""Loads `local.settings.json` (or the committed sample) into the environment, as `func start` does."""

from __future__ import annotations

import json
import os
from pathlib import Path

from devhost.paths import PROJECT_ROOT


def settings_file() -> Path:
    own = PROJECT_ROOT / "local.settings.json"
    return own if own.exists() else PROJECT_ROOT / "local.settings.sample.json"


def apply_local_settings(overrides: dict[str, str] | None = None) -> Path:
    """Environment variables already set win, then `overrides`, then the file's `Values`."""
    path = settings_file()
    values: dict[str, str] = {k: str(v) for k, v in json.loads(path.read_text()).get("Values", {}).items()}
    values.update(overrides or {})
    for name, value in values.items():
        os.environ.setdefault(name, value)
    return path
