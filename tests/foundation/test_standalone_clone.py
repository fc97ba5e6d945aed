"""The repository stands on its own: a clone with nothing beside it passes the unit subset.

The committed HEAD is cloned into a temporary folder (no `../shared` next to it, no `.venv`, no
`.local`) and `pytest -m "not stack"` runs there with this interpreter. Uncommitted changes are not
part of the clone, as they would not be part of anyone else's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSIDE_CLONE = "COPILOT_STANDALONE_CLONE"
"""Set for the run inside the clone, so that run never clones again."""
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT", "CHECKOV_BIN")
RUN_TIMEOUT_S = 1800

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(INSIDE_CLONE in os.environ, reason="already running inside the standalone clone"),
]


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=True)
    return done.stdout.strip()


def test_a_clone_with_nothing_beside_it_passes_the_unit_subset(tmp_path: Path) -> None:
    head = _git("rev-parse", "HEAD", cwd=PROJECT_ROOT)
    clone = tmp_path / "alone" / "copilot-platform-functions"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", str(PROJECT_ROOT), str(clone)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    _git("-c", "advice.detachedHead=false", "checkout", "--quiet", head, cwd=clone)
    assert not (clone.parent / "shared").exists()
    assert not (clone / ".venv").exists() and not (clone / ".local").exists()

    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env[INSIDE_CLONE] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "not stack", "-q", "-p", "no:cacheprovider"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )

    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
