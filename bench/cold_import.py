"""Cold import of function_app vs a bare azure.functions app, measured with `python -X importtime`.

Usage: .venv/bin/python bench/cold_import.py [--runs 15]
Runs both alternately in fresh interpreters and prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = "import azure.functions as func\napp = func.FunctionApp()\n"
OURS = "import function_app\n"
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def total_import_us(code: str) -> int:
    """Sum of the cumulative times of the top-level imports the snippet triggers."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "", "PYTHONDONTWRITEBYTECODE": ""},
    )
    total = 0
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match and len(match.group(3)) == 1:  # depth 0: imported directly by the snippet's chain
            total += int(match.group(2))
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    bare, ours = [], []
    for _ in range(runs):
        bare.append(total_import_us(BARE))
        ours.append(total_import_us(OURS))
    bare_ms, ours_ms = statistics.median(bare) / 1000, statistics.median(ours) / 1000
    print(f"runs: {runs} each, alternating, fresh interpreter per run")
    print(f"bare azure.functions app: median {bare_ms:.1f} ms")
    print(f"function_app:             median {ours_ms:.1f} ms")
    print(f"ratio function_app / bare: {ours_ms / bare_ms:.2f}")


if __name__ == "__main__":
    main()
