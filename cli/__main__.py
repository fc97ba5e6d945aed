"""Operator commands: `python -m cli apikeys create|revoke|list ...`, `python -m cli poison replay ...`."""

from __future__ import annotations

import asyncio
import sys

from cli import apikeys, poison


def main(argv: list[str]) -> int:
    if argv[:1] == ["poison"]:
        return poison.main(argv[1:])
    return asyncio.run(apikeys.main(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
