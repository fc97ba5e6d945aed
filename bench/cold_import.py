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
# The HTTP streaming extension imports FastAPI; every app that streams pays this, whatever its code.
BARE_STREAMING = BARE + "import azurefunctions.extensions.http.fastapi\n"
OURS = "import function_app\n"
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def total_import_us(code: str) -> int:
    """Sum of the cumulative times of the top-level imports the snippet triggers."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
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
    samples: dict[str, list[int]] = {"bare": [], "bare+streaming": [], "function_app": []}
    for _ in range(runs):
        samples["bare"].append(total_import_us(BARE))
        samples["bare+streaming"].append(total_import_us(BARE_STREAMING))
        samples["function_app"].append(total_import_us(OURS))
    medians = {name: statistics.median(values) / 1000 for name, values in samples.items()}
    print(f"runs: {runs} each, interleaved, fresh interpreter per run")
    print(f"bare azure.functions app:              median {medians['bare']:.1f} ms")
    print(f"bare app + HTTP streaming extension:   median {medians['bare+streaming']:.1f} ms")
    print(f"function_app:                          median {medians['function_app']:.1f} ms")
    print(f"ratio function_app / bare:             {medians['function_app'] / medians['bare']:.2f}")
    print(f"ratio function_app / bare+streaming:   {medians['function_app'] / medians['bare+streaming']:.2f}")


if __name__ == "__main__":
    main()
