"""Where the local stack keeps its state: a git-ignored `.local/` under the project root."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def local_dir() -> Path:
    path = Path(os.environ.get("DEVHOST_LOCAL_DIR", PROJECT_ROOT / ".local"))
    path.mkdir(parents=True, exist_ok=True)
    return path
