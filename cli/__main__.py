"""`python -m cli apikeys create|revoke|list ...`: see `python -m cli apikeys --help`."""

from __future__ import annotations

import asyncio
import sys

from cli.apikeys import main

if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
