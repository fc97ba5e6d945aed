"""The app's functions as the Functions host would index them, from `app.get_functions()`."""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import azure.functions as func

from devhost.routes import RouteTemplate


@dataclass(frozen=True)
class HttpFunction:
    name: str
    route: RouteTemplate
    methods: frozenset[str]
    auth_level: str
    arg_name: str
    handler: Callable[..., Any]
    wants_fastapi_request: bool


@dataclass(frozen=True)
class QueueFunction:
    name: str
    queue_name: str
    connection: str
    arg_name: str
    handler: Callable[..., Any]


def _trigger(function: func.Function) -> dict[str, Any]:
    for raw in function.get_raw_bindings():
        binding = json.loads(raw)
        if binding.get("type", "").endswith("Trigger"):
            return dict(binding)
    raise ValueError(f"function {function.get_function_name()} has no trigger binding")


def _wants_fastapi(handler: Callable[..., Any], arg_name: str) -> bool:
    annotation = inspect.signature(handler).parameters[arg_name].annotation
    return annotation is not func.HttpRequest and "HttpRequest" not in str(annotation)


def read_functions(app: func.FunctionApp) -> list[func.Function]:
    """`app.get_functions()`, callable more than once: the SDK records names and refuses a second read."""
    recorded = app.functions_bindings
    app.functions_bindings = {}
    try:
        return list(app.get_functions())
    finally:
        app.functions_bindings = recorded


def index(app: func.FunctionApp) -> tuple[list[HttpFunction], list[QueueFunction]]:
    http: list[HttpFunction] = []
    queues: list[QueueFunction] = []
    for function in read_functions(app):
        trigger = _trigger(function)
        handler = function.get_user_function()
        name = str(function.get_function_name())
        if trigger["type"] == "httpTrigger":
            methods = trigger.get("methods") or ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            http.append(
                HttpFunction(
                    name=name,
                    route=RouteTemplate(str(trigger.get("route") or name)),
                    methods=frozenset(m.upper() for m in methods),
                    auth_level=str(trigger.get("authLevel", "FUNCTION")).upper(),
                    arg_name=trigger["name"],
                    handler=handler,
                    wants_fastapi_request=_wants_fastapi(handler, trigger["name"]),
                )
            )
        elif trigger["type"] == "queueTrigger":
            queues.append(
                QueueFunction(
                    name=name,
                    queue_name=trigger["queueName"],
                    connection=trigger.get("connection") or "AzureWebJobsStorage",
                    arg_name=trigger["name"],
                    handler=handler,
                )
            )
        else:
            raise ValueError(f"function {name}: trigger {trigger['type']} is not supported by the dev host")
    _check_one_http_model(http)
    return http, queues


def _check_one_http_model(functions: list[HttpFunction]) -> None:
    """Once the streaming extension is in use the worker rejects func.HttpRequest functions; so do we."""
    legacy = [f.name for f in functions if not f.wants_fastapi_request]
    if legacy and len(legacy) < len(functions):
        raise ValueError(
            "HTTP functions mix func.HttpRequest with the streaming extension's Request, which the Python "
            f"worker rejects: {', '.join(sorted(legacy))}"
        )


def load_app(module: str = "function_app") -> func.FunctionApp:
    app = importlib.import_module(module).app
    if not isinstance(app, func.FunctionApp):
        raise TypeError(f"{module}.app is not an azure.functions.FunctionApp")
    return app
