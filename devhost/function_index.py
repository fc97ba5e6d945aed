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


def index(app: func.FunctionApp) -> tuple[list[HttpFunction], list[QueueFunction]]:
    http: list[HttpFunction] = []
    queues: list[QueueFunction] = []
    for function in app.get_functions():
        trigger = _trigger(function)
        handler = function.get_user_function()
        name = function.get_function_name()
        if trigger["type"] == "httpTrigger":
            methods = trigger.get("methods") or ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            http.append(
                HttpFunction(
                    name=name,
                    route=RouteTemplate(trigger.get("route") or name),
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
    return http, queues


def load_app(module: str = "function_app") -> func.FunctionApp:
    app = getattr(importlib.import_module(module), "app")
    if not isinstance(app, func.FunctionApp):
        raise TypeError(f"{module}.app is not an azure.functions.FunctionApp")
    return app
