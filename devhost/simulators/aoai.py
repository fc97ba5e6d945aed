"""Local Azure OpenAI / OpenAI chat completions simulator (dev host and tests only, never deployed).

Run: `python -m devhost.simulators.aoai --host 127.0.0.1 --port 7072` (port 0 picks a free port).
In-process: `sim = await start_simulator(); ...; await sim.stop()`.
"""

import argparse
import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.log import access_logger

from devhost.simulators.aoai_chat import ChatCompletions
from devhost.simulators.aoai_config import FaultSpec, SimulatorConfig
from devhost.simulators.aoai_control import add_control_routes
from devhost.simulators.aoai_payloads import error_response
from devhost.simulators.aoai_state import SimulatorState

__all__ = ["FaultSpec", "RunningSimulator", "SimulatorConfig", "main", "make_app", "start_simulator"]

STATE_KEY = web.AppKey("aoai_simulator_state", SimulatorState)
MAX_REQUEST_BYTES = 16 * 1024 * 1024
SHUTDOWN_GRACE_S = 0.5
ENV_PREFIX = "AOAI_SIM_"


async def _unknown_route(request: web.Request) -> web.Response:
    return error_response(
        404,
        f"Unknown path {request.method} {request.path}.",
        error_type="invalid_request_error",
        code="not_found",
    )


def make_app(config: SimulatorConfig | None = None) -> web.Application:
    state = SimulatorState(config or SimulatorConfig())
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[STATE_KEY] = state
    chat = ChatCompletions(state)
    app.router.add_post("/v1/chat/completions", chat.openai_route)
    app.router.add_post("/openai/deployments/{deployment}/chat/completions", chat.azure_route)
    app.router.add_get("/v1/models", chat.models_route)
    add_control_routes(app, state)
    app.router.add_route("*", "/{tail:.*}", _unknown_route)
    return app


@dataclass
class RunningSimulator:
    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def state(self) -> SimulatorState:
        return self.runner.app[STATE_KEY]

    def update_config(self, **patch: Any) -> SimulatorConfig:
        self.state.config = self.state.config.with_patch(patch)
        return self.state.config

    def queue_faults(self, *faults: FaultSpec) -> None:
        self.state.faults.add(list(faults))

    def reset(self, restore_config: bool = False) -> None:
        self.state.reset(restore_config=restore_config)

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_simulator(
    host: str = "127.0.0.1", port: int = 0, config: SimulatorConfig | None = None, access_log: bool = False
) -> RunningSimulator:
    """Serve the simulator on the running event loop; handlers are cancelled when their client goes away."""
    runner = web.AppRunner(
        make_app(config),
        handler_cancellation=True,
        shutdown_timeout=SHUTDOWN_GRACE_S,
        access_log=access_logger if access_log else None,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = int(runner.addresses[0][1])
    return RunningSimulator(runner=runner, host=host, port=bound_port)


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devhost.simulators.aoai", description=__doc__)
    parser.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(_env("PORT", "7072") or 7072))
    parser.add_argument("--api-key", default=_env("API_KEY"), help="require this key (api-key or Bearer)")
    parser.add_argument("--accept-any-bearer", action="store_true", default=_env("ACCEPT_ANY_BEARER") == "1")
    parser.add_argument("--first-token-ms", type=float, default=float(_env("FIRST_TOKEN_MS", "0") or 0))
    parser.add_argument("--per-token-ms", type=float, default=float(_env("PER_TOKEN_MS", "0") or 0))
    parser.add_argument("--tpm", type=int, default=int(_env("TPM", "0") or 0), help="tokens/minute per deployment")
    parser.add_argument("--default-reply-tokens", type=int, default=int(_env("DEFAULT_REPLY_TOKENS", "16") or 16))
    parser.add_argument("--deployments", default=_env("DEPLOYMENTS"), help="comma-separated allowed deployments")
    parser.add_argument("--access-log", action="store_true", default=_env("ACCESS_LOG") == "1")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    deployments = [name.strip() for name in args.deployments.split(",") if name.strip()] if args.deployments else None
    return SimulatorConfig(
        api_key=args.api_key or None,
        accept_any_bearer=args.accept_any_bearer,
        first_token_ms=args.first_token_ms,
        per_token_ms=args.per_token_ms,
        tokens_per_minute=args.tpm or None,
        default_reply_tokens=args.default_reply_tokens,
        deployments=deployments,
    )


async def _serve_forever(args: argparse.Namespace) -> None:
    simulator = await start_simulator(args.host, args.port, config_from_args(args), access_log=args.access_log)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    print(f"aoai-simulator listening on {simulator.url}", flush=True)
    try:
        await stop.wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(_serve_forever(_parse_args(argv)))


if __name__ == "__main__":
    main()
