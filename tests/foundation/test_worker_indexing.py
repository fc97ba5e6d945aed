"""The real Azure Functions Python worker indexes function_app.py as `app.get_functions()` does.

`get_functions()` accepts mistakes the worker rejects at start-up (parameters that no binding names,
annotations the binding cannot provide, two function apps in one module). The worker here is
`azure-functions-runtime` (requirements-worker.txt), which runs on Python 3.13 only, in a venv cached
under `.local/worker-venv/<key>/`; devhost/worker_check.py drives it.

The venv gets the SDK pinned in requirements.txt (the one production runs), even where that pin
declares it is not for Python 3.13: the bindings and type checks the worker validates come from it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from azurefunctions.extensions.http.fastapi import Request, Response

from devhost.function_index import read_functions

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_CHECK = PROJECT_ROOT / "devhost" / "worker_check.py"
APP_REQUIREMENTS = PROJECT_ROOT / "requirements.txt"
WORKER_REQUIREMENTS = PROJECT_ROOT / "requirements-worker.txt"
WORKER_VENVS = PROJECT_ROOT / ".local" / "worker-venv"
# Pins in requirements.txt whose Requires-Python excludes 3.13; installed as pinned all the same.
PINS_IGNORING_REQUIRES_PYTHON = ("azure-functions",)
VENV_RECIPE = "1"  # bump when the way the venv is built changes
CHECK_TIMEOUT_S = 120
INSTALL_TIMEOUT_S = 1200


def _version_of(python: str) -> str | None:
    try:
        probe = subprocess.run(
            [python, "-I", "-c", "import sys; print(sys.version_info[:2] == (3, 13), sys.version)"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    is_313, _, version = probe.stdout.strip().partition(" ")
    return version if probe.returncode == 0 and is_313 == "True" else None


def _pyenv_roots() -> Iterator[Path]:
    if root := os.environ.get("PYENV_ROOT"):
        yield Path(root)
    if pyenv := shutil.which("pyenv"):
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            yield Path(subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30).stdout.strip())
    yield Path.home() / ".pyenv"


def _python313_candidates() -> Iterator[str]:
    if on_path := shutil.which("python3.13"):
        yield on_path
    for root in _pyenv_roots():
        found = (root / "versions").glob("3.13*/bin/python3.13")
        yield from (str(path) for path in sorted(found, key=lambda p: p.parts[-3], reverse=True))


def find_python313() -> tuple[str, str] | None:
    """The first Python 3.13 that runs (a pyenv shim for an unselected version does not), and its version."""
    for candidate in _python313_candidates():
        if version := _version_of(candidate):
            return candidate, version
    return None


def _pinned(requirement: str) -> str:
    for line in APP_REQUIREMENTS.read_text().splitlines():
        if re.match(rf"{re.escape(requirement)}\s*==", line.strip(), re.IGNORECASE):
            return line.strip()
    raise AssertionError(f"requirements.txt does not pin {requirement}")


def _pip(python: Path, *args: str) -> None:
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")


def _build_venv(python313: str, target: Path) -> None:
    subprocess.run([python313, "-m", "venv", str(target)], check=True, capture_output=True, timeout=300)
    python = target / "bin" / "python"
    _pip(python, "--no-deps", "--ignore-requires-python", *map(_pinned, PINS_IGNORING_REQUIRES_PYTHON))
    _pip(python, "-r", str(WORKER_REQUIREMENTS), "-r", str(APP_REQUIREMENTS))


def worker_venv(python313: str, version: str) -> Path:
    """The cached 3.13 venv with the worker and the app's requirements, built once per key."""
    key_source = b"\0".join(
        [
            APP_REQUIREMENTS.read_bytes(),
            WORKER_REQUIREMENTS.read_bytes(),
            version.encode(),
            VENV_RECIPE.encode(),
        ]
    )
    key = hashlib.sha256(key_source).hexdigest()[:16]
    venv = WORKER_VENVS / key
    complete = venv / ".complete"
    WORKER_VENVS.mkdir(parents=True, exist_ok=True)
    with (WORKER_VENVS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not complete.exists():
            shutil.rmtree(venv, ignore_errors=True)
            started = time.monotonic()
            _build_venv(python313, venv)
            complete.write_text(f"built in {time.monotonic() - started:.1f}s with {python313} ({version})\n")
            for stale in WORKER_VENVS.iterdir():
                if stale.is_dir() and stale.name != key and re.fullmatch(r"[0-9a-f]{16}", stale.name):
                    shutil.rmtree(stale, ignore_errors=True)
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def worker_python() -> Path:
    found = find_python313()
    if found is None:
        message = (
            "Python 3.13 was not found (looked for python3.13 on PATH, then $(pyenv root)/versions/3.13*"
            " and ~/.pyenv/versions/3.13*). The Azure Functions worker check needs it: `pyenv install 3.13`."
        )
        # The issue asks for the check where 3.13 exists; CI machines have it, so there it must run.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return worker_venv(*found)


@dataclass(frozen=True)
class WorkerCheck:
    returncode: int
    summary: dict[str, Any]
    stderr: str


def run_worker_check(python: Path, app_dir: Path) -> WorkerCheck:
    done = subprocess.run(
        [str(python), "-I", str(WORKER_CHECK), "--app-dir", str(app_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT_S,
    )
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"worker_check printed no JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return WorkerCheck(done.returncode, summary, done.stderr)


def _trigger(function: func.Function) -> dict[str, Any]:
    bindings = (json.loads(raw) for raw in function.get_raw_bindings())
    return next(binding for binding in bindings if binding["type"].endswith("Trigger"))


def test_the_worker_indexes_every_function_of_the_app(worker_python: Path) -> None:
    from function_app import app

    check = run_worker_check(worker_python, PROJECT_ROOT)

    assert check.returncode == 0, f"the worker rejected function_app.py: {check.summary.get('error')}"
    ours = {function.get_function_name(): _trigger(function) for function in read_functions(app)}
    indexed = {function["name"]: function["trigger"] for function in check.summary["functions"]}
    assert indexed == ours
    if any(trigger["type"] == "httpTrigger" for trigger in ours.values()):
        assert check.summary["http_streaming"]["enabled"], "the worker did not detect the HTTP streaming extension"
        assert check.summary["http_streaming"]["listening"], check.summary["http_streaming"]


def _app_source(*blocks: str) -> str:
    header = """
        import azure.functions as func
        from azurefunctions.extensions.http.fastapi import Request, Response

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
        """
    return "".join(textwrap.dedent(block) for block in (header, *blocks))


STREAMING_ROUTE = """
    @app.route(route="ping", methods=["GET"])
    async def ping(req: Request) -> Response:
        return Response("pong")
    """

QUEUE_TRIGGER = """
    @app.queue_trigger(arg_name="msg", queue_name="jobs", connection="AzureWebJobsStorage")
    async def job(msg: func.QueueMessage) -> None:
        pass
    """

BROKEN_APPS = {
    "parameter_named_unlike_its_binding": (
        _app_source(STREAMING_ROUTE.replace("(req: Request)", "(request: Request)")),
        "cannot load the ping function: the following parameters are declared in Python but not in",
    ),
    "classic_http_types_beside_streaming_ones": (
        _app_source(
            STREAMING_ROUTE,
            """
            @app.route(route="legacy", methods=["GET"])
            def legacy(req: func.HttpRequest) -> func.HttpResponse:
                return func.HttpResponse("old")
            """,
        ),
        'cannot load the legacy function: binding type "\'req\'" and dataType "httpTrigger"',
    ),
    "queue_message_annotated_as_dict": (
        _app_source(QUEUE_TRIGGER.replace("(msg: func.QueueMessage)", "(msg: dict)")),
        'cannot load the job function: binding type "\'msg\'" and dataType "queueTrigger"',
    ),
    "imports_a_package_missing_from_requirements": (
        _app_source("import pytest  # in requirements-dev.txt only\n", STREAMING_ROUTE),
        "No module named 'pytest'. Cannot find module. Please check the requirements.txt file",
    ),
    "two_function_apps_in_one_module": (
        _app_source(STREAMING_ROUTE, "second_app = func.FunctionApp()\n"),
        "More than one FunctionApp or other top level function app instances are defined",
    ),
}


def _qualified(pytype: type) -> str:
    return f"{pytype.__module__}.{pytype.__qualname__}"


def _write_app(directory: Path, source_text: str) -> list[str]:
    """Writes function_app.py and returns the function names `get_functions()` gives for it here."""
    source = directory / "function_app.py"
    source.write_text(source_text)
    spec = importlib.util.spec_from_file_location(f"worker_check_app_{directory.name}", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.pop(spec.name, None)
    return [function.get_function_name() for function in module.app.get_functions()]


@pytest.mark.parametrize("case", sorted(BROKEN_APPS))
def test_the_worker_rejects_what_get_functions_accepts(worker_python: Path, tmp_path: Path, case: str) -> None:
    source_text, reason = BROKEN_APPS[case]
    assert _write_app(tmp_path, source_text), "get_functions() should accept the app for this test to mean anything"

    check = run_worker_check(worker_python, tmp_path)

    assert check.returncode == 1, check.summary
    assert check.summary["ok"] is False
    assert reason in check.summary["error"]
    assert reason in check.stderr


def test_the_worker_accepts_streaming_http_beside_a_queue_trigger(worker_python: Path, tmp_path: Path) -> None:
    assert sorted(_write_app(tmp_path, _app_source(STREAMING_ROUTE, QUEUE_TRIGGER))) == ["job", "ping"]

    check = run_worker_check(worker_python, tmp_path)

    assert check.returncode == 0, check.summary.get("error")
    functions = {function["name"]: function for function in check.summary["functions"]}
    assert functions["job"]["trigger"]["queueName"] == "jobs"
    assert functions["job"]["parameters"]["msg"]["type"] == _qualified(func.QueueMessage)
    assert functions["ping"]["parameters"]["req"]["type"] == _qualified(Request)
    assert functions["ping"]["return"] == _qualified(Response)
    assert check.summary["http_streaming"]["listening"]
