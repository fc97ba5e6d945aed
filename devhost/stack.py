"""Starts the local stack's emulators and simulators as child processes and stops them cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devhost.issuer import local_issuer_setting
from devhost.paths import PROJECT_ROOT, local_dir

AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
COSMOS_EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
SIMULATOR_API_KEY = "local-simulator-key"
DEFAULT_MODEL = "gpt-4o-mini"
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
AZURITE_SAVED = b"Azurite Queue service successfully closed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class StackPorts:
    blob: int = 10000
    queue: int = 10001
    table: int = 10002
    cosmos: int = 8081
    aoai: int = 7072
    content_safety: int = 7073

    @classmethod
    def random(cls) -> StackPorts:
        return cls(*(free_port() for _ in range(6)))


def storage_connection_string(ports: StackPorts) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{ports.blob}/{AZURITE_ACCOUNT};"
        f"QueueEndpoint=http://127.0.0.1:{ports.queue}/{AZURITE_ACCOUNT};"
    )


def stack_settings(ports: StackPorts) -> dict[str, str]:
    """App settings that point the app at this stack."""
    aoai = f"http://127.0.0.1:{ports.aoai}"
    backends = [
        {
            "alias": DEFAULT_MODEL,
            "endpoint": aoai,
            "deployment": DEFAULT_MODEL,
            "priority": 1,
            "auth": "api_key",
            "api_key": SIMULATOR_API_KEY,
        },
    ]
    return {
        "AzureWebJobsStorage": storage_connection_string(ports),
        "CosmosDb": f"AccountEndpoint=https://127.0.0.1:{ports.cosmos}/;AccountKey={COSMOS_EMULATOR_KEY};",
        "OPENAI_BACKENDS": json.dumps(backends),
        "AUTH_ISSUERS": json.dumps([local_issuer_setting()]),
        "CONTENT_SAFETY_ENDPOINT": f"http://127.0.0.1:{ports.content_safety}",
        "CONTENT_SAFETY_API_KEY": SIMULATOR_API_KEY,
    }


class StackError(RuntimeError):
    pass


@dataclass
class LocalStack:
    ports: StackPorts = field(default_factory=StackPorts)
    persist: bool = False
    """Keep Azurite's data under .local/azurite instead of in memory."""
    log_dir: Path = field(default_factory=lambda: local_dir() / "logs")
    azurite_location: Path | None = None
    """Keep Azurite's data here (queues survive a restart of Azurite); implies `persist`."""
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _commands: dict[str, list[str]] = field(default_factory=dict)

    def start(self, timeout_s: float = 60.0) -> None:
        if not (NODE_BIN / "azurite").exists() or not (NODE_BIN / "cosmosdb-server").exists():
            raise StackError("emulators are not installed: run `npm ci` (make does this for you)")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for port in (
            self.ports.blob,
            self.ports.queue,
            self.ports.table,
            self.ports.cosmos,
            self.ports.aoai,
            self.ports.content_safety,
        ):
            if _listening(port):
                raise StackError(f"port {port} is already in use: is another local stack still running?")
        try:
            self._spawn("azurite", self._azurite_command())
            self._spawn(
                "cosmos",
                [
                    "node",
                    str(PROJECT_ROOT / "devhost/emulators/cosmos-server.js"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.ports.cosmos),
                ],
            )
            python = sys.executable
            self._spawn(
                "aoai-simulator",
                [
                    python,
                    "-m",
                    "devhost.simulators.aoai",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.ports.aoai),
                    "--api-key",
                    SIMULATOR_API_KEY,
                ],
            )
            self._spawn(
                "content-safety-simulator",
                [
                    python,
                    "-m",
                    "devhost.simulators.content_safety",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.ports.content_safety),
                    "--api-key",
                    SIMULATOR_API_KEY,
                ],
            )
            deadline = time.monotonic() + timeout_s
            for name, port in (
                ("azurite", self.ports.queue),
                ("azurite", self.ports.blob),
                ("cosmos", self.ports.cosmos),
                ("aoai-simulator", self.ports.aoai),
                ("content-safety-simulator", self.ports.content_safety),
            ):
                self._wait_for_port(name, port, deadline)
        except BaseException:
            self.stop()
            raise

    def _azurite_command(self) -> list[str]:
        command = [
            str(NODE_BIN / "azurite"),
            "--silent",
            "--skipApiVersionCheck",
            "--loose",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(self.ports.blob),
            "--queueHost",
            "127.0.0.1",
            "--queuePort",
            str(self.ports.queue),
            "--tableHost",
            "127.0.0.1",
            "--tablePort",
            str(self.ports.table),
        ]
        if self.persist or self.azurite_location is not None:
            location = self.azurite_location or local_dir() / "azurite"
            location.mkdir(parents=True, exist_ok=True)
            return [*command, "--location", str(location)]
        return [*command, "--inMemoryPersistence"]

    def _spawn(self, name: str, command: list[str]) -> None:
        self._commands[name] = command
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self._processes[name] = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def _wait_for_port(self, name: str, port: int, deadline: float) -> None:
        while time.monotonic() < deadline:
            process = self._processes[name]
            if process.poll() is not None:
                raise StackError(f"{name} exited with {process.returncode}; see {self.log_dir / (name + '.log')}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise StackError(f"{name} did not listen on port {port} in time; see {self.log_dir / (name + '.log')}")

    def stop(self, timeout_s: float = 5.0) -> None:
        for process in self._processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                os.killpg(process.pid, signal.SIGCONT)
        deadline = time.monotonic() + timeout_s
        for process in self._processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()

    def settings(self) -> dict[str, str]:
        return stack_settings(self.ports)

    def _stop_saving(self, name: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
        """SIGTERM, then wait for the exit or, for Azurite (whose exit waits on idle keep-alive
        connections), for its log to say the queue service closed, its data saved."""
        log = self.log_dir / f"{name}.log"
        offset = log.stat().st_size if log.exists() else 0
        os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while process.poll() is None and time.monotonic() < deadline:
            with open(log, "rb") as text:
                text.seek(offset)
                if AZURITE_SAVED in text.read():
                    return
            time.sleep(0.1)

    def pid(self, name: str) -> int:
        return self._processes[name].pid

    def freeze(self, name: str) -> None:
        """SIGSTOP a part of the stack (`azurite`, `cosmos`, ...): it keeps its sockets but answers nothing."""
        os.killpg(self._processes[name].pid, signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        os.killpg(self._processes[name].pid, signal.SIGCONT)

    def kill(self, name: str) -> None:
        """SIGKILL a part of the stack, as a crash would; `restart` brings it back on the same port."""
        process = self._processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart(self, name: str, timeout_s: float = 60.0, *, graceful: bool = False) -> None:
        """Start a part again with the same command and port, and wait until it listens. It is killed
        first (SIGKILL, a crash) or, when `graceful`, stopped with SIGTERM until it reports its data
        saved (Azurite on disk keeps its queues then; killed, it loses what it had not saved yet).

        The Cosmos emulator keeps data in memory: after its restart, `provision` creates the app's
        database and containers again."""
        process = self._processes[name]
        if graceful and process.poll() is None:
            self._stop_saving(name, process, timeout_s)
        self.kill(name)
        self._spawn(name, self._commands[name])
        ports = {
            "azurite": self.ports.queue,
            "cosmos": self.ports.cosmos,
            "aoai-simulator": self.ports.aoai,
            "content-safety-simulator": self.ports.content_safety,
        }
        self._wait_for_port(name, ports[name], time.monotonic() + timeout_s)


async def provision(settings: dict[str, str]) -> None:
    """Create the app's database, containers and queues on the stack these settings point at."""
    from shared.clients import Clients
    from shared.resources import ensure_resources
    from shared.settings import load_settings

    clients = Clients(load_settings(**settings))
    try:
        await ensure_resources(clients)
    finally:
        await clients.aclose()
