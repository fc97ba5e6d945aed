"""Local stack CLI: `run` (emulators + simulators + host), `serve` (host only), `token`, `emulators`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from typing import Any

from devhost.issuer import mint_token
from devhost.local_settings import apply_local_settings
from devhost.stack import LocalStack, StackPorts


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """uvloop when installed (as in the dev requirements), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _serve(host: str, port: int, queues: bool) -> None:
    from devhost.server import DevHost
    from shared.settings import SettingsError

    try:
        run_loop(DevHost(host=host, port=port, run_queues=queues).serve())
    except SettingsError as error:
        sys.exit(f"start-up failed: {error}")


def _print_banner(port: int) -> None:
    print(f"\nCopilot Platform Functions is running at http://127.0.0.1:{port}/api", flush=True)
    print(f"  health:  curl http://127.0.0.1:{port}/api/health")
    print("  token:   make -s token tenant=t1 user=u1 | tail -1")
    print(
        f'  me:      curl -H "Authorization: Bearer $(make -s token tenant=t1 user=u1 | tail -1)" '
        f"http://127.0.0.1:{port}/api/v1/me"
    )
    print("Press Ctrl-C to stop.\n", flush=True)


def run(args: argparse.Namespace) -> None:
    stack = LocalStack(StackPorts(), persist=args.persist)
    print("starting emulators and simulators ...", flush=True)
    stack.start()
    try:
        apply_local_settings(overrides=stack.settings())
        os.environ.update(stack.settings())
        threading.Timer(1.5, _print_banner, args=(args.port,)).start()
        _serve(args.host, args.port, queues=True)
    finally:
        stack.stop()


def emulators(args: argparse.Namespace) -> None:
    stack = LocalStack(StackPorts(), persist=args.persist)
    stack.start()
    print("emulators and simulators are running; Ctrl-C stops them", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        stack.stop()


def serve(args: argparse.Namespace) -> None:
    apply_local_settings()
    _serve(args.host, args.port, queues=not args.no_queues)


def token(args: argparse.Namespace) -> None:
    print(f"local token for tenant={args.tenant} user={args.user}, valid {args.lifetime} s:", file=sys.stderr)
    print(mint_token(args.tenant, args.user, lifetime_s=args.lifetime))


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m devhost")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("run", run), ("serve", serve), ("emulators", emulators)):
        command = commands.add_parser(name)
        command.set_defaults(handler=handler)
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=int, default=int(os.environ.get("DEVHOST_PORT", "7071")))
        command.add_argument("--persist", action="store_true", help="keep Azurite data under .local/")
        command.add_argument("--no-queues", action="store_true", help="serve HTTP only")
    minting = commands.add_parser("token")
    minting.set_defaults(handler=token)
    minting.add_argument("--tenant", required=True)
    minting.add_argument("--user", required=True)
    minting.add_argument("--lifetime", type=int, default=3600)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
