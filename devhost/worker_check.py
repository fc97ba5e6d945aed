"""Index a function app with the real Azure Functions Python worker, as it does at start-up.

Run under Python 3.13 in a venv holding `azure-functions-runtime` and the app's requirements:

    <worker-venv>/bin/python devhost/worker_check.py [--app-dir DIR]

It sends the worker the same requests the host sends first (WorkerInitRequest, then
FunctionsMetadataRequest), so `function_app.py` goes through the worker's own indexing and
per-function validation (parameter names against bindings, type annotations against the binding
registry and, when the HTTP streaming extension is imported, its Request/Response types), and the
worker starts its streaming HTTP server exactly when the host-side worker would. The gRPC message
classes normally handed over by the host's proxy worker are replaced by `_Protos`, which keeps the
field names and enum numbers of FunctionRpc.proto and rejects unknown fields as protobuf does.

Prints a JSON summary on stdout. Exits 0 when the worker indexed the app, 1 with the worker's
error message on stderr (and in the JSON) when it rejected it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

STREAMING_SERVER_TIMEOUT_S = 10.0
STATUS_SUCCESS = 1  # StatusResult.Status.Success in FunctionRpc.proto


class _Message:
    """A gRPC message stand-in: keyword fields only, unknown fields rejected as protobuf does."""

    FIELDS: frozenset[str] = frozenset()

    def __init__(self, **fields: Any) -> None:
        unknown = set(fields) - self.FIELDS
        if unknown:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{sorted(unknown)[0]}" field.')
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        if name in self.FIELDS:
            return None
        raise AttributeError(name)


def _message(name: str, fields: Iterable[str], **constants: int) -> type[_Message]:
    namespace: dict[str, Any] = {"FIELDS": frozenset(fields), **constants}
    return type(name, (_Message,), namespace)


class _Protos:
    """The subset of FunctionRpc.proto that the worker uses while initialising and indexing."""

    BindingInfo = _message(
        "BindingInfo",
        ("type", "direction", "data_type", "properties"),
        undefined=0,
        string=1,
        binary=2,
        stream=3,
        **{"in": 0},
        out=1,
        inout=2,
    )
    StatusResult = _message(
        "StatusResult", ("status", "result", "exception", "logs"), Failure=0, Success=STATUS_SUCCESS
    )
    RpcException = _message("RpcException", ("source", "stack_trace", "message", "is_user_exception"))
    WorkerMetadata = _message(
        "WorkerMetadata",
        ("runtime_name", "runtime_version", "worker_version", "worker_bitness", "custom_properties"),
    )
    WorkerInitResponse = _message("WorkerInitResponse", ("worker_version", "capabilities", "result", "worker_metadata"))
    FunctionMetadataResponse = _message(
        "FunctionMetadataResponse", ("function_metadata_results", "result", "use_default_metadata_indexing")
    )
    RpcRetryOptions = _message(
        "RpcRetryOptions",
        ("max_retry_count", "delay_interval", "minimum_interval", "maximum_interval", "retry_strategy"),
    )
    RpcFunctionMetadata = _message(
        "RpcFunctionMetadata",
        (
            "name",
            "directory",
            "script_file",
            "entry_point",
            "bindings",
            "is_proxy",
            "status",
            "language",
            "raw_bindings",
            "function_id",
            "managed_dependency_enabled",
            "retry_options",
            "properties",
        ),
    )


def _host_request(app_dir: Path) -> SimpleNamespace:
    """What the proxy worker hands the library worker: the host's request plus `host` and `protos`."""
    init = SimpleNamespace(function_app_directory=str(app_dir), capabilities={}, worker_directory="")
    return SimpleNamespace(
        request=SimpleNamespace(worker_init_request=init),
        properties={"host": "127.0.0.1", "protos": _Protos},
    )


def _prepare_process(app_dir: Path) -> None:
    """The worker's process state at start-up: cwd and sys.path at the app, the host's app settings."""
    os.chdir(app_dir)
    script_dir = str(Path(__file__).resolve().parent)
    sys.path[:] = [entry for entry in sys.path if entry not in ("", script_dir)]
    sys.path.insert(0, str(app_dir))
    os.environ.setdefault("FUNCTIONS_WORKER_RUNTIME", "python")
    os.environ.setdefault("PYTHON_ENABLE_INIT_INDEXING", "1")


