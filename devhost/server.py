"""Serves the app's HTTP functions and runs its queue triggers in one process, like the host."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn

from devhost.function_index import index, load_app
from devhost.host_config import HostConfig
from devhost.http_host import FunctionKeys, HttpHost
from devhost.paths import PROJECT_ROOT, local_dir
from devhost.queue_host import QueueListener

logger = logging.getLogger("devhost")


def function_keys() -> FunctionKeys:
    """Keys from FUNCTIONS_* settings, else generated once under .local/host-keys.json."""
    path = local_dir() / "host-keys.json"
    if not path.exists():
        path.write_text(json.dumps({"master": secrets.token_urlsafe(32), "function": secrets.token_urlsafe(32)}))
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    master = os.environ.get("FUNCTIONS_MASTER_KEY", stored["master"])
    function = os.environ.get("FUNCTIONS_FUNCTION_KEY", stored["function"])
    return FunctionKeys({function}, master)


class _Server(uvicorn.Server):
    """uvicorn re-raises a captured SIGTERM after serving, which would skip our clean-up; we own signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class DevHost:
    host: str = "127.0.0.1"
    port: int = 7071
    run_queues: bool = True
    app_module: str = "function_app"
    shutdown_grace_s: float = 20.0
    _server: uvicorn.Server | None = field(default=None, init=False)
    ready: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    async def serve(self) -> None:
        # Imported here so that settings are read after the caller has prepared the environment.
        from shared.clients import close_clients, get_clients
        from shared.resources import ensure_resources

        config = HostConfig.load(PROJECT_ROOT / "host.json")
        http_functions, queue_functions = index(load_app(self.app_module))
        clients = await get_clients()
        await ensure_resources(clients)

        http_host = HttpHost(http_functions, config.route_prefix, function_keys())
        self._server = _Server(
            uvicorn.Config(
                http_host,
                host=self.host,
                port=self.port,
                lifespan="off",
                log_level="warning",
                http="httptools",
                access_log=False,
                timeout_graceful_shutdown=int(self.shutdown_grace_s),
            )
        )
        listeners = [QueueListener(f, clients.queues, config.queues) for f in queue_functions]
        if not self.run_queues:
            listeners = []
        tasks = [asyncio.create_task(listener.run()) for listener in listeners]
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.stop)
        serving = asyncio.create_task(self._server.serve())
        while not self._server.started and not serving.done():  # noqa: ASYNC110 - uvicorn exposes a flag only
            await asyncio.sleep(0.02)
        if serving.done():
            await serving  # surfaces the bind error
        self.ready.set()
        try:
            await serving
        finally:
            await asyncio.gather(*(listener.stop(self.shutdown_grace_s) for listener in listeners))
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.gather(*(listener.aclose() for listener in listeners))
            await close_clients()
            logger.info("dev host stopped")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