def _quiet_streaming_server() -> None:
    """uvicorn configures its own loggers when the worker starts it; keep them to real failures."""
    try:
        from uvicorn.config import LOGGING_CONFIG
    except ImportError:
        return
    for logger in LOGGING_CONFIG.get("loggers", {}).values():
        logger["level"] = "CRITICAL"


def _type_name(pytype: Any) -> str | None:
    if pytype is None:
        return None
    if isinstance(pytype, type):
        return f"{pytype.__module__}.{pytype.__qualname__}"
    return repr(pytype)


def _function_summary(metadata: Any, registry: Any) -> dict[str, Any]:
    bindings = [json.loads(raw) for raw in metadata.raw_bindings]
    info = registry.get_function(metadata.function_id)
    trigger = next((b for b in bindings if str(b.get("type", "")).endswith("Trigger")), None)
    return {
        "name": metadata.name,
        "function_id": metadata.function_id,
        "script_file": metadata.script_file,
        "trigger": trigger,
        "bindings": bindings,
        "is_async": info.is_async,
        "parameters": {
            name: {"binding": param.binding_name, "type": _type_name(param.pytype)}
            for name, param in {**info.input_types, **info.output_types}.items()
        },
        "return": None if info.return_type is None else _type_name(info.return_type.pytype),
    }


async def _wait_listening(uri: str, timeout_s: float) -> bool:
    parts = urlsplit(uri)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            _, writer = await asyncio.open_connection(parts.hostname, parts.port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
    return False


async def _start_worker(app_dir: Path) -> dict[str, Any]:
    import azure_functions_runtime as worker
    from azure_functions_runtime import handle_event
    from azure_functions_runtime.http_v2 import HttpV2Registry
    from azure_functions_runtime.utils.helpers import get_sdk_version
    from azure_functions_runtime.version import VERSION

    request = _host_request(app_dir)
    summary: dict[str, Any] = {
        "worker": {
            "package": "azure-functions-runtime",
            "version": VERSION,
            "python": sys.version.split()[0],
        },
        "app_dir": str(app_dir),
    }
    script = app_dir / os.environ.get("PYTHON_SCRIPT_FILE_NAME", "function_app.py")
    if not script.is_file():
        # The worker would silently fall back to function.json (v1) indexing and find nothing.
        return {**summary, "ok": False, "error": f"{script} does not exist"}

    init = await worker.worker_init_request(request)
    summary["worker"]["azure_functions"] = get_sdk_version()
    if init.result.status != STATUS_SUCCESS:
        summary.update(ok=False, error=init.result.exception.message, stack_trace=init.result.exception.stack_trace)
        return summary

    streaming_uri = init.capabilities.get("HttpUri")
    summary["http_streaming"] = {
        "enabled": HttpV2Registry.http_v2_enabled(),
        "uri": streaming_uri,
        "listening": bool(streaming_uri) and await _wait_listening(streaming_uri, STREAMING_SERVER_TIMEOUT_S),
    }
    metadata = await worker.functions_metadata_request(request)
    results = metadata.function_metadata_results or []
    summary["functions"] = [_function_summary(result, handle_event._functions) for result in results]
    summary["ok"] = metadata.result.status == STATUS_SUCCESS and (
        not streaming_uri or summary["http_streaming"]["listening"]
    )
    if streaming_uri and not summary["http_streaming"]["listening"]:
        summary["error"] = f"the worker's HTTP streaming server did not listen on {streaming_uri}"
    return summary


async def _run(app_dir: Path) -> dict[str, Any]:
    try:
        return await _start_worker(app_dir)
    finally:
        # The streaming server runs as a task on this loop, as in the worker; stop it with the check.
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--app-dir", type=Path, default=Path.cwd(), help="function app directory (default: cwd)")
    parser.add_argument("--verbose", action="store_true", help="show the worker's own log records on stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.CRITICAL)
    if not args.verbose:
        _quiet_streaming_server()

    app_dir = args.app_dir.resolve()
    _prepare_process(app_dir)
    summary = asyncio.run(_run(app_dir))
    print(json.dumps(summary, indent=2, default=str))
    if not summary["ok"]:
        print(summary.get("stack_trace", ""), file=sys.stderr)
        print(f"worker rejected {app_dir}: {summary.get('error')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
